"""Our own actor document, and remote actors: fetched, checked, cached, their keys read."""

from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.utils import timezone
from nacl.signing import VerifyKey

from . import keys
from .contexts import ACTIVITY_CONTEXT, ACTOR_CONTEXT, AS_CONTEXT  # noqa: F401 (re-exported)
from .crypto import verify_key_from_multibase
from .errors import FetchError
from .http import fetch_json
from .models import RemoteActor
from .registry import local_actor

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ACTOR_TYPES = {"Organization", "Group", "Application", "Service", "Person"}


def actor_id() -> str:
    return f"{settings.ALLMENDE_URL}/actor"


def inbox_url() -> str:
    return f"{settings.ALLMENDE_URL}/inbox"


def outbox_url() -> str:
    return f"{settings.ALLMENDE_URL}/outbox"


def followers_url() -> str:
    return f"{settings.ALLMENDE_URL}/followers"


def key_id(key: keys.NodeKey) -> str:
    return f"{actor_id()}#{key.multibase}"


def rsa_key_id(key: keys.NodeKey) -> str:
    return f"{actor_id()}#rsa-{key.rsa_fingerprint}"


def handle() -> str:
    return f"{local_actor().preferred_username}@{settings.ALLMENDE_HOST}"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _xsd(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def local_actor_document() -> dict:
    """The garden as an ActivityStreams Organization with its keys: Ed25519 Multikeys in
    ``assertionMethod`` (FEP-521a) and RSA keys in ``publicKey`` (HTTP Signatures)."""
    me = local_actor()
    methods = []
    current = keys.current_key()
    valid = keys.valid_keys()
    for key in valid:
        method = {
            "id": key_id(key),
            "type": "Multikey",
            "controller": actor_id(),
            "publicKeyMultibase": key.multibase,
        }
        if key.expires:
            method["expires"] = _xsd(key.expires)
        methods.append(method)
    # The current RSA key first: Mastodon reads only the first publicKey.
    older = [key for key in valid if key.rsa_key and key.multibase != current.multibase]
    public_keys = [
        {"id": rsa_key_id(key), "owner": actor_id(), "publicKeyPem": key.rsa_public_pem}
        for key in [current, *older]
    ]
    document = {
        "@context": ACTOR_CONTEXT,
        "id": actor_id(),
        "type": "Organization",
        "preferredUsername": me.preferred_username,
        "name": me.name,
        "summary": me.summary,
        "url": settings.ALLMENDE_URL + "/",
        "inbox": inbox_url(),
        "outbox": outbox_url(),
        "followers": followers_url(),
        "publicKey": public_keys[0] if len(public_keys) == 1 else public_keys,
        "assertionMethod": methods,
    }
    document.update(_discovery_fields())
    if me.latitude is not None and me.longitude is not None:
        document["location"] = {
            "type": "Place",
            "name": me.name,
            "latitude": me.latitude,
            "longitude": me.longitude,
        }
    return document


def _discovery_fields() -> dict:
    """Whether our peers may list us, and where our own list of peers is (if published)."""
    from .models import FederationSettings

    policy = FederationSettings.current()
    fields = {"discoverable": policy.listable}
    if policy.publish_peers:
        fields["neighbours"] = f"{settings.ALLMENDE_URL}/neighbours"
    return fields


def check_actor_document(document: dict, expected_id: str | None = None) -> dict:
    """Refuse documents that are not an actor at the address they claim."""
    actor = document.get("id")
    if not isinstance(actor, str) or (expected_id and actor != expected_id):
        raise FetchError("The actor document does not carry the expected id.")
    if document.get("type") not in ACTOR_TYPES:
        raise FetchError("The document is not an actor.")
    inbox = document.get("inbox")
    if not isinstance(inbox, str) or origin(inbox) != origin(actor):
        raise FetchError("The actor has no inbox on its own server.")
    return document


def fetch_actor(url: str) -> dict:
    return check_actor_document(fetch_json(url), expected_id=url)


def cached_actor(url: str) -> dict | None:
    row = RemoteActor.objects.filter(actor_url=url).first()
    return row.document if row else None


def remember_actor(document: dict) -> None:
    RemoteActor.objects.update_or_create(
        actor_url=document["id"], defaults={"document": document, "fetched_at": timezone.now()}
    )


def verification_keys(document: dict) -> dict[str, VerifyKey]:
    """The actor's Ed25519 Multikeys in assertionMethod that it controls and that are valid."""
    actor = document.get("id")
    methods = document.get("assertionMethod") or []
    if isinstance(methods, dict):
        methods = [methods]
    found = {}
    now = datetime.now(UTC)
    for method in methods if isinstance(methods, list) else []:
        if not isinstance(method, dict) or method.get("type") != "Multikey":
            continue
        method_id = method.get("id")
        if method.get("controller") != actor or not isinstance(method_id, str):
            continue
        if method_id.split("#")[0] != actor:
            continue
        expires = method.get("expires")
        if isinstance(expires, str):
            try:
                if datetime.fromisoformat(expires.replace("Z", "+00:00")) <= now:
                    continue
            except ValueError:
                continue
        try:
            found[method_id] = verify_key_from_multibase(method.get("publicKeyMultibase"))
        except (ValueError, TypeError):
            continue
    return found


def rsa_public_keys(document: dict) -> dict[str, rsa.RSAPublicKey]:
    """The actor's RSA keys in ``publicKey`` (HTTP Signatures): owned by the actor, with an
    id on the actor's origin (``…/actor#main-key`` or GoToSocial's ``…/main-key``)."""
    actor = document.get("id")
    entries = document.get("publicKey") or []
    found = {}
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict) or entry.get("owner") != actor:
            continue
        entry_id, pem = entry.get("id"), entry.get("publicKeyPem")
        if not isinstance(entry_id, str) or not isinstance(pem, str) or len(pem) > 10_000:
            continue
        if origin(entry_id) != origin(actor):
            continue
        key = _rsa_key(pem)
        if key is not None:
            found[entry_id] = key
    return found


@lru_cache(maxsize=1024)  # loaded once per process, not for every signed request
def _rsa_key(pem: str) -> rsa.RSAPublicKey | None:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    return key if isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048 else None


def location_of(document: dict) -> tuple[float | None, float | None]:
    place = document.get("location")
    if isinstance(place, list) and place:
        place = place[0]
    if not isinstance(place, dict):
        return None, None
    try:
        latitude, longitude = float(place["latitude"]), float(place["longitude"])
    except (KeyError, TypeError, ValueError):
        return None, None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    return latitude, longitude


def plain_text(value, limit: int) -> str:
    """Remote strings are stored as plain text, trimmed to the field's size."""
    return value[:limit] if isinstance(value, str) else ""
