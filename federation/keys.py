"""This node's key pairs, kept as files in ``settings.FEDERATION_KEY_DIR``.

Each entry is an Ed25519 key (Data Integrity proofs) and an RSA-2048 key (HTTP Signatures,
which Mastodon and most of the fediverse require), made and rotated together.

Keys never enter the database (so never a dump) nor a page. ``keys.json`` (mode 0600, in a
0700 directory) lists every key with its creation time; a rotated-out key carries
``expires`` and keeps verifying until then, so peers that cached it are not cut off.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from nacl.signing import SigningKey

from .crypto import public_key_multibase

_lock = threading.Lock()


@dataclass(frozen=True)
class NodeKey:
    signing_key: SigningKey
    created: datetime
    expires: datetime | None = None
    rsa_key: rsa.RSAPrivateKey | None = None

    @property
    def multibase(self) -> str:
        return public_key_multibase(self.signing_key.verify_key)

    @property
    def is_current(self) -> bool:
        return self.expires is None

    def is_valid(self, at: datetime | None = None) -> bool:
        return self.expires is None or self.expires > (at or datetime.now(UTC))

    @property
    def rsa_public_pem(self) -> str:
        return public_pem(self.rsa_key.public_key())

    @property
    def rsa_fingerprint(self) -> str:
        """A short, stable name for the RSA key (its key id's fragment)."""
        der = self.rsa_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return hashlib.sha256(der).hexdigest()[:16]


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def key_dir() -> Path:
    return Path(settings.FEDERATION_KEY_DIR)


def _key_file() -> Path:
    return key_dir() / "keys.json"


def _write(keys: list[NodeKey]) -> None:
    directory = key_dir()
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    payload = {
        "keys": [
            {
                "seed": bytes(key.signing_key).hex(),
                "created": key.created.isoformat(),
                "expires": key.expires.isoformat() if key.expires else None,
                "rsa": _private_pem(key.rsa_key) if key.rsa_key else None,
            }
            for key in keys
        ]
    }
    temporary = directory / "keys.json.new"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(payload, handle)
    os.chmod(temporary, 0o600)
    os.replace(temporary, _key_file())


def _read() -> list[NodeKey]:
    try:
        payload = json.loads(_key_file().read_text())
    except FileNotFoundError:
        return []
    return [
        NodeKey(
            SigningKey(bytes.fromhex(item["seed"])),
            datetime.fromisoformat(item["created"]),
            datetime.fromisoformat(item["expires"]) if item.get("expires") else None,
            (
                # Our own file: the (slow) check against crafted keys is not needed.
                serialization.load_pem_private_key(
                    item["rsa"].encode(), password=None, unsafe_skip_rsa_key_validation=True
                )
                if item.get("rsa")
                else None
            ),
        )
        for item in payload["keys"]
    ]


@contextlib.contextmanager
def _exclusive():
    """One writer at a time, across threads and the node's processes (web and worker)."""
    directory = key_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _lock, open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_key() -> NodeKey:
    """The current key, made on first need (and its RSA half, for keys made before it)."""
    with _exclusive():
        keys = _read()
        current = [key for key in keys if key.is_current]
        if current and current[-1].rsa_key is not None:
            return current[-1]
        if current:
            key = NodeKey(current[-1].signing_key, current[-1].created, None, new_rsa_key())
            keys = [item for item in keys if item is not current[-1]]
        else:
            key = NodeKey(SigningKey.generate(), datetime.now(UTC), None, new_rsa_key())
        _write([*keys, key])
        return key


def current_key() -> NodeKey:
    return ensure_key()


def valid_keys() -> list[NodeKey]:
    """Every key that still verifies: the current one and those within their grace period."""
    ensure_key()
    return [key for key in _read() if key.is_valid()]


def rotate(grace: timedelta) -> tuple[NodeKey, NodeKey]:
    """Make a new current key; the old one keeps verifying for ``grace``. Returns (old, new)."""
    old = ensure_key()
    with _exclusive():
        now = datetime.now(UTC)
        kept = [key for key in _read() if key.is_valid(now) and not key.is_current]
        retired = NodeKey(old.signing_key, old.created, now + grace, old.rsa_key)
        new = NodeKey(SigningKey.generate(), now, None, new_rsa_key())
        _write([*kept, retired, new])
    return retired, new
