"""The shared inbox: the checks that need no further state, a durable store, 202.

In the request, cheap first, nothing stored from a refused message: size (413) → JSON
activity (400) → ``authenticate``: proof shape, key owner, id origin, replay window, the
actor's key (cache, one re-fetch on an unknown key) and the proof and/or HTTP signature,
all in ``authentication.authenticate`` (401) → ``admit``: blocked sender, peered sender for
domain activities (403; 409 while the sender's Accept of our peering request waits to be
applied), a type nobody handles (202, ignored) → ``store``: one insert, deduplicated by the
unique id (a redelivery is 202 and stored once) → 202. ``federation.inbox_worker`` applies
what was stored.
"""

import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from . import followers, peers, relay
from .actors import ACTOR_TYPES, cached_actor, remember_actor
from .authentication import SignedRequest, authenticate
from .errors import ActivityRejected, FederationError
from .models import InboxActivity, Peer
from .registry import accepts_strangers, handler_for

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
PEERING_ANSWERS = {"Accept", "Reject", "Undo"}
# To a garden we asked to peer with, whose Accept has not been applied yet: "not now", which
# its outbox retries (409 is not one of the answers it gives up on), never 403.
ACCEPT_NOT_YET_APPLIED = 409


@dataclass
class Outcome:
    status: int
    detail: str


def _actor_of(activity: dict) -> str | None:
    actor = activity.get("actor")
    if isinstance(actor, dict):
        actor = actor.get("id")
    return actor if isinstance(actor, str) else None


def check_shape(activity) -> str:
    """An activity is a JSON object with a type, an id and an actor URL; returns the actor."""
    if not isinstance(activity, dict):
        raise FederationError("The body is not a JSON object.", 400)
    actor = _actor_of(activity)
    if not isinstance(activity.get("type"), str) or not isinstance(activity.get("id"), str):
        raise FederationError("An activity needs a type and an id.", 400)
    if not actor or not actor.startswith(("https://", "http://")):
        raise FederationError("An activity needs an actor URL.", 400)
    if len(activity["id"]) > 500 or len(actor) > 500:
        raise FederationError("The activity's id or actor is too long.", 400)
    return actor


@dataclass(frozen=True)
class KnownSender:
    peer: Peer | None
    document: dict | None
    until: float


_known: dict[str, KnownSender] = {}


def known_sender(actor: str) -> KnownSender:
    """The sender's Peer row and cached actor document. Those of an accepted peer are kept in
    this process for ``FEDERATION_SENDER_CACHE_SECONDS`` (two queries a request saved): a
    block or an ended peering reaches the request checks that much later, and the worker
    checks again when it applies, so nothing from a blocked sender is applied. Any other
    sender is read afresh every time: a peering the worker (another process) just accepted
    must not be answered 403, which the sender takes as final."""
    now = time.monotonic()
    entry = _known.get(actor)
    if entry is None or entry.until <= now:
        ttl = float(getattr(settings, "FEDERATION_SENDER_CACHE_SECONDS", 5))
        peer = Peer.objects.filter(actor_url=actor).first()
        entry = KnownSender(peer, cached_actor(actor), now + ttl)
        if ttl > 0 and peer is not None and peer.state == Peer.State.ACCEPTED:
            if len(_known) > 10_000:
                _known.clear()
            _known[actor] = entry
    return entry


def forget_sender(actor: str) -> None:
    _known.pop(actor, None)


def _inner_type(activity: dict) -> str | None:
    obj = activity.get("object")
    return obj.get("type") if isinstance(obj, dict) else None


def _refers_to_follow(activity: dict, peer: Peer | None) -> bool:
    obj = activity.get("object")
    reference = obj.get("id") if isinstance(obj, dict) else obj
    return (
        peer is not None
        and bool(peer.follow_id)
        and (reference == peer.follow_id or _inner_type(activity) == "Follow")
    )


def _actor_fields(activity: dict) -> dict:
    """An actor's Update of itself may change how it is shown, never its id or inbox origin."""
    obj = activity["object"]
    return {
        key: obj[key] for key in ("name", "summary", "location", "preferredUsername") if key in obj
    }


def route(activity: dict, actor: str, peer: Peer | None) -> str:
    """Who applies it: ``follow``, ``answer`` (to a Follow), ``actor`` (an actor's Update of
    itself), ``unfollow`` (a follower's Undo{Follow}), ``introduction`` (a peer recommends a
    garden), ``announce`` (a peer passes on another garden's activity), ``handler`` (a domain
    app's, for gardens), ``public`` (a domain app's, for anyone not blocked) or ``""``
    (nobody here: ignored)."""
    kind = activity["type"]
    if kind == "Follow":
        return "follow"
    if kind in PEERING_ANSWERS and _refers_to_follow(activity, peer):
        return "answer"
    if kind == "Undo" and followers.names_a_follow(activity, actor):
        return "unfollow"
    obj = activity.get("object")
    if kind == "Update" and isinstance(obj, dict) and obj.get("id") == actor:
        return "actor" if peer is not None else ""
    if kind == "Offer" and _inner_type(activity) in ACTOR_TYPES:
        return "introduction"
    if kind == "Announce":
        return "announce"
    handler = handler_for(activity)
    # A garden we peer with, or whose answer to our request is on its way (409 until then).
    peering = peer is not None and peer.state in (Peer.State.ACCEPTED, Peer.State.REQUESTED)
    if handler is not None and peering:
        return "handler"
    # People on Mastodon replying to a public post: anyone not blocked may send these.
    if handler_for(activity, from_anyone=True) is not None:
        return "public"
    return "handler" if handler is not None else ""


# The routes whose activities only a garden may send that we peer with (or, for the kinds a
# domain app takes from anyone, a garden in reach): checked in the request and again when
# applied.
DOMAIN_ROUTES = {"introduction", "announce", "handler"}


def domain_sender(activity: dict, peer: Peer | None, document: dict | None) -> Peer:
    """Who may send a domain activity: an accepted peer; for the kinds a domain app takes from
    anyone, also a garden we do not peer with (an unsaved Peer when we never met). A garden
    whose Accept of our request is not applied yet is told to send again (409)."""
    if peer is not None and peer.state == Peer.State.REQUESTED:
        raise ActivityRejected(
            "We asked to peer with you and have not applied your answer yet; "
            "send this again after your Accept.",
            status=ACCEPT_NOT_YET_APPLIED,
        )
    if peer is not None and peer.state == Peer.State.ACCEPTED:
        return peer
    if activity["type"] != "Announce" and accepts_strangers(activity) and document:
        return peer or peers.update_from_document(
            Peer(actor_url=document["id"], state=Peer.State.REJECTED), document
        )
    raise ActivityRejected("Only peered gardens may send this.", status=403)


def object_id_of(activity: dict) -> str:
    """The id of the object an activity brings, changes or removes ('' if it names none)."""
    obj = activity.get("object")
    reference = obj.get("id") if isinstance(obj, dict) else obj
    return reference if isinstance(reference, str) and len(reference) <= 500 else ""


def parse(body: bytes) -> tuple[dict, str]:
    """The body as an activity and its actor URL (400 if it is not one)."""
    try:
        activity = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FederationError("The body is not JSON.", 400) from exc
    return activity, check_shape(activity)


def admit(activity: dict, actor: str, peer: Peer | None, document: dict) -> bool:
    """Whether we take it from this sender: 403 if blocked or, for a domain activity, not
    allowed to send it (409 while its Accept waits); False for a type nobody here handles
    (answered 202 and dropped)."""
    if peer is not None and peer.state == Peer.State.BLOCKED:
        raise FederationError("This garden does not accept your messages.", 403)
    # A blocked follower or server (two queries): an accepted peer is spared them, as a
    # garden we peer with is blocked as a peer.
    if (peer is None or peer.state != Peer.State.ACCEPTED) and followers.is_blocked(actor):
        raise FederationError("This garden does not accept your messages.", 403)
    target = route(activity, actor, peer)
    if target == "follow" and not followers.is_garden(document):
        if not followers.follows_us(activity):
            raise FederationError("Only this garden's actor can be followed here.", 422)
    if target in DOMAIN_ROUTES:
        domain_sender(activity, peer, document)
    if target == "announce":
        relay.check_embedded(activity)  # the origin's key is checked by the worker
    return bool(target)


def store(activity: dict, actor: str, fresh_document: dict | None) -> Outcome:
    """Keep the verified activity for the worker, once: the unique id settles a redelivery
    (also one that races this one). A single INSERT unless the actor document is new."""
    row = InboxActivity(
        activity_id=activity["id"],
        activity_type=activity["type"][:40],
        actor_url=actor,
        object_id=object_id_of(activity),
        activity=activity,
        next_attempt_at=timezone.now(),
    )
    try:
        if fresh_document is not None:
            with transaction.atomic():
                remember_actor(fresh_document)
                with transaction.atomic():
                    row.save(force_insert=True)
        elif transaction.get_connection().in_atomic_block:
            with transaction.atomic():  # a savepoint, so a duplicate leaves the caller's intact
                row.save(force_insert=True)
        else:
            row.save(force_insert=True)  # autocommit: the INSERT alone, no BEGIN/COMMIT
    except IntegrityError:
        return Outcome(202, "Already received.")
    finally:
        if fresh_document is not None:
            forget_sender(actor)
    return Outcome(202, "Accepted.")


def receive(body: bytes, request: SignedRequest | None = None) -> Outcome:
    """Check and store one POSTed body (with the request's signature headers); never raises
    but for the database being away."""
    try:
        activity, actor = parse(body)
        known = known_sender(actor)
        sender = authenticate(activity, actor, body, request, known.document)
        peer = known.peer
        if not admit(activity, actor, peer, sender.document):
            return Outcome(202, "Activity type not handled here; ignored.")
        outcome = store(activity, actor, sender.document if sender.fresh else None)
    except FederationError as exc:
        return Outcome(exc.status, exc.message)
    except (OperationalError, InterfaceError):
        # The database is unreachable: the site answers 503 and the sender tries again
        # later. A 400 would tell it to give up, and the activity would be lost.
        raise
    except Exception:  # a bug must not become a 500 nor half-stored data
        log.exception("inbox could not process an activity")
        return Outcome(400, "The activity could not be processed.")
    if getattr(settings, "FEDERATION_INBOX_APPLY_AT_ONCE", False):
        # Without Redis the live updates must come from this process (settings.py); what is
        # stored is applied by the worker if this fails.
        from .inbox_worker import apply_all_due

        try:
            apply_all_due()
        except Exception:
            log.exception("the inbox could not apply at once; the worker will")
    return outcome
