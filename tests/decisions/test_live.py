"""A vote reaches open pages as an event naming the proposal, and nothing about the vote."""

import pytest
from asgiref.sync import sync_to_async

from garden.decisions import services
from garden.decisions.counting import Ballot
from tests.live.test_consumers import layer, next_event, open_socket  # noqa: F401

from .conftest import make_proposal

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_a_vote_pushes_only_the_proposal_id(layer, member, other_member):  # noqa: F811
    proposal = await sync_to_async(make_proposal)(member, "consent")
    communicator, connected, _code = await open_socket(other_member)
    assert connected
    await sync_to_async(services.cast_vote)(
        proposal.pk, member, Ballot(objection=True, reason="Too expensive")
    )
    event = await next_event(communicator)
    assert event == {"event": "decisions", "data": {"id": proposal.pk}}
    await communicator.disconnect()


async def test_a_message_pushes_the_thread(layer, member, other_member):  # noqa: F811
    proposal = await sync_to_async(make_proposal)(member, "consent")
    from garden.conversations import services as conversations

    communicator, connected, _code = await open_socket(other_member)
    assert connected
    await sync_to_async(conversations.post)("proposal", proposal.pk, member, "Hello")
    event = await next_event(communicator)
    assert event == {"event": "threads", "data": {"kind": "proposal", "id": proposal.pk}}
    await communicator.disconnect()
