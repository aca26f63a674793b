"""The live socket: who may connect, and who hears what (in-memory layer and Redis)."""

import os
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from garden.core import live
from garden.members.notifications import mark_read, notify

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture(params=["memory", "redis"])
def layer(request, settings):
    """Each test runs on the in-memory layer and, when REDIS_URL is set, on Redis."""
    if request.param == "redis":
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            pytest.skip("REDIS_URL is not set: the Redis channel layer is not tested")
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                # A prefix of its own, so parallel runs and nodes sharing Redis stay apart.
                "CONFIG": {"hosts": [redis_url], "prefix": f"test-{uuid.uuid4().hex[:8]}"},
            }
        }
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return request.param


def application():
    from garden.asgi import application as app

    return app


async def session_cookie(user) -> bytes:
    def login() -> str:
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    return f"sessionid={await sync_to_async(login)()}".encode()


async def open_socket(user=None, origin=ORIGIN) -> tuple[WebsocketCommunicator, bool, object]:
    headers = [origin] if origin else []
    if user is not None:
        headers.append((b"cookie", await session_cookie(user)))
    communicator = WebsocketCommunicator(application(), "/ws/live/", headers=headers)
    connected, code = await communicator.connect(timeout=10)
    return communicator, connected, code


async def next_event(communicator: WebsocketCommunicator) -> dict:
    return await communicator.receive_json_from(timeout=10)


async def test_anonymous_visitor_is_refused(layer):
    communicator, connected, code = await open_socket(None)
    assert not connected
    assert code == 4401
    await communicator.disconnect()


async def test_foreign_origin_is_refused(layer, member):
    communicator, connected, _code = await open_socket(
        member, origin=(b"origin", b"https://evil.example")
    )
    assert not connected
    await communicator.disconnect()


async def test_logged_out_session_is_refused(layer, member):
    cookie = await session_cookie(member)

    def log_out() -> None:
        from django.contrib.sessions.models import Session

        Session.objects.all().delete()

    await sync_to_async(log_out)()
    communicator = WebsocketCommunicator(
        application(), "/ws/live/", headers=[ORIGIN, (b"cookie", cookie)]
    )
    connected, code = await communicator.connect(timeout=10)
    assert not connected
    assert code == 4401
    await communicator.disconnect()


async def test_member_hears_garden_events(layer, member):
    communicator, connected, _code = await open_socket(member)
    assert connected
    await sync_to_async(live.push_garden)("plots", {"id": 7})
    assert await next_event(communicator) == {"event": "plots", "data": {"id": 7}}
    await communicator.disconnect()


async def test_member_hears_own_notifications_but_not_others(layer, member, other_member):
    mine, connected, _code = await open_socket(member)
    assert connected
    theirs, connected, _code = await open_socket(other_member)
    assert connected

    await sync_to_async(notify)(other_member, "test", "For Otto only", "/shifts/")
    await sync_to_async(notify)(member, "test", "For Mara", "/plots/")

    event = await next_event(mine)
    assert event["event"] == "notification"
    assert event["data"]["message"] == "For Mara"
    assert event["data"]["unread"] == 1
    # Otto's notification was sent first; had it reached Mara it would have come first.
    assert (await next_event(theirs))["data"]["message"] == "For Otto only"
    assert await mine.receive_nothing(timeout=0.5)
    await mine.disconnect()
    await theirs.disconnect()


async def test_marking_read_updates_the_count_on_open_pages(layer, member):
    await sync_to_async(notify)(member, "test", "One", "")
    await sync_to_async(notify)(member, "test", "Two", "")
    communicator, connected, _code = await open_socket(member)
    assert connected
    await sync_to_async(mark_read)(member, None)
    assert await next_event(communicator) == {"event": "notifications-read", "data": {"unread": 0}}
    await communicator.disconnect()


async def test_rolled_back_change_is_not_pushed(layer, member):
    from django.db import transaction

    communicator, connected, _code = await open_socket(member)
    assert connected

    def change_then_fail() -> None:
        try:
            with transaction.atomic():
                live.push_garden("plots", {"id": 1})
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        live.push_garden("plots", {"id": 2})

    await sync_to_async(change_then_fail)()
    assert await next_event(communicator) == {"event": "plots", "data": {"id": 2}}
    await communicator.disconnect()


async def test_what_the_page_sends_is_ignored(layer, member):
    communicator, connected, _code = await open_socket(member)
    assert connected
    await communicator.send_to(text_data="not json at all")
    await sync_to_async(live.push_garden)("shifts", {"id": 3})
    assert await next_event(communicator) == {"event": "shifts", "data": {"id": 3}}
    await communicator.disconnect()
