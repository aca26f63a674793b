"""A Mastodon-shaped follower for tests with real processes: an HTTP server on loopback that
serves a Person with an RSA key and a shared inbox, signs what it sends and checks what it
receives with Fedify (tests/interop/fedify_signatures.mjs), never with our own code.

    with Fedify() as fedify, MastodonServer(fedify) as mastodon:
        mastodon.send(node.inbox_url, mastodon.follow(node.actor_url))
        wait_for(lambda: mastodon.received_of("Accept"))
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

INTEROP = Path(__file__).resolve().parent.parent / "interop"  # Fedify's install (npm ci)
AS = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"


def install_fedify() -> str | None:
    """Install Fedify from the committed lock file if needed; None, or why it cannot run."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "Node.js and npm are not installed"
    if not (INTEROP / "node_modules" / "@fedify" / "fedify").exists():
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=INTEROP,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            return f"npm ci failed: {result.stderr[-500:]}"
    return None


class Fedify:
    """One long-running Node process with Fedify: sign and verify HTTP requests."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def __enter__(self) -> Fedify:
        self.process = subprocess.Popen(
            ["node", "fedify_signatures.mjs"],
            cwd=INTEROP,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def call(self, **message) -> dict:
        with self.lock:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
            answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer


class MastodonServer:
    """``ada`` on a small fediverse server: actor, personal inbox and shared inbox."""

    def __init__(self, fedify: Fedify, username: str = "ada", name: str = "Ada Gärtnerin"):
        self.fedify = fedify
        self.username = username
        self.name = name
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.received: list[dict] = []  # {"path", "activity", "verified", "key_id", "reason"}
        self._ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.actor_url = f"{self.origin}/users/{username}"
        self.key_id = f"{self.actor_url}#main-key"

    def __enter__(self) -> MastodonServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def actor(self) -> dict:
        public_pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "@context": [AS, SECURITY],
            "id": self.actor_url,
            "type": "Person",
            "preferredUsername": self.username,
            "name": self.name,
            "inbox": f"{self.actor_url}/inbox",
            "outbox": f"{self.actor_url}/outbox",
            "followers": f"{self.actor_url}/followers",
            "endpoints": {"sharedInbox": f"{self.origin}/inbox"},
            "publicKey": {
                "id": self.key_id,
                "owner": self.actor_url,
                "publicKeyPem": public_pem.decode(),
            },
        }

    # What ada sends, shaped as Mastodon shapes it.

    def new_id(self, kind: str) -> str:
        return f"{self.actor_url}/{kind}/{next(self._ids)}"

    def follow(self, garden_actor: str) -> dict:
        return {
            "@context": AS,
            "id": self.new_id("follows"),
            "type": "Follow",
            "actor": self.actor_url,
            "object": garden_actor,
        }

    def undo(self, follow: dict) -> dict:
        return {
            "@context": AS,
            "id": f"{follow['id']}#undo",
            "type": "Undo",
            "actor": self.actor_url,
            "object": follow,
        }

    def reply(self, note_id: str, garden_actor: str, text: str) -> dict:
        status = self.new_id("statuses")
        return {
            "@context": AS,
            "id": f"{status}/activity",
            "type": "Create",
            "actor": self.actor_url,
            "to": [f"{AS}#Public"],
            "cc": [garden_actor],
            "object": {
                "id": status,
                "type": "Note",
                "attributedTo": self.actor_url,
                "inReplyTo": note_id,
                "content": text,
                "to": [f"{AS}#Public"],
                "cc": [garden_actor],
                "tag": [{"type": "Mention", "href": garden_actor, "name": "@garden"}],
            },
        }

    def send(self, inbox: str, activity: dict) -> httpx.Response:
        """POST with a draft-cavage signature made by Fedify (rsa-sha256, Digest, Date)."""
        body = json.dumps(activity)
        private_pem = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        headers = {"Content-Type": "application/activity+json"}
        signed = self.fedify.call(
            op="sign",
            method="POST",
            url=inbox,
            headers=headers,
            body=body,
            privateKeyPem=private_pem,
            keyId=self.key_id,
        )["headers"]
        return httpx.post(inbox, content=body.encode(), headers=signed, timeout=30)

    # What ada received.

    def received_of(self, kind: str, object_type: str | None = None) -> list[dict]:
        found = []
        for entry in list(self.received):
            activity = entry["activity"]
            inner = activity.get("object")
            inner_type = inner.get("type") if isinstance(inner, dict) else None
            if activity.get("type") == kind and object_type in (None, inner_type):
                found.append(entry)
        return found

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                if self.path == f"/users/{server.username}":
                    self._answer(200, server.actor(), "application/activity+json")
                else:
                    self._answer(404, {"error": "not found"})

            def do_POST(self) -> None:
                inboxes = ("/inbox", f"/users/{server.username}/inbox")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if self.path not in inboxes:
                    self._answer(404, {"error": "not found"})
                    return
                check = server.fedify.call(
                    op="verify",
                    method="POST",
                    url=f"{server.origin}{self.path}",
                    headers=dict(self.headers.items()),
                    body=body,
                )
                server.received.append(
                    {
                        "path": self.path,
                        "activity": json.loads(body),
                        "verified": check["verified"],
                        "key_id": check.get("keyId"),
                        "reason": check.get("reason"),
                    }
                )
                # As Mastodon: 401 for a request whose signature does not verify.
                self._answer(202 if check["verified"] else 401, {})

            def _answer(self, status: int, document: dict, kind="application/json") -> None:
                payload = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler
