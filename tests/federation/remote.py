"""A fake remote garden for in-process tests: its own key, actor document, and an
httpx.MockTransport that serves it (and records what we POST to its inbox)."""

import json
from datetime import UTC, datetime, timedelta

import httpx
from nacl.signing import SigningKey

from federation import crypto, httpsig, keys

AS = "https://www.w3.org/ns/activitystreams"
DI = "https://w3id.org/security/data-integrity/v2"


class RemoteGarden:
    def __init__(
        self, host: str = "remote.example", name: str = "Fremder Garten", lat=52.52, lon=13.41
    ):
        self.host = host
        self.origin = f"https://{host}"
        self.actor_url = f"{self.origin}/actor"
        self.inbox_url = f"{self.origin}/inbox"
        self.key = SigningKey.generate()
        self.rsa_key = keys.new_rsa_key()
        self.rsa_key_id = f"{self.actor_url}#main-key"
        self.headers: list[httpx.Headers] = []  # of every request to it
        self.bodies: list[bytes] = []  # of every POST to its inbox
        self.name = name
        self.latitude, self.longitude = lat, lon
        self.received: list[dict] = []
        self.inbox_status = 202
        self.fetches = 0
        self._counter = 0

    @property
    def key_id(self) -> str:
        return f"{self.actor_url}#{crypto.public_key_multibase(self.key.verify_key)}"

    def document(self) -> dict:
        return {
            "@context": [AS, DI],
            "id": self.actor_url,
            "type": "Organization",
            "preferredUsername": "fremd",
            "name": self.name,
            "inbox": self.inbox_url,
            "outbox": f"{self.origin}/outbox",
            "location": {"type": "Place", "latitude": self.latitude, "longitude": self.longitude},
            "publicKey": {
                "id": self.rsa_key_id,
                "owner": self.actor_url,
                "publicKeyPem": keys.public_pem(self.rsa_key.public_key()),
            },
            "assertionMethod": [
                {
                    "id": self.key_id,
                    "type": "Multikey",
                    "controller": self.actor_url,
                    "publicKeyMultibase": crypto.public_key_multibase(self.key.verify_key),
                }
            ],
        }

    def activity(self, kind: str, obj, **extra) -> dict:
        self._counter += 1
        return {
            "@context": [AS, DI],
            "id": f"{self.origin}/activities/{self._counter}-{id(self)}",
            "type": kind,
            "actor": self.actor_url,
            "object": obj,
            **extra,
        }

    def sign(
        self,
        activity: dict,
        key: SigningKey | None = None,
        key_id: str | None = None,
        created: datetime | None = None,
    ) -> dict:
        stamp = (created or datetime.now(UTC)).replace(microsecond=0)
        return crypto.sign(
            activity,
            key or self.key,
            key_id or self.key_id,
            created=stamp.isoformat().replace("+00:00", "Z"),
        )

    def signed(self, kind: str, obj, **extra) -> dict:
        return self.sign(self.activity(kind, obj, **extra))

    def http_signed(
        self, body: bytes, url: str = "http://testserver/inbox", key=None, key_id=None, now=None
    ) -> dict:
        """Headers that sign a POST of ``body`` to our inbox, as Mastodon would send them."""
        return httpsig.sign_request(
            "POST", url, key or self.rsa_key, key_id or self.rsa_key_id, body, now
        )

    def handler(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.headers.append(request.headers)
        if request.method == "GET" and url == self.actor_url:
            self.fetches += 1
            return httpx.Response(200, json=self.document())
        if request.method == "GET" and url.startswith(f"{self.origin}/.well-known/webfinger"):
            return httpx.Response(
                200,
                json={
                    "subject": f"acct:fremd@{self.host}",
                    "links": [
                        {"rel": "self", "type": "application/activity+json", "href": self.actor_url}
                    ],
                },
            )
        if request.method == "POST" and url == self.inbox_url:
            self.bodies.append(request.content)
            self.received.append(json.loads(request.content))
            return httpx.Response(self.inbox_status)
        return httpx.Response(404)


class Network:
    """Routes requests to several fake gardens by host."""

    def __init__(self, *gardens: RemoteGarden):
        self.gardens = {garden.host: garden for garden in gardens}
        self.down: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host in self.down:
            raise httpx.ConnectError("down", request=request)
        garden = self.gardens.get(request.url.host)
        return garden.handler(request) if garden else httpx.Response(404)


def old(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)
