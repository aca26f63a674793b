"""Outgoing HTTP for federation: timeouts, size limits, no private addresses, and an HTTP
Signature (draft-cavage, federation/httpsig.py) on every request, GET and POST alike.

Remote documents are untrusted and so are their addresses: a peer must not be able to make
this node fetch from its own loopback or LAN. ``FEDERATION_ALLOW_INSECURE`` lifts that (and
allows ``http://``) for tests and local demos only.
"""

import ipaddress
import json
import socket
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

from . import httpsig
from .errors import FetchError

if TYPE_CHECKING:
    from .keys import NodeKey

ACTIVITY_JSON = "application/activity+json"
LD_JSON_AS = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
ACCEPT_ACTIVITY = f"{ACTIVITY_JSON}, {LD_JSON_AS}"
MAX_DOCUMENT_BYTES = 256 * 1024
MAX_REDIRECTS = 3
TIMEOUT = httpx.Timeout(10.0, connect=5.0)

# Tests swap in an httpx.MockTransport here.
transport: httpx.BaseTransport | None = None


def insecure_allowed() -> bool:
    return bool(getattr(settings, "FEDERATION_ALLOW_INSECURE", False))


def _user_agent() -> str:
    return f"Allmende/0.1 (+{settings.ALLMENDE_URL})"


def check_url(url: str) -> None:
    """Refuse URLs we must not contact: non-https, and hosts on private networks."""
    try:
        parts = urlsplit(url)
        port = parts.port
        httpx.URL(url)  # httpx's own parse (IDNA host names): refused here, not mid-request
    except (ValueError, httpx.InvalidURL) as exc:
        raise FetchError(f"Not an address we may contact: {url[:200]}") from exc
    allowed_schemes = {"https", "http"} if insecure_allowed() else {"https"}
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise FetchError(f"Not an address we may contact: {url[:200]}")
    if insecure_allowed():
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"Unknown host: {parts.hostname}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise FetchError(f"Refusing to contact a private address: {parts.hostname}")


def client() -> httpx.Client:
    return httpx.Client(
        timeout=TIMEOUT,
        follow_redirects=False,
        headers={"User-Agent": _user_agent()},
        transport=transport,
    )


def signature_headers(
    method: str, url: str, body: bytes | None = None, key: "NodeKey | None" = None
) -> dict[str, str]:
    """Host, Date, Digest (with a body) and Signature, made with ``key`` (default: our current
    key; pass it when sending many, to read the key file once)."""
    from . import keys
    from .actors import rsa_key_id

    key = key or keys.current_key()
    return httpsig.sign_request(method, url, key.rsa_key, rsa_key_id(key), body)


def fetch_json(url: str, accept: str = ACCEPT_ACTIVITY) -> dict:
    """GET a JSON object, following at most a few redirects, each one checked."""
    with client() as http:
        for _hop in range(MAX_REDIRECTS + 1):
            check_url(url)
            try:
                headers = {"Accept": accept, **signature_headers("GET", url)}
                with http.stream("GET", url, headers=headers) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        raise FetchError(f"{url[:200]} answered {response.status_code}")
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_DOCUMENT_BYTES:
                            raise FetchError(f"{url[:200]} sent too large a document")
            except httpx.HTTPError as exc:
                raise FetchError(f"Could not fetch {url[:200]}: {exc.__class__.__name__}") from exc
            try:
                document = json.loads(body)
            except ValueError as exc:
                raise FetchError(f"{url[:200]} did not send JSON") from exc
            if not isinstance(document, dict):
                raise FetchError(f"{url[:200]} did not send a JSON object")
            return document
    raise FetchError(f"Too many redirects from {url[:200]}")


def post_activity(http: httpx.Client, url: str, body: bytes, key: "NodeKey | None" = None) -> int:
    """POST an activity (already carrying its proof) with an HTTP Signature over it, made with
    ``key`` (default: our current key); returns the status code (raises httpx errors). Every
    delivery goes through here."""
    check_url(url)
    headers = {
        "Content-Type": ACTIVITY_JSON,
        "Accept": ACCEPT_ACTIVITY,
        **signature_headers("POST", url, body, key),
    }
    response = http.post(url, content=body, headers=headers)
    return response.status_code
