"""Who sent an inbox POST: checked by the activity's proof, its HTTP signature, or both.

Gardens prove an activity with an ``eddsa-jcs-2022`` Data Integrity proof in the body;
Mastodon and most of the fediverse sign the request instead (draft-cavage HTTP Signatures,
federation/httpsig.py); Fedify does both. ``authenticate`` accepts either, and when a request
carries both, both must hold. Either way the key must be one the activity's actor publishes
(its actor document, cached; fetched again once for a key we do not know), the activity's id
must be on the actor's origin, and the credential must be fresh (the proof's ``created`` or
the request's ``Date`` inside the replay window). Everything refused is a ProofError (401).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings

from . import httpsig
from .actors import (
    cached_actor,
    fetch_actor,
    origin,
    rsa_public_keys,
    verification_keys,
)
from .crypto import InvalidProof, parse_created, proof_of, verify
from .errors import FetchError, ProofError, WouldBlock

FUTURE_SKEW = timedelta(minutes=5)


def replay_window() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "FEDERATION_REPLAY_WINDOW_SECONDS", 3600)))


@dataclass(frozen=True)
class SignedRequest:
    """What of an HTTP request its signature covers. Plain data (headers a dict of str), so
    it can be stored with the body and checked later."""

    method: str
    target: str  # path and query, as sent
    headers: Mapping[str, str]

    @classmethod
    def of(cls, request) -> "SignedRequest":
        # From META as Django's HttpHeaders reads it, without building that mapping first
        # (a tenth of the inbox's own CPU per request).
        meta = request.META
        headers = {
            name[5:].replace("_", "-").title(): value
            for name, value in meta.items()
            if name.startswith("HTTP_")
        }
        for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if name in meta:
                headers[name.replace("_", "-").title()] = meta[name]
        return cls(request.method, request.get_full_path(), headers)

    def header(self, name: str) -> str | None:
        """A header's value, whatever the case of its name."""
        name = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == name), None)


@dataclass(frozen=True)
class Sender:
    """An authenticated actor: its document, whether we fetched it just now, and how."""

    document: dict
    fresh: bool
    by: tuple[str, ...]


def authenticate(
    activity: dict,
    actor: str,
    body: bytes,
    request: SignedRequest | None = None,
    cached: dict | None = None,
    *,
    fetch: bool = True,
) -> Sender:
    """Check that ``actor`` sent ``activity`` (POSTed as ``body``); raises ProofError.
    ``cached``: the actor's document if the caller has it already (saves a query);
    ``fetch=False``: raise ``WouldBlock`` instead of reading or fetching the document."""
    signature = request.header("Signature") if request is not None else None
    has_proof = activity.get("proof") is not None
    if not signature and not has_proof:
        raise ProofError("The activity carries neither a proof nor an HTTP signature.")
    if origin(activity["id"]) != origin(actor):
        raise ProofError("The activity's id and its actor are on different servers.")
    # Everything that needs no key first.
    proof = check_proof_claims(activity, actor) if has_proof else None
    parameters = check_signature_claims(request, body, actor) if signature else None
    wanted = [
        *([proof["verificationMethod"]] if proof else []),
        *([parameters["keyId"]] if parameters else []),
    ]
    document, fresh = actor_document_with(actor, wanted, cached, fetch=fetch)
    if proof is not None:
        key = verification_keys(document).get(proof["verificationMethod"])
        if key is None:
            raise ProofError("The proof's key is not one of the actor's keys.")
        try:
            verify(activity, key)
        except InvalidProof as exc:
            raise ProofError(str(exc)) from exc
    if parameters is not None:
        key = rsa_public_keys(document).get(parameters["keyId"])
        if key is None:
            raise ProofError("The HTTP signature's key is not one of the actor's keys.")
        try:
            httpsig.verify_signature(
                request.method, request.target, request.headers, parameters, key
            )
        except httpsig.SignatureError as exc:
            raise ProofError(str(exc)) from exc
    by = ("proof",) * (proof is not None) + ("http-signature",) * (parameters is not None)
    return Sender(document, fresh, by)


def _check_fresh(moment: datetime, what: str) -> None:
    now = datetime.now(UTC)
    if moment < now - replay_window():
        raise ProofError(f"The {what} is too old (replay window passed).")
    if moment > now + FUTURE_SKEW:
        raise ProofError(f"The {what} is in the future.")


def check_proof_claims(activity: dict, actor: str) -> dict:
    """What can be checked of a proof before any key is fetched."""
    try:
        proof = proof_of(activity)
        created = parse_created(proof.get("created"))
    except InvalidProof as exc:
        raise ProofError(str(exc)) from exc
    if proof["verificationMethod"].split("#")[0] != actor:
        raise ProofError("The proof's key does not belong to the activity's actor.")
    _check_fresh(created, "proof")
    return proof


def check_signature_claims(request: SignedRequest, body: bytes, actor: str) -> dict:
    """What can be checked of an HTTP signature before any key is fetched: what it covers,
    the Digest against the body, the Date, and that its key is on the actor's origin."""
    try:
        parameters = httpsig.parse_signature(request.header("Signature") or "")
        covered = httpsig.signed_headers(parameters)
        for required in httpsig.POST_HEADERS:
            if required not in covered:
                raise ProofError(f"The HTTP signature must cover {required}.")
        if not httpsig.digest_matches(request.header("Digest") or "", body):
            raise ProofError("The Digest header does not match the body.")
        _check_fresh(httpsig.parse_http_date(request.header("Date") or ""), "Date header")
    except httpsig.SignatureError as exc:
        raise ProofError(str(exc)) from exc
    key_id = parameters["keyId"]
    if not key_id.startswith(("https://", "http://")) or origin(key_id) != origin(actor):
        raise ProofError("The HTTP signature's key is not on the actor's server.")
    return parameters


def actor_document_with(
    actor: str, key_ids: list[str], cached: dict | None = None, *, fetch: bool = True
) -> tuple[dict, bool]:
    """The actor's document, from the cache if it lists every key wanted, else fetched once
    (the actor may have rotated its keys). Returns (document, whether fetched now)."""
    if cached is None and not fetch:
        raise WouldBlock("the actor's document is not at hand")
    document = cached if cached is not None else cached_actor(actor)
    if document is not None:
        known = {**verification_keys(document), **rsa_public_keys(document)}
        if all(key_id in known for key_id in key_ids):
            return document, False
    if not fetch:
        raise WouldBlock("the actor's key is not cached")
    try:
        return fetch_actor(actor), True
    except FetchError as exc:
        raise ProofError(f"The actor's key could not be fetched: {exc.message}") from exc
