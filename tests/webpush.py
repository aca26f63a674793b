"""A device and a push service for Web Push tests, both on this machine.

``PushService`` is a stand-in push service on 127.0.0.1 that records what the worker POSTs;
``Device`` is a browser's side of a subscription (its ECDH key pair and auth secret, RFC
8291), which decrypts what arrived with http_ece. Used by tests/reminders/test_push.py (in
process) and tests/browser/test_push_page.py (a real node and browser).
"""

from __future__ import annotations

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class PushService:
    """A stand-in push service on 127.0.0.1: records each request, answers 201 (or what the
    test sets for a path)."""

    def __init__(self):
        self.received: list[dict] = []
        self.status: dict[str, int] = {}
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                self.send_response(service.status.get(self.path, 201))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Device:
    """A browser's side of a subscription: its ECDH key pair and auth secret (RFC 8291)."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        public = self.private_key.public_key().public_bytes(
            Encoding.X962, PublicFormat.UncompressedPoint
        )
        self.p256dh, self.auth = b64url(public), b64url(self.auth_secret)

    def subscribe(self, user, endpoint: str, **choices):
        """Subscribe this device for `user` through the service (no page, no browser)."""
        from garden.reminders import services

        choices.setdefault("reminder_hours", 12)
        return services.subscribe(
            user, endpoint=endpoint, p256dh=self.p256dh, auth=self.auth, choices=choices
        )

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return json.loads(plain)
