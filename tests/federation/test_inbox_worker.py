"""The inbox stores and answers 202; the worker applies later: once, in order, retried,
parked — and an Update or Delete never before the activity that brought its object."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from federation import registry
from federation.inbox_worker import MAX_ATTEMPTS, apply_all_due
from federation.models import InboxActivity, Peer
from tests.conftest import client_for

from .test_inbox import post


@pytest.fixture(autouse=True)
def _worker_applies(settings):
    settings.FEDERATION_INBOX_APPLY_AT_ONCE = False


@pytest.fixture
def peered(db, garden, remote, network):
    return Peer.objects.create(
        actor_url=remote.actor_url, inbox_url=remote.inbox_url, name=remote.name, state="accepted"
    )


class Journal(list):
    def __init__(self):
        super().__init__()
        self.state = {"failures": 0}


@pytest.fixture
def journal():
    """Handlers for notes that write down what they applied, in order; a note whose content
    is "flaky" fails while ``journal.failures`` is above zero."""
    seen = Journal()
    state = seen.state

    def record(activity, sender):
        content = activity["object"].get("content", "")
        if content == "flaky" and state["failures"] > 0:
            state["failures"] -= 1
            raise ConnectionError("remote photo server timed out")
        seen.append((activity["type"], activity["object"].get("id") or content))

    for kind in ("Create", "Update", "Delete"):
        registry.handles(kind, "Note")(record)
    yield seen
    for kind in ("Create", "Update", "Delete"):
        registry.unregister(kind, "Note")


def note(remote, number: int, content: str = "Beans") -> dict:
    return {"id": f"{remote.origin}/objects/notes/{number}", "type": "Note", "content": content}


def make_due() -> None:
    InboxActivity.objects.filter(state__in=["received", "waiting"]).update(
        next_attempt_at=timezone.now()
    )


def test_stored_at_202_applied_by_the_worker_once(peered, remote, journal):
    activity = remote.signed("Create", note(remote, 1))
    assert post(activity).status_code == 202
    row = InboxActivity.objects.get()
    assert (row.state, row.handled, journal) == ("received", False, [])

    assert apply_all_due() == 1
    assert post(activity).status_code == 202  # a redelivery after it was applied
    assert apply_all_due() == 0
    row.refresh_from_db()
    assert (row.state, row.handled) == ("applied", True)
    assert journal == [("Create", note(remote, 1)["id"])]


def test_redelivery_before_the_worker_ran_is_stored_once(peered, remote, journal):
    activity = remote.signed("Create", note(remote, 1))
    assert [post(activity).status_code for _ in range(3)] == [202, 202, 202]
    apply_all_due()
    assert InboxActivity.objects.count() == 1 and len(journal) == 1


def test_a_failing_activity_is_retried_and_holds_back_its_senders_later_ones(
    peered, remote, journal
):
    journal.state["failures"] = 1
    first = remote.signed("Create", note(remote, 1, "flaky"))
    second = remote.signed("Create", note(remote, 2))
    post(first), post(second)

    apply_all_due()
    assert journal == []  # the second waits behind the first, which waits for its retry
    failed = InboxActivity.objects.get(activity_id=first["id"])
    assert failed.attempts == 1 and "timed out" in failed.last_error
    assert failed.next_attempt_at > timezone.now()

    make_due()
    apply_all_due()
    assert journal == [("Create", note(remote, 1)["id"]), ("Create", note(remote, 2)["id"])]


def test_repeated_failure_is_parked_with_its_reason_and_shown_to_coordinators(
    peered, remote, journal, coordinator
):
    journal.state["failures"] = MAX_ATTEMPTS
    activity = remote.signed("Create", note(remote, 1, "flaky"))
    post(activity)
    for _ in range(MAX_ATTEMPTS):
        make_due()
        apply_all_due()
    row = InboxActivity.objects.get()
    assert (row.state, row.attempts, journal) == ("parked", MAX_ATTEMPTS, [])
    later = remote.signed("Create", note(remote, 2))
    post(later)
    apply_all_due()
    assert journal == [("Create", note(remote, 2)["id"])]  # a parked one holds nothing back

    page = client_for(coordinator).get("/federation/peers/").content.decode()
    assert "remote photo server timed out" in page and remote.actor_url in page


def test_update_that_arrives_before_its_create_waits_for_it(peered, remote, journal):
    update = remote.signed("Update", note(remote, 7, "Beans, fewer"))
    delete = remote.signed("Delete", note(remote, 7))
    post(update), post(delete)
    apply_all_due()
    assert journal == []
    assert set(InboxActivity.objects.values_list("state", flat=True)) == {"waiting"}

    post(remote.signed("Create", note(remote, 7)))
    apply_all_due()
    object_id = note(remote, 7)["id"]
    assert journal == [("Create", object_id), ("Update", object_id), ("Delete", object_id)]


def test_update_whose_create_never_comes_is_applied_after_the_bound(
    peered, remote, journal, settings
):
    update = remote.signed("Update", note(remote, 8))
    post(update)
    apply_all_due()
    assert journal == []
    InboxActivity.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    make_due()
    apply_all_due()
    assert journal == [("Update", note(remote, 8)["id"])]  # its handler decides


def test_update_of_an_object_of_ours_does_not_wait(peered, remote, journal):
    ours = {"id": "http://127.0.0.1:8000/objects/notes/1", "type": "Note", "content": "x"}
    post(remote.signed("Update", ours))
    apply_all_due()
    assert journal == [("Update", ours["id"])]


def test_activities_of_a_peer_blocked_after_the_202_are_refused(peered, remote, journal):
    post(remote.signed("Create", note(remote, 1)))
    Peer.objects.filter(pk=peered.pk).update(state="blocked")
    apply_all_due()
    row = InboxActivity.objects.get()
    assert (row.state, journal) == ("refused", [])


def test_refused_checks_still_answer_in_the_request(peered, remote, journal):
    unsigned = remote.activity("Create", note(remote, 1))
    assert post(unsigned).status_code == 401
    response = Client().generic("POST", "/inbox", b"[]", content_type="application/activity+json")
    assert response.status_code == 400
    assert not InboxActivity.objects.exists()


def test_a_cached_sender_blocked_in_this_process_is_refused_at_once(
    peered, remote, journal, settings
):
    from federation import inbox, peers

    settings.FEDERATION_SENDER_CACHE_SECONDS = 60
    inbox.forget_sender(remote.actor_url)
    assert post(remote.signed("Create", note(remote, 1))).status_code == 202  # fetches the actor
    assert post(remote.signed("Create", note(remote, 2))).status_code == 202  # now cached
    assert inbox.known_sender(remote.actor_url).peer.state == "accepted"
    peers.block(peered)  # a save: forgets the cached sender in this process
    assert post(remote.signed("Create", note(remote, 3))).status_code == 403
    inbox.forget_sender(remote.actor_url)


def test_a_sender_not_yet_peered_is_not_cached(db, garden, remote, network, journal, settings):
    """The worker (another process) may accept the peering a moment later: no stale refusal.
    Until then the answer is the retryable 409 (our request waits for their Accept)."""
    from federation import inbox

    settings.FEDERATION_SENDER_CACHE_SECONDS = 60
    inbox.forget_sender(remote.actor_url)
    peer = Peer.objects.create(
        actor_url=remote.actor_url, inbox_url=remote.inbox_url, state="requested"
    )
    assert post(remote.signed("Create", note(remote, 1))).status_code == 409
    Peer.objects.filter(pk=peer.pk).update(state="accepted")  # no signal, as from another process
    assert post(remote.signed("Create", note(remote, 2))).status_code == 202
    inbox.forget_sender(remote.actor_url)
