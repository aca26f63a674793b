"""Apply what the inbox stored: in batches, in arrival order per sender, each at most once.

A batch is one transaction. Its rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED``
on PostgreSQL, so several workers never take the same row; on SQLite the transaction takes
the database's write lock when it begins (``transaction_mode`` IMMEDIATE), so workers take
turns. Each activity is applied in a savepoint together with marking it applied: a crash
rolls both back and the row is applied by the next run — never twice, never lost.

- A handler's refusal (``ActivityRejected``) is final: the row is ``refused`` with its reason.
- Any other error is retried after 1, 2, 4, 8 s; after ``MAX_ATTEMPTS`` the row is ``parked``
  with the error and listed on the peers page. While a row waits for its retry, the same
  sender's later rows wait behind it (arrival order).
- The database itself failing rolls the batch back; the loop tries again.
- An ``Update`` or ``Delete`` of an object the sender owns waits (state ``waiting``) until
  the activity that brought the object was applied, at most ``FEDERATION_INBOX_ORDER_WAIT``
  seconds after it arrived; then it is applied and its handler decides.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Min
from django.utils import timezone

from . import discovery, followers, peers, relay
from .actors import cached_actor, origin
from .errors import ActivityRejected
from .inbox import DOMAIN_ROUTES, _actor_fields, domain_sender, route
from .models import InboxActivity, Peer
from .registry import handler_for

log = logging.getLogger(__name__)

BATCH_SIZE = 100
MAX_ATTEMPTS = 5
ORDER_DEPENDENT = {"Update", "Delete"}
PEERING = {"Follow", "Accept", "Reject", "Undo", "Update"}
PENDING = [InboxActivity.State.RECEIVED, InboxActivity.State.WAITING]


def retry_base() -> float:
    return float(getattr(settings, "FEDERATION_INBOX_RETRY_SECONDS", 1))


def order_wait() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "FEDERATION_INBOX_ORDER_WAIT", 60)))


class WaitForObject(Exception):
    """The object this activity changes has not arrived yet."""


def apply_all_due() -> int:
    """Apply batches until nothing is due; returns how many rows were applied or settled."""
    total = 0
    while done := apply_due():
        total += done
    return total


def apply_due() -> int:
    """Apply one batch of due activities in one transaction; returns how many were taken."""
    now = timezone.now()
    due = InboxActivity.objects.filter(state__in=PENDING, next_attempt_at__lte=now)
    if not due.exists():  # the usual answer of an idle poll: no transaction, no write lock
        return 0
    with transaction.atomic():
        batch = list(
            due.select_for_update(skip_locked=True).order_by("next_attempt_at", "id")[:BATCH_SIZE]
        )
        batch.sort(key=lambda row: row.pk)  # arrival order
        held = _senders_held_back(batch)
        peer_of: dict[str, Peer | None] = {}
        brought: set[tuple[str, str]] = set()  # (sender, object id) applied in this batch
        taken = 0
        for row in batch:
            if row.state == InboxActivity.State.RECEIVED and row.pk > held.get(
                row.actor_url, row.pk
            ):
                continue  # an earlier activity of this sender is not applied yet
            if row.actor_url not in peer_of:
                peer_of[row.actor_url] = Peer.objects.filter(actor_url=row.actor_url).first()
            _apply_one(row, peer_of[row.actor_url], now, brought)
            taken += 1
            if row.state == InboxActivity.State.RECEIVED:  # failed, will be retried
                held[row.actor_url] = min(held.get(row.actor_url, row.pk), row.pk)
            if row.activity_type in PEERING:  # it may have changed the sender's Peer row
                peer_of.pop(row.actor_url, None)
        # Marked applied in one statement, in the transaction that holds their effects.
        applied = [row.pk for row in batch if row.state == InboxActivity.State.APPLIED]
        if applied:  # applied_at: when the batch commits, as near as can be known before
            InboxActivity.objects.filter(pk__in=applied).update(
                state=InboxActivity.State.APPLIED,
                handled=True,
                applied_at=timezone.now(),
                last_error="",
            )
        if brought:  # their objects are here now: what waited for them may go
            InboxActivity.objects.filter(
                state=InboxActivity.State.WAITING, object_id__in={obj for _, obj in brought}
            ).update(next_attempt_at=now)
    return taken


def _senders_held_back(batch: list[InboxActivity]) -> dict[str, int]:
    """For each sender in the batch, the id of its earliest activity still received but not
    in this batch (held by another worker, or waiting for a retry): later ones wait."""
    if not batch:
        return {}
    ids = [row.pk for row in batch]
    earlier = (
        InboxActivity.objects.filter(
            state=InboxActivity.State.RECEIVED,
            actor_url__in={row.actor_url for row in batch},
            pk__lt=max(ids),
        )
        .exclude(pk__in=ids)
        .values("actor_url")
        .annotate(first=Min("pk"))
    )
    return {entry["actor_url"]: entry["first"] for entry in earlier}


def _apply_one(row: InboxActivity, peer: Peer | None, now, brought: set) -> None:
    """Apply one row in a savepoint (a failure undoes only its own changes); a success is
    written with the rest of the batch, the other outcomes at once."""
    try:
        with transaction.atomic():
            dispatch(row, peer, now, brought)
        row.state = InboxActivity.State.APPLIED
        if row.object_id and row.activity_type not in ORDER_DEPENDENT:
            brought.add((row.actor_url, row.object_id))
        return
    except WaitForObject:
        row.state = InboxActivity.State.WAITING
        row.next_attempt_at = now + timedelta(seconds=1)
        row.last_error = "waiting for the activity that brings its object"
    except ActivityRejected as exc:
        row.state, row.last_error = InboxActivity.State.REFUSED, f"{exc.status}: {exc.message}"
    except (OperationalError, InterfaceError):
        raise  # the database: the whole batch rolls back and is tried again
    except Exception as exc:
        log.exception("inbox worker could not apply %s", row.activity_id)
        row.attempts += 1
        row.last_error = f"{exc.__class__.__name__}: {exc}"
        if row.attempts >= MAX_ATTEMPTS:
            row.state = InboxActivity.State.PARKED
        else:
            row.next_attempt_at = now + timedelta(seconds=retry_base() * 2 ** (row.attempts - 1))
    row.last_error = row.last_error[:500]
    row.save(update_fields=["state", "attempts", "next_attempt_at", "last_error"])


def _waits_for_its_object(row: InboxActivity, now, brought: set) -> bool:
    if row.activity_type not in ORDER_DEPENDENT or not row.object_id:
        return False
    if (row.actor_url, row.object_id) in brought:
        return False
    if origin(row.object_id) != origin(row.actor_url):
        return False  # not the sender's object (one of ours, say): no Create will come
    if now >= row.received_at + order_wait():
        return False
    return not (
        InboxActivity.objects.filter(
            object_id=row.object_id, actor_url=row.actor_url, state=InboxActivity.State.APPLIED
        )
        .exclude(activity_type__in=ORDER_DEPENDENT)
        .exists()
    )


def dispatch(row: InboxActivity, peer: Peer | None, now, brought: set) -> None:
    """Apply one stored activity (inside the batch's transaction)."""
    activity, actor = row.activity, row.actor_url
    target = route(activity, actor, peer)
    if target == "follow":
        document = cached_actor(actor)
        if document is None:
            raise ActivityRejected("The sender's actor document is gone.", status=401)
        if followers.is_garden(document):
            peers.received_follow(activity, document)
        else:  # a person (or any other actor) follows our public posts; never a peer
            followers.received_follow(activity, document)
    elif target == "answer":
        peers.received_answer(activity, peer)
    elif target == "unfollow":
        followers.received_undo(activity, actor)
    elif target == "public":
        if (peer is not None and peer.state == Peer.State.BLOCKED) or followers.is_blocked(actor):
            raise ActivityRejected("This garden does not accept your messages.", status=403)
        peered = peer is not None and peer.state == Peer.State.ACCEPTED
        handler_for(activity, from_anyone=True)(activity, peer if peered else None)
    elif target == "actor":
        document = cached_actor(actor) or {}
        peers.update_from_document(peer, {**document, **_actor_fields(activity)}).save()
    elif target in DOMAIN_ROUTES:
        # Checked again: the sender may have been blocked or unpeered since the 202. An
        # accepted peer needs no actor document, so none is read for it (a query a row).
        peered = peer is not None and peer.state == Peer.State.ACCEPTED
        sender = domain_sender(activity, peer, None if peered else cached_actor(actor))
        if target == "introduction":
            discovery.received_introduction(activity, sender)
        elif target == "announce":
            relay.received_announce(activity, sender)
        else:
            if _waits_for_its_object(row, now, brought):
                raise WaitForObject
            handler_for(activity)(activity, sender)
    else:
        raise ActivityRejected("Nothing here handles this activity any more.", status=422)
