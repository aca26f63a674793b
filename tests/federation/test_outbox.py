"""The transactional outbox: stored with the change, delivered signed, retried, never twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from federation import crypto, keys
from federation.actors import actor_id, local_actor_document, verification_keys
from federation.models import Delivery, OutboxActivity, Peer
from federation.outbox import deliver_batch, deliver_due, local_object_id, publish, retry

from .remote import RemoteGarden


@pytest.fixture
def peer(db, garden, remote, network):
    return Peer.objects.create(
        actor_url=remote.actor_url, inbox_url=remote.inbox_url, name="Remote", state="accepted"
    )


def test_local_object_id_is_a_stable_url(settings):
    assert local_object_id("offers", 7) == f"{settings.ALLMENDE_URL}/objects/offers/7"


def test_publish_fills_in_id_actor_context_and_queues_one_delivery_per_peer(peer):
    row = publish({"type": "Create", "object": {"type": "Note", "content": "hi"}})
    activity = row.activity
    assert activity["actor"] == actor_id()
    assert activity["id"] == row.activity_id and "/activities/" in row.activity_id
    assert activity["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert "published" in activity and row.public
    assert list(row.deliveries.values_list("inbox_url", "state")) == [(peer.inbox_url, "queued")]


def test_publish_rolls_back_with_the_change_that_caused_it(peer):
    with pytest.raises(RuntimeError), transaction.atomic():
        publish({"type": "Create", "object": {"type": "Note"}})
        raise RuntimeError("the change failed")
    assert not OutboxActivity.objects.exists() and not Delivery.objects.exists()


def test_publish_skips_peers_not_accepted_or_blocked(peer):
    Peer.objects.create(
        actor_url="https://b.example/actor", inbox_url="https://b.example/inbox", state="pending"
    )
    blocked = Peer.objects.create(
        actor_url="https://c.example/actor", inbox_url="https://c.example/inbox", state="blocked"
    )
    row = publish({"type": "Create", "object": {"type": "Note"}})
    assert row.deliveries.count() == 1
    row = publish({"type": "Create", "object": {"type": "Note"}}, to=[blocked])
    assert row.deliveries.count() == 0 and not row.public


def test_delivery_is_signed_with_our_key_and_verifies(peer, remote):
    publish({"type": "Create", "object": {"type": "Note", "content": "hi"}})
    assert deliver_due.call() == 1
    sent = remote.received[0]
    key = verification_keys(local_actor_document())[sent["proof"]["verificationMethod"]]
    crypto.verify(sent, key)
    delivery = Delivery.objects.get()
    assert delivery.state == "delivered" and delivery.attempts == 1
    peer.refresh_from_db()
    assert peer.last_success_at is not None and peer.failing_since is None


def test_delivery_carries_an_http_signature_with_our_rsa_key(peer, remote):
    from federation import httpsig
    from federation.actors import rsa_public_keys

    publish({"type": "Create", "object": {"type": "Note", "content": "hi"}})
    deliver_due.call()
    [headers] = [h for h in remote.headers if h.get("content-type") == "application/activity+json"]
    parsed = httpsig.parse_signature(headers["signature"])
    assert parsed["headers"] == "(request-target) host date digest"
    key = rsa_public_keys(local_actor_document())[parsed["keyId"]]
    httpsig.verify_signature("POST", "/inbox", headers, parsed, key)
    assert headers["host"] == remote.host and "proof" in remote.received[0]
    assert httpsig.digest_matches(headers["digest"], remote.bodies[0])


def test_fetching_a_remote_actor_is_a_signed_get(db, garden, remote, network):
    from federation import httpsig
    from federation.actors import fetch_actor, rsa_public_keys

    fetch_actor(remote.actor_url)
    [headers] = remote.headers
    parsed = httpsig.parse_signature(headers["signature"])
    assert parsed["headers"] == "(request-target) host date"
    key = rsa_public_keys(local_actor_document())[parsed["keyId"]]
    httpsig.verify_signature("GET", "/actor", headers, parsed, key)


def test_failed_delivery_is_retried_with_doubling_delays(peer, remote, network, settings):
    settings.FEDERATION_RETRY_BASE_SECONDS = 60
    network.down.add(remote.host)
    publish({"type": "Create", "object": {"type": "Note"}})
    delays = []
    for _ in range(3):
        Delivery.objects.update(next_attempt_at=timezone.now())
        before = timezone.now()
        deliver_batch()
        delivery = Delivery.objects.get()
        delays.append(round((delivery.next_attempt_at - before).total_seconds() / 60))
    assert delays == [1, 2, 4]
    assert delivery.state == "queued" and delivery.attempts == 3
    peer.refresh_from_db()
    assert peer.failing_since is not None


def test_delivery_gives_up_after_three_days(peer, remote, network):
    network.down.add(remote.host)
    row = publish({"type": "Create", "object": {"type": "Note"}})
    OutboxActivity.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=3))
    deliver_batch()
    assert Delivery.objects.get().state == "failed"


def test_permanent_refusal_is_not_retried(peer, remote):
    remote.inbox_status = 400
    publish({"type": "Create", "object": {"type": "Note"}})
    deliver_batch()
    delivery = Delivery.objects.get()
    assert delivery.state == "failed" and "400" in delivery.last_error


def test_nothing_due_is_not_sent(peer, remote):
    publish({"type": "Create", "object": {"type": "Note"}})
    Delivery.objects.update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert deliver_batch() == 0 and remote.received == []


def test_a_claim_left_by_a_crashed_worker_is_sent_again(peer, remote):
    publish({"type": "Create", "object": {"type": "Note"}})
    Delivery.objects.update(state="sending", claimed_at=timezone.now() - timedelta(minutes=10))
    assert deliver_batch() == 1
    assert Delivery.objects.get().state == "delivered"


def test_a_fresh_claim_of_another_worker_is_left_alone(peer, remote):
    publish({"type": "Create", "object": {"type": "Note"}})
    Delivery.objects.update(state="sending", claimed_at=timezone.now())
    assert deliver_batch() == 0 and remote.received == []


def test_deliveries_to_many_peers_all_arrive(db, garden, network):
    gardens = [RemoteGarden(host=f"g{i}.example") for i in range(5)]
    for remote in gardens:
        network.gardens[remote.host] = remote
        Peer.objects.create(
            actor_url=remote.actor_url, inbox_url=remote.inbox_url, state="accepted"
        )
    publish({"type": "Create", "object": {"type": "Note"}})
    deliver_batch()
    assert all(len(remote.received) == 1 for remote in gardens)


def test_blocking_a_peer_stops_queued_deliveries(peer, remote):
    from federation.peers import block

    publish({"type": "Create", "object": {"type": "Note"}})
    block(peer)
    deliver_batch()
    assert remote.received == []
    assert Delivery.objects.get().state == "failed"


def test_retry_by_hand_queues_a_failed_delivery_again(peer, remote):
    remote.inbox_status = 400
    publish({"type": "Create", "object": {"type": "Note"}})
    deliver_batch()
    remote.inbox_status = 202
    retry(Delivery.objects.get())
    deliver_batch()
    assert Delivery.objects.get().state == "delivered"


def test_signing_uses_the_key_current_at_delivery_time(peer, remote):
    publish({"type": "Create", "object": {"type": "Note"}})
    _old, new = keys.rotate(timedelta(hours=1))
    deliver_batch()
    assert remote.received[0]["proof"]["verificationMethod"].endswith(new.multibase)


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_delivery_once(garden, network):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SKIP LOCKED); SQLite serialises writers")
    gardens = [RemoteGarden(host=f"w{i}.example") for i in range(4)]
    for remote in gardens:
        network.gardens[remote.host] = remote
        Peer.objects.create(
            actor_url=remote.actor_url, inbox_url=remote.inbox_url, state="accepted"
        )
    for _ in range(10):
        publish({"type": "Create", "object": {"type": "Note"}})
    barrier = threading.Barrier(3)

    def worker():
        barrier.wait()
        try:
            while deliver_batch():
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = [(remote.host, a["id"]) for remote in gardens for a in remote.received]
    assert len(received) == 40 and len(set(received)) == 40
    assert Delivery.objects.filter(state="delivered").count() == 40


# The public outbox collection.


def test_outbox_is_a_paged_ordered_collection_of_public_activities(peer):
    for number in range(25):
        publish({"type": "Create", "object": {"type": "Note", "content": str(number)}})
    publish({"type": "Follow", "object": peer.actor_url}, to=[peer])
    accept = {"HTTP_ACCEPT": "application/activity+json"}
    collection = Client().get("/outbox", **accept).json()
    assert collection["type"] == "OrderedCollection" and collection["totalItems"] == 25
    first = Client().get("/outbox?page=1", **accept).json()
    assert first["type"] == "OrderedCollectionPage" and len(first["orderedItems"]) == 20
    assert first["orderedItems"][0]["object"]["content"] == "24"
    second = Client().get(first["next"].replace("http://127.0.0.1:8000", ""), **accept).json()
    assert len(second["orderedItems"]) == 5 and "next" not in second
    assert Client().get("/outbox?page=9").status_code == 404
    assert Client().get("/outbox?page=x").status_code == 404


def test_public_activity_is_served_at_its_id(peer):
    row = publish({"type": "Create", "object": {"type": "Note"}})
    path = row.activity_id.replace("http://127.0.0.1:8000", "")
    assert Client().get(path).json()["id"] == row.activity_id
    private = publish({"type": "Follow", "object": peer.actor_url}, to=[peer])
    assert Client().get(private.activity_id.replace("http://127.0.0.1:8000", "")).status_code == 404


def test_retries_are_scheduled_once_not_piled_up(peer, remote, network, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "federation"],
        }
    }
    network.down.add(remote.host)
    from django.test import TestCase

    for _ in range(3):
        with TestCase.captureOnCommitCallbacks(execute=True):
            publish({"type": "Create", "object": {"type": "Note"}})
            deliver_due.call()
    scheduled = DBTaskResult.objects.filter(task_path="federation.outbox.deliver_due")
    deferred = scheduled.filter(run_after__year__lt=9999)  # django_tasks_db: 9999 = "now"
    assert deferred.count() == 1
