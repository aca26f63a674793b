// A fediverse server made with Fedify (an implementation nobody here wrote), for the
// interop tests in test_fedify.py. On 127.0.0.1 it:
//   GET  /actor     serves its actor (RSA publicKey + Ed25519 Multikey), made by Fedify's vocab
//   POST /inbox     checks each request with Fedify: verifyRequest (HTTP signature),
//                   verifyObject (proof, and the activity read into Fedify's object model)
//                   and verifyProof (the proof alone); answers 202 and records the outcomes
//   GET  /results   the recorded outcomes (GETs of /actor are checked with verifyRequest too)
//   POST /send      {inbox, mode: "http" | "proof" | "both", tamper?}: signs a Create{Note}
//                   the way Fedify does and POSTs it to that inbox; answers its status
// It prints "ready <port>" when listening.
import { createServer } from "node:http";
import {
  generateCryptoKeyPair,
  signObject,
  signRequest,
  verifyObject,
  verifyProof,
  verifyRequest,
} from "@fedify/fedify";
import {
  Activity,
  Create,
  CryptographicKey,
  DataIntegrityProof,
  Multikey,
  Note,
  Organization,
} from "@fedify/vocab";
import { getDocumentLoader } from "@fedify/vocab-runtime";

// Loopback addresses are what the tests use; contexts come from Fedify's preloaded copies.
const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
const options = { documentLoader, contextLoader: documentLoader };

const rsa = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const ed25519 = await generateCryptoKeyPair("Ed25519");
const results = [];
let origin = "";
let counter = 0;

function actorDocument() {
  const id = new URL(`${origin}/actor`);
  return new Organization({
    id,
    preferredUsername: "fedify",
    name: "Fedify Garten",
    inbox: new URL(`${origin}/inbox`),
    publicKey: new CryptographicKey({
      id: new URL(`${origin}/actor#main-key`),
      owner: id,
      publicKey: rsa.publicKey,
    }),
    assertionMethods: [
      new Multikey({
        id: new URL(`${origin}/actor#ed25519`),
        controller: id,
        publicKey: ed25519.publicKey,
      }),
    ],
  });
}

async function readBody(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function asFetchRequest(request, body) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) headers.set(name, value);
  return new Request(`${origin}${request.url}`, {
    method: request.method,
    headers,
    body: request.method === "POST" ? body : undefined,
  });
}

async function checkSignature(request, body) {
  const key = await verifyRequest(asFetchRequest(request, body), options);
  return key ? { keyId: key.id?.href, owner: key.ownerId?.href } : null;
}

// verifyObject also reads the activity into Fedify's classes, which refuse types they do not
// know (our Produce); verifyProof checks the signature alone.
async function checkProof(json) {
  let object = null;
  let objectError = null;
  try {
    object = (await verifyObject(Activity, json, options))?.id?.href ?? null;
  } catch (error) {
    objectError = String(error?.message ?? error);
  }
  let proofKey = null;
  if (json.proof) {
    const proof = await DataIntegrityProof.fromJsonLd(
      { "@context": json["@context"], ...json.proof },
      options,
    );
    proofKey = (await verifyProof(json, proof, options))?.id?.href ?? null;
  }
  return { proof: object, objectError, proofKey };
}

async function send({ inbox, mode, tamper }) {
  counter += 1;
  let activity = new Create({
    id: new URL(`${origin}/activities/${counter}`),
    actor: new URL(`${origin}/actor`),
    // Addressed to the receiving actor: Fedify's sender normalises a public audience
    // (as:Public) before sending, a step its public API does not offer to a script like this.
    to: new URL("/actor", inbox),
    object: new Note({
      id: new URL(`${origin}/notes/${counter}`),
      attribution: new URL(`${origin}/actor`),
      content: "Fedify grüßt",
    }),
  });
  if (mode === "proof" || mode === "both") {
    activity = await signObject(activity, ed25519.privateKey, new URL(`${origin}/actor#ed25519`), options);
  }
  const body = JSON.stringify(await activity.toJsonLd(options));
  let request = new Request(inbox, {
    method: "POST",
    headers: { "Content-Type": "application/activity+json", Accept: "application/activity+json" },
    body,
  });
  if (mode === "http" || mode === "both") {
    request = await signRequest(request, rsa.privateKey, new URL(`${origin}/actor#main-key`));
  }
  if (tamper) {
    request = new Request(request, { body: body.replace("grüßt", "lügt") });
  }
  const response = await fetch(request);
  return { status: response.status, detail: await response.text(), activity: JSON.parse(body) };
}

const server = createServer(async (request, response) => {
  try {
    const body = await readBody(request);
    const reply = (status, value) => {
      response.writeHead(status, { "Content-Type": "application/activity+json" });
      response.end(JSON.stringify(value));
    };
    if (request.method === "GET" && request.url === "/actor") {
      if (request.headers.signature) {
        results.push({ method: "GET", signature: await checkSignature(request, body) });
      }
      return reply(200, await actorDocument().toJsonLd(options));
    }
    if (request.method === "POST" && request.url === "/inbox") {
      const json = JSON.parse(body.toString());
      results.push({
        method: "POST",
        signature: await checkSignature(request, body),
        ...(await checkProof(json)),
        activity: json,
      });
      return reply(202, {});
    }
    if (request.method === "GET" && request.url === "/results") return reply(200, results);
    if (request.method === "POST" && request.url === "/send") {
      return reply(200, await send(JSON.parse(body.toString())));
    }
    reply(404, {});
  } catch (error) {
    console.error(error);
    response.writeHead(500, { "Content-Type": "text/plain" });
    response.end(String(error?.stack ?? error));
  }
});

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  origin = `http://127.0.0.1:${port}`;
  console.log(`ready ${port}`);
});
