"""Real concurrent HTTP votes against a live server: one vote per member, whatever the race."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection

from garden.decisions.models import Vote
from garden.members.models import ApiToken

from .conftest import make_proposal

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real row locks need PostgreSQL; SQLite serialises every write anyway")


def _put_all(url: str, token: str, bodies: list[dict]) -> list[int]:
    return _put_each(url, [(token, body) for body in bodies])


def _put_each(url: str, calls: list[tuple[str, dict]]) -> list[int]:
    """PUT every (token, body) at the same moment from its own thread; the statuses."""
    barrier = threading.Barrier(len(calls))
    statuses = [0] * len(calls)

    def run(index: int, token: str, body: dict) -> None:
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            method="PUT",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses[index] = response.status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return statuses


def test_one_member_voting_at_once_from_several_devices_leaves_one_vote(live_server, member):
    token = ApiToken.objects.create_token(member, "race")[1]
    for _round in range(5):
        proposal = make_proposal(member, "majority")
        yes, no = proposal.options.values_list("pk", flat=True)
        bodies = [{"option_id": yes}, {"option_id": no}] * 2
        url = f"{live_server.url}/api/v1/proposals/{proposal.pk}/vote"
        statuses = _put_all(url, token, bodies)
        assert all(status in (200, 409) for status in statuses), statuses
        assert 200 in statuses
        assert Vote.objects.filter(proposal=proposal).count() == 1


def test_many_members_voting_at_once_all_count(live_server, member, voters):
    proposal = make_proposal(member, "majority")
    yes = proposal.options.first().pk
    url = f"{live_server.url}/api/v1/proposals/{proposal.pk}/vote"
    calls = [(ApiToken.objects.create_token(v, "race")[1], {"option_id": yes}) for v in voters]
    statuses = _put_each(url, calls)
    assert statuses == [200] * len(voters)
    assert Vote.objects.filter(proposal=proposal).count() == len(voters)
