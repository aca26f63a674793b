"""The inbox answers exactly as documented and applies only verified activities from peers."""

import json

import pytest
from django.test import Client

from federation import registry
from federation.errors import ActivityRejected
from federation.models import FederationSettings, InboxActivity, Peer, RemoteActor
from garden.members.models import Notification

from .remote import old


def post(activity, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(activity).encode()
    return Client().generic("POST", "/inbox", body, content_type="application/activity+json")


@pytest.fixture
def applied():
    seen = []

    @registry.handles("Create", "Note")
    def record(activity, sender):
        if activity["object"].get("content") == "refuse":
            raise ActivityRejected("no", status=422)
        if activity["object"].get("content") == "crash":
            raise RuntimeError("bug")
        Peer.objects.filter(pk=sender.pk).update(summary="touched")
        seen.append((activity["id"], sender.actor_url))

    yield seen
    registry.unregister("Create", "Note")


def note(content="Zucchini to share"):
    return {"type": "Note", "content": content}


def test_signed_activity_from_a_peer_is_applied_once(peered, remote, applied):
    activity = remote.signed("Create", note())
    assert post(activity).status_code == 202
    assert post(activity).status_code == 202  # redelivery: accepted, not applied again
    assert applied == [(activity["id"], remote.actor_url)]
    assert InboxActivity.objects.filter(activity_id=activity["id"], handled=True).count() == 1


def test_oversized_body_is_refused_with_413(peered, remote, applied):
    activity = remote.signed("Create", note("x" * (257 * 1024)))
    response = post(activity)
    assert response.status_code == 413
    assert applied == [] and not InboxActivity.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[1, 2]",
        b'{"type": "Create"}',
        b'{"id": "https://remote.example/1"}',
        b'{"id": "x", "type": "Create", "actor": "mailto:a@b"}',
        b"\xff\xfe",
    ],
)
def test_not_json_or_not_an_activity_is_400(peered, raw):
    assert post(None, raw=raw).status_code == 400


def test_unsigned_activity_is_401(peered, remote, applied):
    assert post(remote.activity("Create", note())).status_code == 401
    assert applied == []


def test_tampered_activity_is_401(peered, remote, applied):
    activity = remote.signed("Create", note())
    activity["object"]["content"] = "Tampered"
    assert post(activity).status_code == 401
    assert applied == [] and not InboxActivity.objects.exists()


def test_forged_signature_with_another_key_is_401(peered, remote, applied):
    from nacl.signing import SigningKey

    activity = remote.sign(remote.activity("Create", note()), key=SigningKey.generate())
    assert post(activity).status_code == 401
    assert applied == []


def test_key_of_another_actor_is_401(peered, remote, applied):
    activity = remote.activity("Create", note())
    signed = remote.sign(
        activity, key_id=f"https://evil.example/actor#{remote.key_id.split('#')[1]}"
    )
    assert post(signed).status_code == 401


def test_activity_id_on_another_origin_is_401(peered, remote, applied):
    activity = remote.activity("Create", note())
    activity["id"] = "https://elsewhere.example/activities/1"
    assert post(remote.sign(activity)).status_code == 401
    assert applied == []


def test_replayed_old_proof_is_401(peered, remote, applied):
    activity = remote.sign(remote.activity("Create", note()), created=old(minutes=61))
    assert post(activity).status_code == 401
    assert applied == []


def test_proof_from_the_future_is_401(peered, remote, applied):
    activity = remote.sign(remote.activity("Create", note()), created=old(minutes=-6))
    assert post(activity).status_code == 401


def test_slight_clock_skew_is_tolerated(peered, remote, applied):
    activity = remote.sign(remote.activity("Create", note()), created=old(minutes=-2))
    assert post(activity).status_code == 202
    assert len(applied) == 1


def test_blocked_peer_gets_403_and_nothing_is_applied(peered, remote, applied):
    Peer.objects.filter(pk=peered.pk).update(state="blocked")
    assert post(remote.signed("Create", note())).status_code == 403
    assert applied == [] and not InboxActivity.objects.exists()


def test_unknown_activity_type_is_202_and_ignored(peered, remote, applied):
    response = post(remote.signed("Listen", {"type": "Song", "name": "x"}))
    assert response.status_code == 202
    assert applied == [] and not InboxActivity.objects.exists()


def test_domain_activity_from_a_stranger_is_403(db, garden, remote, network, applied):
    # A Note may come from anyone (a reply to a public post); an Offer only from a peer.
    offer = remote.signed("Offer", {"type": "Produce", "name": "Kohl"})
    assert post(offer).status_code == 403
    assert applied == [] and not InboxActivity.objects.exists()
    assert not RemoteActor.objects.exists()


# A handler runs after the 202 (in the inbox worker): its refusal or failure is recorded
# on the stored activity instead of answered; the rollback is the same.


def test_handler_refusal_rolls_everything_back(peered, remote, applied):
    response = post(remote.signed("Create", note("refuse")))
    assert response.status_code == 202
    row = InboxActivity.objects.get()
    assert (row.state, row.handled, row.last_error) == ("refused", False, "422: no")


def test_handler_bug_is_not_500_and_rolled_back(peered, remote, applied):
    response = post(remote.signed("Create", note("crash")))
    assert response.status_code == 202
    assert not InboxActivity.objects.filter(handled=True).exists()
    assert InboxActivity.objects.get().last_error == "RuntimeError: bug"
    peered.refresh_from_db()
    assert peered.summary == ""


def test_unknown_key_triggers_one_refetch(peered, remote, applied):
    from nacl.signing import SigningKey

    assert post(remote.signed("Create", note())).status_code == 202
    fetches = remote.fetches
    remote.key = SigningKey.generate()  # the remote rotated its key
    assert post(remote.signed("Create", note("after rotation"))).status_code == 202
    assert remote.fetches == fetches + 1
    assert len(applied) == 2


def test_cached_actor_is_not_refetched(peered, remote, applied):
    post(remote.signed("Create", note()))
    post(remote.signed("Create", note("again")))
    assert remote.fetches == 1


def test_unreachable_actor_is_401(peered, remote, network, applied):
    network.down.add(remote.host)
    assert post(remote.signed("Create", note())).status_code == 401


def test_get_on_inbox_is_not_allowed(db):
    assert Client().get("/inbox").status_code == 405


# Peering through the inbox.


def test_follow_from_a_stranger_is_a_pending_request_coordinators_hear_of(
    db, garden, coordinator, remote, network
):
    follow = remote.signed("Follow", "http://127.0.0.1:8000/actor")
    assert post(follow).status_code == 202
    peer = Peer.objects.get(actor_url=remote.actor_url)
    assert peer.state == "pending" and peer.name == remote.name
    assert peer.follow_id == follow["id"]
    assert Notification.objects.filter(user=coordinator, kind="peering_request").exists()
    assert remote.received == []


def test_follow_within_the_auto_accept_radius_is_accepted(db, garden, remote, network):
    FederationSettings.objects.create(pk=1, auto_accept_km=10)
    follow = remote.signed("Follow", "http://127.0.0.1:8000/actor")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert post(follow).status_code == 202
    assert Peer.objects.get(actor_url=remote.actor_url).state == "accepted"
    accept = remote.received[-1]
    assert accept["type"] == "Accept" and accept["object"]["id"] == follow["id"]


def test_follow_beyond_the_radius_waits_for_a_coordinator(db, garden, remote, network):
    FederationSettings.objects.create(pk=1, auto_accept_km=1)
    post(remote.signed("Follow", "http://127.0.0.1:8000/actor"))
    assert Peer.objects.get(actor_url=remote.actor_url).state == "pending"


def test_accept_of_our_follow_makes_the_peer_accepted(db, garden, coordinator, remote, network):
    peer = Peer.objects.create(
        actor_url=remote.actor_url,
        inbox_url=remote.inbox_url,
        state="requested",
        follow_id="http://127.0.0.1:8000/activities/1",
        follow_by_us=True,
    )
    accept = remote.signed("Accept", {"id": peer.follow_id, "type": "Follow"})
    assert post(accept).status_code == 202
    peer.refresh_from_db()
    assert peer.state == "accepted"
    assert Notification.objects.filter(user=coordinator, kind="peering_accepted").exists()


def test_undo_of_their_follow_ends_the_peering(peered, remote):
    Peer.objects.filter(pk=peered.pk).update(follow_id=f"{remote.origin}/follow/1")
    undo = remote.signed("Undo", {"id": f"{remote.origin}/follow/1", "type": "Follow"})
    assert post(undo).status_code == 202
    peered.refresh_from_db()
    assert peered.state == "rejected"


def test_update_of_the_peer_actor_changes_its_name(peered, remote):
    remote.name = "Umbenannter Garten"
    assert post(remote.signed("Update", remote.document())).status_code == 202
    peered.refresh_from_db()
    assert peered.name == "Umbenannter Garten"


def test_remote_text_is_stored_plain_and_length_limited(db, garden, remote, network):
    remote.name = "<script>x</script>" * 50
    post(remote.signed("Follow", "http://127.0.0.1:8000/actor"))
    peer = Peer.objects.get(actor_url=remote.actor_url)
    assert len(peer.name) == 200


def test_database_down_is_503_so_the_sender_retries_and_nothing_is_lost(peered, remote, applied):
    from django.db import OperationalError, connection

    def refuse(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    activity = remote.signed("Create", note())
    client = Client(raise_request_exception=False)
    body = json.dumps(activity).encode()
    with connection.execute_wrapper(refuse):
        response = client.generic("POST", "/inbox", body, content_type="application/activity+json")
    assert response.status_code == 503  # not a 400, which tells the sender to give up
    assert int(response["Retry-After"]) > 0
    assert applied == []

    assert post(activity).status_code == 202  # the retry, once the database is back
    assert applied == [(activity["id"], remote.actor_url)]


def test_domain_activity_before_their_accept_is_a_retryable_409(
    db, garden, remote, network, applied
):
    """The garden we asked sends its offers right after its Accept; should one overtake the
    Accept, it is told to try again (409, which the sender's outbox retries), not 403."""
    Peer.objects.create(
        actor_url=remote.actor_url,
        inbox_url=remote.inbox_url,
        state="requested",
        follow_id="http://127.0.0.1:8000/activities/1",
        follow_by_us=True,
    )
    early = remote.signed("Create", note())
    assert post(early).status_code == 409
    assert applied == [] and not InboxActivity.objects.exists()
    assert (
        post(remote.signed("Accept", {"id": "http://127.0.0.1:8000/activities/1"})).status_code
        == 202
    )
    assert post(early).status_code == 202 and len(applied) == 1
