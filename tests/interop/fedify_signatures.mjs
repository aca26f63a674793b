// Fedify (an ActivityPub framework nobody here wrote) signs and verifies HTTP signatures for
// the Mastodon-shaped follower in tests/fediverse/mastodon.py (it lives here, beside the
// interop tests, to use their Fedify install). One JSON request per line on
// stdin, one JSON answer per line on stdout:
//   {"op": "sign", "method", "url", "headers", "body", "privateKeyPem", "keyId"} -> {"headers"}
//   {"op": "verify", "method", "url", "headers", "body"} -> {"verified", "keyId", "reason"}
// Keys are fetched over loopback (the tests' addresses); contexts come from Fedify's
// preloaded copies.
import { createInterface } from "node:readline";
import { signRequest, verifyRequestDetailed } from "@fedify/fedify/sig";
import { getDocumentLoader } from "@fedify/vocab-runtime";

const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
const contextLoader = documentLoader;

function importPrivateKey(pem) {
  const base64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const der = Buffer.from(base64, "base64");
  return crypto.subtle.importKey(
    "pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"],
  );
}

function toRequest(message) {
  const hasBody = message.body != null && message.method !== "GET";
  return new Request(message.url, {
    method: message.method,
    headers: message.headers,
    body: hasBody ? message.body : undefined,
  });
}

async function handle(message) {
  if (message.op === "sign") {
    const key = await importPrivateKey(message.privateKeyPem);
    const signed = await signRequest(toRequest(message), key, new URL(message.keyId), {
      spec: "draft-cavage-http-signatures-12",
    });
    return { headers: Object.fromEntries(signed.headers) };
  }
  if (message.op === "verify") {
    const result = await verifyRequestDetailed(toRequest(message), {
      documentLoader,
      contextLoader,
      spec: "draft-cavage-http-signatures-12",
    });
    return result.verified
      ? { verified: true, keyId: result.key.id?.href ?? null }
      : { verified: false, reason: JSON.stringify(result.reason) };
  }
  return { error: `unknown op ${message.op}` };
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  let answer;
  try {
    answer = await handle(JSON.parse(line));
  } catch (error) {
    answer = { error: String(error?.stack ?? error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
