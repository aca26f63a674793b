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
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from . import followers, peers, relay
from .actors import ACTOR_TYPES, cached_actor, remember_actor
from .authentication import SignedRequest, authenticate
from .errors import ActivityRejected, FederationError, WouldBlock
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


def cached_sender(actor: str) -> KnownSender | None:
    """The accepted peer's entry kept in this process, if it is still fresh (no query)."""
    entry = _known.get(actor)
    return entry if entry is not None and entry.until > time.monotonic() else None


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


def parse(body: bytes, parsed: object = None) -> tuple[dict, str]:
    """The body as an activity and its actor URL (400 if it is not one). ``parsed``: the
    body as the rate limiter parsed it already (``parsed_body``), if it did."""
    if parsed is None:
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise FederationError("The body is not JSON.", 400) from exc
    return parsed, check_shape(parsed)


_PARSED = "_federation_parsed_body"


def parsed_body(request) -> object:
    """The request's body as JSON, parsed once per request: the rate limiter reads the
    sender's host from it, the inbox the activity (``parse``). Raises ValueError."""
    if not hasattr(request, _PARSED):
        try:
            setattr(request, _PARSED, json.loads(request.body))
        except (ValueError, UnicodeDecodeError, RecursionError):
            setattr(request, _PARSED, None)
    parsed = getattr(request, _PARSED)
    if parsed is None:
        raise ValueError("The body is not JSON.")
    return parsed


def already_parsed(request) -> object:
    """What ``parsed_body`` found for this request (None if it was not asked)."""
    return getattr(request, _PARSED, None)


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


@dataclass(frozen=True)
class Verified:
    """An activity that passed every check, to be stored. ``fresh_document``: the sender's
    actor document if it was fetched just now (stored with the activity)."""

    activity: dict
    actor: str
    fresh_document: dict | None = None


IGNORED = Outcome(202, "Activity type not handled here; ignored.")


def check(
    body: bytes, request: SignedRequest | None = None, parsed: object = None, *, io: bool = True
) -> Verified | Outcome:
    """Every check of one POSTed body, nothing stored: a ``Verified`` activity, or the
    answer (refused, or ignored). ``io=False`` (in the event loop): only from what this
    process holds; raises ``WouldBlock`` where a query or a fetch would be needed (as does
    Django's ``SynchronousOnlyOperation`` for any query), nothing having been changed."""
    try:
        activity, actor = parse(body, parsed)
        known = known_sender(actor) if io else cached_sender(actor)
        if known is None:
            raise WouldBlock("the sender is not cached")
        sender = authenticate(activity, actor, body, request, known.document, fetch=io)
        if not admit(activity, actor, known.peer, sender.document):
            return IGNORED
    except FederationError as exc:
        return Outcome(exc.status, exc.message)
    return Verified(activity, actor, sender.document if sender.fresh else None)


ACCEPTED = Outcome(202, "Accepted.")
ALREADY_RECEIVED = Outcome(202, "Already received.")
# Rows per INSERT: bounds the statement (SQLite allows 32,766 parameters, 9 a row).
MAX_ROWS_PER_INSERT = 500
_COLUMNS = (
    "activity_id",
    "activity_type",
    "actor_url",
    "object_id",
    "activity",
    "state",
    "handled",
    "attempts",
    "last_error",
    "next_attempt_at",
    "received_at",
)


def _insert_new(rows: list[Verified]) -> set[str]:
    """Insert the rows in one statement, skipping ids stored already; returns the ids
    inserted now. Written by hand for this one hot table: the ORM has no multi-row insert
    that tells which rows a conflict skipped (``bulk_create(ignore_conflicts=True)``
    returns no ids), and its compile step cost more CPU than the INSERT itself.
    ``ON CONFLICT … DO NOTHING RETURNING`` works on PostgreSQL and SQLite ≥ 3.35."""
    fields = [InboxActivity._meta.get_field(name) for name in _COLUMNS]
    now = timezone.now()
    values: list = []
    for row in rows:
        activity = row.activity
        raw = (
            activity["id"],
            activity["type"][:40],
            row.actor,
            object_id_of(activity),
            activity,
            InboxActivity.State.RECEIVED,
            False,
            0,
            "",
            now,
            now,
        )
        pairs = zip(fields, raw, strict=True)
        values += [field.get_db_prep_save(value, connection) for field, value in pairs]
    quote = connection.ops.quote_name
    placeholders = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    sql = (
        f"INSERT INTO {quote(InboxActivity._meta.db_table)} "
        f"({', '.join(quote(column) for column in _COLUMNS)}) "
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({quote('activity_id')}) DO NOTHING RETURNING {quote('activity_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return {inserted for (inserted,) in cursor.fetchall()}


def store_all(rows: list[Verified]) -> list[Outcome]:
    """Keep verified activities for the worker, each id once, in one statement per
    ``MAX_ROWS_PER_INSERT``: "Accepted." for each stored now, "Already received." for a
    redelivery (also one that races it, or a second copy in ``rows``). All or nothing: a
    database error stores none of them and propagates. A row with a fresh actor document
    is stored with it in a transaction of its own."""
    outcomes: dict[int, Outcome] = {}
    first_of: dict[str, int] = {}
    plain: list[int] = []
    for index, row in enumerate(rows):
        if row.activity["id"] in first_of:
            outcomes[index] = ALREADY_RECEIVED
        else:
            first_of[row.activity["id"]] = index
            plain.append(index)
    fresh = [index for index in plain if rows[index].fresh_document is not None]
    plain = [index for index in plain if rows[index].fresh_document is None]
    # Several statements, or an actor remembered beside its activity, need a transaction;
    # one INSERT alone is atomic in autocommit (no BEGIN/COMMIT). Inside the caller's
    # transaction, a savepoint leaves it intact if this fails.
    atomic = (
        len(plain) > MAX_ROWS_PER_INSERT
        or bool(fresh)
        or transaction.get_connection().in_atomic_block
    )
    try:
        with transaction.atomic() if atomic else nullcontext():
            for index in fresh:
                remember_actor(rows[index].fresh_document)
            inserted: set[str] = set()
            for start in range(0, len(plain) + len(fresh), MAX_ROWS_PER_INSERT):
                chunk = [rows[i] for i in (fresh + plain)[start : start + MAX_ROWS_PER_INSERT]]
                inserted |= _insert_new(chunk)
    finally:
        for index in fresh:
            forget_sender(rows[index].actor)
    for activity_id, index in first_of.items():
        outcomes[index] = ACCEPTED if activity_id in inserted else ALREADY_RECEIVED
    return [outcomes[index] for index in range(len(rows))]


def receive(body: bytes, request: SignedRequest | None = None, parsed: object = None) -> Outcome:
    """Check and store one POSTed body (with the request's signature headers); never raises
    but for the database being away."""
    try:
        checked = check(body, request, parsed)
        if isinstance(checked, Outcome):
            return checked
        (outcome,) = store_all([checked])
    except (OperationalError, InterfaceError):
        # The database is unreachable: the site answers 503 and the sender tries again
        # later. A 400 would tell it to give up, and the activity would be lost.
        raise
    except Exception:  # a bug must not become a 500 nor half-stored data
        log.exception("inbox could not process an activity")
        return Outcome(400, "The activity could not be processed.")
    if getattr(settings, "FEDERATION_INBOX_APPLY_AT_ONCE", False):
        apply_at_once()
    return outcome


def apply_at_once() -> None:
    # Without Redis the live updates must come from this process (settings.py); what is
    # stored is applied by the worker if this fails.
    from .inbox_worker import apply_all_due

    try:
        apply_all_due()
    except Exception:
        log.exception("the inbox could not apply at once; the worker will")
