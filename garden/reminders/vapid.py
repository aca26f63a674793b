"""The node's VAPID key pair (RFC 8292): generated once into the data directory.

Push services accept messages only from the application server whose public key a browser
subscribed with, so the key must stay the same across restarts and processes.
"""

import base64
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from py_vapid import Vapid

KEY_FILE = "vapid_private.pem"


def key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


def _generate(path: Path) -> None:
    vapid = Vapid()
    vapid.generate_keys()
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    vapid.save_key(str(temporary))
    os.chmod(temporary, 0o600)
    try:
        os.link(temporary, path)  # fails if another process made the key first: theirs wins
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


@lru_cache(maxsize=4)
def _load(path: Path) -> Vapid:
    if not path.exists():
        _generate(path)
    return Vapid.from_file(str(path))


def key() -> Vapid:
    return _load(key_path())


def public_key() -> str:
    """The application server key a browser subscribes with (base64url, uncompressed point)."""
    raw = key().public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subject() -> str:
    """Who runs this sender, for push services to contact (a mailto: or https: URL)."""
    if settings.ALLMENDE_URL.startswith("https://"):
        return settings.ALLMENDE_URL
    return f"mailto:{settings.DEFAULT_FROM_EMAIL}"
