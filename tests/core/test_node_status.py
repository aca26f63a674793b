"""/healthz, the node status page, the periodic jobs that prune and back up."""

import logging
import uuid
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from federation.models import Delivery, InboxActivity, OutboxActivity, Peer
from garden.core import tasks
from garden.core.housekeeping import prune
from garden.core.models import Heartbeat
from garden.core.periodic import registered_jobs
from tests.conftest import client_for


@pytest.fixture
def peer(db):
    return Peer.objects.create(
        actor_url="https://b.example/actor",
        inbox_url="https://b.example/inbox",
        state=Peer.State.ACCEPTED,
    )


def _delivery(peer, state, next_attempt_at, delivered_at=None, public=True):
    activity = OutboxActivity.objects.create(
        activity_id=f"https://a.example/activities/{uuid.uuid4()}",
        activity_type="Create",
        activity={},
        public=public,
    )
    return Delivery.objects.create(
        activity=activity,
        peer=peer,
        inbox_url=peer.inbox_url,
        state=state,
        next_attempt_at=next_attempt_at,
        delivered_at=delivered_at,
    )


def test_healthz_tells_the_worker_and_the_backlog_apart(client, peer):
    body = client.get("/healthz").json()
    assert body["worker"]["state"] == "unknown"
    assert body["delivery_backlog"] == {"state": "ok", "due": 0, "oldest_due": None, "failed": 0}

    tasks.heartbeat.call()
    now = timezone.now()
    _delivery(peer, Delivery.State.QUEUED, now - timedelta(minutes=30))
    _delivery(peer, Delivery.State.QUEUED, now + timedelta(minutes=5))  # not due yet
    _delivery(peer, Delivery.State.FAILED, now - timedelta(days=1))

    response = client.get("/healthz")
    assert response.status_code == 200  # the web process serves; the rest is reported
    body = response.json()
    assert body["worker"]["state"] == "ok"
    assert body["delivery_backlog"]["state"] == "behind"
    assert body["delivery_backlog"]["due"] == 1
    assert body["delivery_backlog"]["failed"] == 1

    Heartbeat.objects.update(at=now - timedelta(minutes=10))
    assert client.get("/healthz").json()["worker"]["state"] == "late"


def test_node_status_page_shows_health_backups_and_offers_them(
    coordinator, member, settings, tmp_path
):
    settings.BACKUP_DIR = tmp_path
    (tmp_path / "allmende-20261101T030000Z.zip").write_bytes(b"older")
    (tmp_path / "allmende-20261102T030000Z.zip").write_bytes(b"newest")
    client = client_for(coordinator)

    page = client.get("/garden/status/").content.decode()
    assert "allmende-20261102T030000Z.zip" in page.split("allmende-20261101T030000Z.zip")[0]
    assert 'id="pending-migrations"' in page and "none" in page
    assert "0.1.0" in page

    download = client.get("/garden/status/backups/allmende-20261102T030000Z.zip")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"newest"
    assert download["Cache-Control"] == "no-store"
    assert client.get("/garden/status/backups/..%2Fsecret_key").status_code == 404
    assert client_for(member).get("/garden/status/").status_code == 403
    assert (
        client_for(member).get("/garden/status/backups/allmende-20261102T030000Z.zip").status_code
        == 403
    )


def test_pruning_drops_only_what_is_no_longer_needed_and_logs_counts(peer, caplog):
    now = timezone.now()
    old = now - timedelta(days=40)
    kept_delivery = _delivery(peer, Delivery.State.DELIVERED, now, delivered_at=now)
    gone_delivery = _delivery(peer, Delivery.State.DELIVERED, old, delivered_at=old)
    failed = _delivery(peer, Delivery.State.FAILED, old)
    private = _delivery(peer, Delivery.State.DELIVERED, old, delivered_at=old, public=False)
    OutboxActivity.objects.filter(pk=private.activity_id).update(created_at=old)
    fresh_id = InboxActivity.objects.create(
        activity_id="https://b.example/1", activity_type="Create", actor_url=peer.actor_url
    )
    fresh_id.handled = True
    fresh_id.save()
    old_id = InboxActivity.objects.create(
        activity_id="https://b.example/2",
        activity_type="Create",
        actor_url=peer.actor_url,
        handled=True,
    )
    InboxActivity.objects.filter(pk=old_id.pk).update(received_at=now - timedelta(hours=2))
    expired = SessionStore()
    expired.create()
    Session.objects.filter(pk=expired.session_key).update(expire_date=now - timedelta(days=1))
    live = SessionStore()
    live.create()

    with caplog.at_level(logging.WARNING, logger="garden.core.housekeeping"):
        counts = prune(now)

    assert counts["inbox_ids"] == 1
    assert counts["deliveries"] == 3  # two delivered long ago, one private activity with them
    assert counts["sessions"] == 1
    assert list(InboxActivity.objects.values_list("pk", flat=True)) == [fresh_id.pk]
    remaining = set(Delivery.objects.values_list("pk", flat=True))
    assert remaining == {kept_delivery.pk, failed.pk}
    assert not Delivery.objects.filter(pk=gone_delivery.pk).exists()
    assert OutboxActivity.objects.filter(pk=gone_delivery.activity_id).exists()  # public: kept
    assert not OutboxActivity.objects.filter(pk=private.activity_id).exists()
    assert Session.objects.filter(pk=live.session_key).exists()
    assert "1 inbox_ids" in caplog.text and "1 sessions" in caplog.text


@pytest.mark.django_db(transaction=True)  # the backup reads the database from outside
def test_the_node_backs_up_daily_and_keeps_the_newest(settings, tmp_path):
    assert "garden.core.tasks.daily_backup" in [job.name for job in registered_jobs()]
    assert [j.every for j in registered_jobs() if j.name.endswith("daily_backup")] == [
        timedelta(days=1)
    ]
    settings.BACKUP_DAILY = True
    settings.BACKUP_DIR = tmp_path
    settings.BACKUP_KEEP = 2
    for stamp in ("20260101T030000Z", "20260102T030000Z", "20260103T030000Z"):
        (tmp_path / f"allmende-{stamp}.zip").write_bytes(b"old")

    result = tasks.daily_backup.call()

    kept = sorted(p.name for p in tmp_path.glob("allmende-*.zip"))
    assert len(kept) == 2
    assert kept[0] == "allmende-20260103T030000Z.zip"
    assert result.endswith(kept[1])
