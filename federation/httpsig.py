"""HTTP Signatures as the fediverse speaks them: draft-cavage-http-signatures-12.

Mastodon, GoToSocial, Misskey, Akkoma and Fedify sign server-to-server requests this way and
refuse unsigned ones. We sign every POST over ``(request-target) host date digest`` and every
GET over ``(request-target) host date`` with ``rsa-sha256`` (RSASSA-PKCS1-v1_5, SHA-256); we
verify ``rsa-sha256`` and ``hs2019`` (which, for an RSA key, every server means as the same).

Kept to the draft's small core with ``cryptography`` doing the RSA: no maintained Python
library implements cavage (``http-message-signatures`` is RFC 9421 only). Tested against the
draft's own appendix C examples and against Fedify (tests/federation/test_httpsig.py,
tests/interop/).
"""

import base64
import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

POST_HEADERS = ("(request-target)", "host", "date", "digest")
GET_HEADERS = ("(request-target)", "host", "date")
ALGORITHMS = {"rsa-sha256", "hs2019"}
_PARAMETER = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([0-9.]+))\s*(?:,|$)')


class SignatureError(Exception):
    """The request's signature is missing, malformed, or does not verify."""


def body_digest(body: bytes) -> str:
    """The ``Digest`` header of a body (RFC 3230)."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(moment: datetime | None = None) -> str:
    return format_datetime(moment or datetime.now(UTC), usegmt=True)


def parse_http_date(value: str) -> datetime:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError) as exc:
        raise SignatureError("The Date header is not a date.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def signing_string(
    method: str, target: str, headers: Mapping[str, str], names, parameters=None
) -> str:
    """The text that is signed: one ``name: value`` line per signed header, in order."""
    lower = {name.lower(): value for name, value in headers.items()}
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        elif name in ("(created)", "(expires)") and parameters and name[1:-1] in parameters:
            lines.append(f"{name}: {parameters[name[1:-1]]}")
        elif name in lower:
            lines.append(f"{name}: {lower[name].strip()}")
        else:
            raise SignatureError(f"The signed header {name!r} is missing.")
    return "\n".join(lines)


def sign_request(
    method: str,
    url: str,
    key: rsa.RSAPrivateKey,
    key_id: str,
    body: bytes | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers that sign a request: Host, Date, Digest (with a body) and Signature."""
    headers = {"Host": urlsplit(url).netloc, "Date": http_date(now)}
    names = GET_HEADERS
    if body is not None:
        headers["Digest"] = body_digest(body)
        names = POST_HEADERS
    text = signing_string(method, request_target(url), headers, names)
    signature = base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256()))
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{signature.decode()}"'
    )
    return headers


def parse_signature(value: str) -> dict[str, str]:
    """The parameters of a ``Signature`` header; keyId and signature are required."""
    parameters, position = {}, 0
    while position < len(value):
        match = _PARAMETER.match(value, position)
        if not match or match.end() == position:
            raise SignatureError("The Signature header is malformed.")
        parameters[match[1]] = match[2] if match[2] is not None else match[3]
        position = match.end()
    if not parameters.get("keyId") or not parameters.get("signature"):
        raise SignatureError("The Signature header names no keyId or signature.")
    parameters.setdefault("headers", "date")  # the draft's default
    return parameters


def signed_headers(parameters: Mapping[str, str]) -> list[str]:
    return parameters["headers"].lower().split()


def verify_signature(
    method: str,
    target: str,
    headers: Mapping[str, str],
    parameters: Mapping[str, str],
    key: rsa.RSAPublicKey,
) -> None:
    """Check the signature of parsed ``parameters`` with ``key``; raises SignatureError."""
    algorithm = parameters.get("algorithm", "hs2019").lower()
    if algorithm not in ALGORITHMS:
        raise SignatureError(f"Signature algorithm {algorithm[:40]!r} is not accepted.")
    text = signing_string(method, target, headers, signed_headers(parameters), parameters)
    try:
        signature = base64.b64decode(parameters["signature"], validate=True)
        key.verify(signature, text.encode(), padding.PKCS1v15(), hashes.SHA256())
    except (ValueError, InvalidSignature) as exc:
        raise SignatureError("The HTTP signature does not verify.") from exc


def digest_matches(header: str, body: bytes) -> bool:
    """Whether a ``Digest`` header carries the body's SHA-256 (other algorithms ignored)."""
    expected = body_digest(body).split("=", 1)[1]
    for item in header.split(","):
        algorithm, _, value = item.strip().partition("=")
        if algorithm.lower() == "sha-256" and value == expected:
            return True
    return False
