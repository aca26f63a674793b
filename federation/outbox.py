"""The transactional outbox: ``publish`` stores an activity and one delivery per inbox in the
caller's transaction; the ``deliver_due`` task (queue ``federation``) signs and sends them.

A delivery moves queued → sending → delivered, or back to queued with a doubling delay, and
after ``FEDERATION_RETRY_GIVE_UP_SECONDS`` (3 days) to failed. One garden's messages reach
another in the order they were published: a delivery is not sent while an earlier one to the
same inbox is still on its way (queued or sending), and one inbox's deliveries in a batch go
one after the other; so a peer never sees our offers before the Accept that made us peers.
Claims use ``select_for_update(skip_locked=True)``, so several workers never send one delivery
twice; a claim left behind by a crashed worker is re-queued after a while, and the receiving
inbox drops the repeat by activity id.
"""

import json
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import keys
from .actors import ACTIVITY_CONTEXT, PUBLIC, actor_id, followers_url, key_id
from .crypto import now_xsd, sign
from .errors import FetchError
from .http import client, post_activity
from .models import Delivery, FederationSettings, OutboxActivity, Peer, new_activity_id

try:
    from django.tasks import default_task_backend, task  # Django 6
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import default_task_backend, task

log = logging.getLogger(__name__)

BATCH_SIZE = 50
CONCURRENCY = 8
STALE_CLAIM = timedelta(minutes=5)
# Answers that will not change by trying again.
PERMANENT_FAILURES = {400, 403, 404, 405, 410, 413, 422}


def retry_base() -> float:
    return float(getattr(settings, "FEDERATION_RETRY_BASE_SECONDS", 60))


def give_up_after() -> timedelta:
    return timedelta(
        seconds=float(getattr(settings, "FEDERATION_RETRY_GIVE_UP_SECONDS", 3 * 86400))
    )


def local_object_id(kind: str, pk) -> str:
    """A stable URL for one of our objects, e.g. ``<ALLMENDE_URL>/objects/offers/7``."""
    return f"{settings.ALLMENDE_URL}/objects/{kind}/{pk}"


def publish(
    activity: dict,
    to: Iterable[Peer] | None = None,
    *,
    public: bool | None = None,
    inboxes: Iterable[str] = (),
) -> OutboxActivity:
    """Store ``activity`` and queue it for ``to`` (None: every accepted peer) and for the
    further ``inboxes`` (followers' servers; no peer row behind them).

    Call inside the transaction of the change that causes it. Activities to all peers are
    public (listed in our outbox) unless ``public=False``. ``to`` may hold unsaved ``Peer``s:
    gardens we do not peer with but answer (see ``peers.reachable``).
    """
    recipients = list(to) if to is not None else list(Peer.objects.filter(state="accepted"))
    recipients = [peer for peer in recipients if peer.state != Peer.State.BLOCKED]
    is_public = (to is None) if public is None else public
    activity = {"@context": ACTIVITY_CONTEXT, **activity}
    activity.setdefault("id", new_activity_id())
    activity["actor"] = actor_id()
    activity.setdefault("published", now_xsd())
    if "to" not in activity:
        if is_public:
            activity["to"] = [PUBLIC]
            activity["cc"] = [followers_url()]
        else:
            activity["to"] = [peer.actor_url for peer in recipients]
    with transaction.atomic():
        row = OutboxActivity.objects.create(
            activity_id=activity["id"],
            activity_type=str(activity.get("type", ""))[:40],
            activity=activity,
            public=is_public,
        )
        now = timezone.now()
        by_inbox = {}
        for peer in recipients:
            by_inbox.setdefault(peer.inbox_url, peer)
        for inbox in inboxes:
            by_inbox.setdefault(inbox, None)
        Delivery.objects.bulk_create(
            Delivery(
                activity=row,
                peer=peer if peer is not None and peer.pk else None,
                inbox_url=inbox,
                next_attempt_at=now,
            )
            for inbox, peer in by_inbox.items()
        )
        if by_inbox:
            transaction.on_commit(schedule_delivery)
    return row


def schedule_delivery(at=None) -> None:
    """Ask the worker to run ``deliver_due`` (now, or at ``at`` if the backend can defer)."""
    try:
        if at is not None and default_task_backend.supports_defer:
            deliver_due.using(run_after=at).enqueue()
        elif at is None:
            deliver_due.enqueue()
    except Exception:  # the rows are safe in the outbox; the next run picks them up
        log.warning("could not enqueue federation delivery", exc_info=True)


def _requeue_stale_claims(now) -> None:
    Delivery.objects.filter(state=Delivery.State.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        state=Delivery.State.QUEUED, claimed_at=None
    )


def _claim(now) -> list[Delivery]:
    """Claim due deliveries that no earlier, unfinished delivery to the same inbox holds up."""
    held_up = Delivery.objects.filter(
        inbox_url=OuterRef("inbox_url"), pk__lt=OuterRef("pk")
    ).filter(
        Q(state=Delivery.State.SENDING) | Q(state=Delivery.State.QUEUED, next_attempt_at__gt=now)
    )
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(state=Delivery.State.QUEUED, next_attempt_at__lte=now)
            .exclude(Exists(held_up))
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        Delivery.objects.filter(pk__in=ids, state=Delivery.State.QUEUED).update(
            state=Delivery.State.SENDING, claimed_at=now
        )
    return list(
        Delivery.objects.filter(pk__in=ids, state=Delivery.State.SENDING, claimed_at=now)
        .select_related("activity", "peer")
        .order_by("pk")
    )


def _send(http: httpx.Client, url: str, body: bytes, key: keys.NodeKey) -> tuple[int | None, str]:
    try:
        return post_activity(http, url, body, key), ""
    except FetchError as exc:
        return None, exc.message
    except httpx.HTTPError as exc:
        return None, f"{exc.__class__.__name__}: {exc}"[:300]


def _record(delivery: Delivery, status: int | None, error: str) -> None:
    now = timezone.now()
    peer = delivery.peer
    if status is not None and 200 <= status < 300:
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.DELIVERED,
            delivered_at=now,
            attempts=delivery.attempts + 1,
            last_error="",
        )
        if peer:
            Peer.objects.filter(pk=peer.pk).update(last_success_at=now, failing_since=None)
        return
    attempts = delivery.attempts + 1
    error = error or f"answered {status}"
    permanent = status in PERMANENT_FAILURES
    next_at = now + timedelta(seconds=retry_base() * 2 ** (attempts - 1))
    gave_up = permanent or next_at > delivery.activity.created_at + give_up_after()
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.FAILED if gave_up else Delivery.State.QUEUED,
        attempts=attempts,
        next_attempt_at=next_at,
        claimed_at=None,
        last_error=error[:500],
    )
    if peer:
        Peer.objects.filter(pk=peer.pk, failing_since__isnull=True).update(failing_since=now)


def _release(deliveries: list[Delivery]) -> None:
    """Hand claimed deliveries back unsent: an earlier one to their inbox did not arrive."""
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries], state=Delivery.State.SENDING).update(
        state=Delivery.State.QUEUED, claimed_at=None
    )


def _send_in_order(
    http: httpx.Client, chain: list[Delivery], bodies: dict, key: keys.NodeKey
) -> list:
    """Send one inbox's deliveries oldest first, stopping at the first that did not arrive;
    returns (delivery, status, error) for those sent. No database work here: it runs in a
    thread, and the results are recorded by the caller."""
    results = []
    for delivery in chain:
        status, error = _send(http, delivery.inbox_url, bodies[delivery.activity_id], key)
        results.append((delivery, status, error))
        if status is None or not 200 <= status < 300:
            break
    return results


def deliver_batch() -> int:
    """Send every due delivery once, each inbox's in order; returns how many were claimed."""
    now = timezone.now()
    _requeue_stale_claims(now)
    batch = _claim(now)
    if not batch:
        return 0
    signing_key = keys.current_key()
    method = key_id(signing_key)
    bodies = {
        delivery.activity_id: json.dumps(
            sign(delivery.activity.activity, signing_key.signing_key, method)
        ).encode()
        for delivery in batch
    }
    chains: dict[str, list[Delivery]] = {}
    for delivery in batch:
        chains.setdefault(delivery.inbox_url, []).append(delivery)
    with client() as http, ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        sent = list(
            pool.map(
                lambda chain: _send_in_order(http, chain, bodies, signing_key), chains.values()
            )
        )
    for chain, results in zip(chains.values(), sent, strict=True):
        for delivery, status, error in results:
            _record(delivery, status, error)
        _release(chain[len(results) :])
    return len(batch)


@task(queue_name="federation")
def deliver_due() -> int:
    """Deliver what is due, then schedule the next run for the earliest retry."""
    sent = 0
    while True:
        # Until nothing is claimable: a delivery that arrived may have let a later one go.
        attempted = deliver_batch()
        sent += attempted
        if not attempted:
            break
    # The next run is for the earliest delivery that may go then: not one waiting behind an
    # earlier delivery to its inbox (it goes when that one does; timing it would spin).
    waiting_behind = Delivery.objects.filter(
        inbox_url=OuterRef("inbox_url"),
        pk__lt=OuterRef("pk"),
        state__in=[Delivery.State.QUEUED, Delivery.State.SENDING],
    )
    upcoming = (
        Delivery.objects.filter(state=Delivery.State.QUEUED)
        .exclude(Exists(waiting_behind))
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if upcoming is not None:
        _schedule_once(max(upcoming, timezone.now()))
    return sent


def _schedule_once(at) -> None:
    """Schedule a run for ``at`` unless one is already due by then."""
    if not default_task_backend.supports_defer:
        return
    with transaction.atomic():
        FederationSettings.current()
        row = FederationSettings.objects.select_for_update().get(pk=1)
        now = timezone.now()
        pending = row.next_delivery_run
        if pending is not None and now <= pending <= at:
            return
        row.next_delivery_run = at
        row.save(update_fields=["next_delivery_run"])
        transaction.on_commit(lambda: schedule_delivery(at=at))


def retry(delivery: Delivery) -> None:
    """A coordinator retries a failed delivery by hand."""
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.FAILED).update(
        state=Delivery.State.QUEUED, next_attempt_at=timezone.now(), claimed_at=None
    )
    transaction.on_commit(schedule_delivery)
