"""Under ASGI, concurrent inbox requests share one INSERT (federation/inbox_async.py): each is
answered as if it were alone, each id is stored once, and a database error fails them all
with nothing stored. The node's ASGI application is driven in-process by concurrent
requests; the first flush is held until the others wait, so the rest is one batch."""

import asyncio
import json
import threading

import pytest
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

from federation import inbox, inbox_async, registry
from federation.actors import remember_actor
from federation.models import InboxActivity
from garden.asgi import application
from tests.asgi import asgi_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sender(peered, remote, settings):
    """A peer this process holds already (its requests are checked in the event loop),
    sending notes a handler here takes."""
    settings.FEDERATION_INBOX_APPLY_AT_ONCE = False
    settings.FEDERATION_SENDER_CACHE_SECONDS = 60
    registry.handles("Create", "Note")(lambda activity, sender: None)
    remember_actor(remote.document())
    inbox.forget_sender(remote.actor_url)
    inbox.known_sender(remote.actor_url)
    yield remote
    inbox.forget_sender(remote.actor_url)
    registry.unregister("Create", "Note")


async def post(handler, body: bytes) -> tuple[int, str]:
    answer = await asgi_request(
        handler, "POST", "/inbox", body, {"content-type": "application/activity+json"}
    )
    return answer.status, json.loads(answer.body)["detail"]


def held_first_flush(monkeypatch, waiting_for: int):
    """Record the size of every flush; hold the first until ``waiting_for`` more requests
    wait for a store, so they form the second flush."""
    sizes: list[int] = []
    release = threading.Event()
    real = inbox_async.store_all

    def store_all(rows):
        sizes.append(len(rows))
        if len(sizes) == 1:
            assert release.wait(timeout=30)
        return real(rows)

    monkeypatch.setattr(inbox_async, "store_all", store_all)

    async def release_when_waiting():
        for _ in range(2000):
            if len(inbox_async.group_store().waiting) >= waiting_for:
                break
            await asyncio.sleep(0.005)
        release.set()

    return sizes, release_when_waiting


def test_duplicates_within_one_batch_are_stored_once_and_all_answered(sender, monkeypatch):
    first = sender.signed("Create", {"type": "Note", "content": "eins"})
    second = sender.signed("Create", {"type": "Note", "content": "zwei"})
    third = sender.signed("Create", {"type": "Note", "content": "drei"})
    bodies = [json.dumps(a).encode() for a in (first, second, second, third, first, second)]
    sizes, release_when_waiting = held_first_flush(monkeypatch, waiting_for=len(bodies) - 1)
    handler = application

    async def scenario():
        requests = [asyncio.create_task(post(handler, bodies[0]))]
        await asyncio.sleep(0.05)  # the first flush (of one row) is under way, held
        requests += [asyncio.create_task(post(handler, body)) for body in bodies[1:]]
        await release_when_waiting()
        return await asyncio.gather(*requests)

    answers = asyncio.run(scenario())

    assert sizes == [1, 5]
    assert answers == [
        (202, "Accepted."),
        (202, "Accepted."),
        (202, "Already received."),
        (202, "Accepted."),
        (202, "Already received."),  # stored by the first flush
        (202, "Already received."),
    ]
    stored = InboxActivity.objects.order_by("pk")
    assert [row.activity_id for row in stored] == [first["id"], second["id"], third["id"]]
    assert all(row.state == "received" and row.activity["id"] == row.activity_id for row in stored)


def test_a_database_error_in_a_batch_fails_all_its_requests_and_stores_none(sender, monkeypatch):
    activities = [sender.signed("Create", {"type": "Note", "content": str(n)}) for n in range(5)]
    bodies = [json.dumps(activity).encode() for activity in activities]
    sizes, release_when_waiting = held_first_flush(monkeypatch, waiting_for=4)
    # The second flush takes two statements in one transaction; the second statement fails.
    monkeypatch.setattr(inbox, "MAX_ROWS_PER_INSERT", 2)
    inserts: list[str] = []
    real_execute = CursorWrapper.execute

    def execute(self, sql, params=None):
        if sql.startswith("INSERT INTO") and "inboxactivity" in sql:
            inserts.append(sql)
            if len(inserts) == 3:
                raise OperationalError("the database went away")
        return real_execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", execute)
    handler = application

    async def scenario():
        requests = [asyncio.create_task(post(handler, bodies[0]))]
        await asyncio.sleep(0.05)
        requests += [asyncio.create_task(post(handler, body)) for body in bodies[1:]]
        await release_when_waiting()
        return await asyncio.gather(*requests)

    answers = asyncio.run(scenario())

    assert sizes == [1, 4]
    assert answers[0] == (202, "Accepted.")
    assert [status for status, _ in answers[1:]] == [503, 503, 503, 503]
    assert list(InboxActivity.objects.values_list("activity_id", flat=True)) == [
        activities[0]["id"]
    ]
