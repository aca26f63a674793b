"""Activities that travel one hop further: a peer forwards what a garden sent it (``Announce``
with the origin's signed activity embedded, its proof intact) to its own peers near the origin.

The receiver trusts the embedded activity only after verifying the origin's proof with the
origin's key, fetched from the origin itself (never from the relay). The relay is trusted for
nothing but having passed it on: a changed embedded activity does not verify and is refused.
Each activity is applied once (its id is remembered like a direct delivery's), so two relays,
or a relay and the origin itself, do not apply it twice; and a relayed activity is never
forwarded again (the hop limit is one).
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from .actors import actor_id, cached_actor, fetch_actor, origin, remember_actor, verification_keys
from .crypto import InvalidProof, proof_of, verify
from .errors import ActivityRejected, FetchError
from .models import InboxActivity, Peer
from .outbox import publish
from .peers import accepted_peers, distance_km, update_from_document
from .registry import handler_for, is_relayable

log = logging.getLogger(__name__)


def forward(activity: dict, origin_peer: Peer, radius_km: float) -> int:
    """Pass ``activity`` (as received from ``origin_peer``, proof and all) on to our accepted
    peers within ``radius_km`` of the origin's own location, except the origin; returns how many.

    Call from a handler of a direct delivery (never of a relayed one), in its transaction."""
    if origin_peer.latitude is None or origin_peer.longitude is None:
        return 0
    recipients = [
        peer
        for peer in accepted_peers().exclude(pk=origin_peer.pk)
        if peer.latitude is not None
        and peer.longitude is not None
        and distance_km(origin_peer.latitude, origin_peer.longitude, peer.latitude, peer.longitude)
        <= radius_km
    ]
    if recipients:
        publish({"type": "Announce", "object": activity}, to=recipients, public=False)
    return len(recipients)


def _origin_document(actor: str, method: str) -> dict:
    """The origin's actor document from the origin (cached from an earlier fetch, or now)."""
    document = cached_actor(actor)
    if document is None or method not in verification_keys(document):
        try:
            document = fetch_actor(actor)
        except FetchError as exc:
            raise ActivityRejected(
                f"The origin's key could not be fetched: {exc.message}", status=401
            ) from exc
        remember_actor(document)
    return document


def check_embedded(announce: dict) -> tuple[dict, str, dict]:
    """What can be checked of a relayed activity without any key (in the inbox's request):
    it embeds a whole activity of a kind that travels, with a proof of its own actor on its
    own origin. Returns (activity, its actor, its proof); ActivityRejected if not."""
    inner = announce.get("object")
    if not isinstance(inner, dict):
        raise ActivityRejected("An Announce must embed the activity it passes on.", status=400)
    actor = inner.get("actor")
    if not isinstance(inner.get("id"), str) or not isinstance(actor, str) or len(actor) > 500:
        raise ActivityRejected("The embedded activity needs an id and an actor.", status=400)
    if not is_relayable(inner) or handler_for(inner) is None:
        raise ActivityRejected("This kind of activity is not passed on.", status=422)
    try:
        proof = proof_of(inner)
    except InvalidProof as exc:
        raise ActivityRejected(f"The embedded activity: {exc}", status=422) from exc
    method = proof["verificationMethod"]
    if method.split("#")[0] != actor or origin(inner["id"]) != origin(actor):
        raise ActivityRejected("The embedded activity's proof is not its actor's.", status=422)
    return inner, actor, proof


def received_announce(announce: dict, relay: Peer) -> str:
    """Apply the activity a peer relayed to us (in the inbox worker's transaction): verified
    with the origin's key, fetched from the origin; returns what happened."""
    inner, actor, proof = check_embedded(announce)
    if actor == actor_id():
        return "Our own activity; ignored."
    method = proof["verificationMethod"]
    known = Peer.objects.filter(actor_url=actor).first()
    if known is not None and known.state == Peer.State.BLOCKED:
        return "The origin is blocked here; ignored."
    document = _origin_document(actor, method)
    key = verification_keys(document).get(method)
    try:
        if key is None:
            raise InvalidProof("The proof's key is not one of the origin's keys.")
        verify(inner, key)
    except InvalidProof as exc:
        log.warning(
            "refused an activity %s relayed by %s: it does not verify with its origin's key "
            "(changed on the way?): %s",
            inner["id"],
            relay.actor_url,
            exc,
        )
        raise ActivityRejected(
            "The embedded activity does not carry its origin's valid proof.", status=422
        ) from exc
    from .inbox import object_id_of  # the inbox imports this module

    try:
        with transaction.atomic():
            # Remembered as applied with the origin's own activities (it is applied below,
            # in this transaction): a direct copy is then a duplicate, the origin's later
            # Update finds its object, and the origin's queue does not wait for it.
            now = timezone.now()
            InboxActivity.objects.create(
                activity_id=inner["id"][:500],
                activity_type=str(inner.get("type"))[:40],
                actor_url=actor,
                object_id=object_id_of(inner),
                activity=inner,
                state=InboxActivity.State.APPLIED,
                handled=True,
                next_attempt_at=now,
                applied_at=now,
            )
    except IntegrityError:
        return "Already received."
    origin_peer = known or Peer(actor_url=actor, state=Peer.State.REJECTED)
    origin_peer = update_from_document(origin_peer, document)
    origin_peer.relayed_by = relay
    handler_for(inner)(inner, origin_peer)
    return "Accepted."
