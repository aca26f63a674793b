"""Two daphne processes share one database and Redis: a change made through one reaches
pages connected to the other."""

import json
import os
import time

import pytest
from websockets.sync.client import connect

from .servers import Site, log_in, post_form

pytestmark = [
    pytest.mark.nodes,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="REDIS_URL is not set: several server processes need the Redis channel layer",
    ),
]

PASSWORD = "pw-Allmende-1"
SETUP = f"""
from django.contrib.auth.models import User
from garden.members.models import Garden, Membership
garden = Garden.objects.get_current()
garden.name = "Zwei Prozesse"
garden.join_policy = Garden.JoinPolicy.APPROVAL
garden.save()
cora = User.objects.create_user("cora", "cora@example.org", "{PASSWORD}")
Membership.objects.create(user=cora, garden=garden, role="coordinator", status="active")
mara = User.objects.create_user("mara", "mara@example.org", "{PASSWORD}")
pending = Membership.objects.create(user=mara, garden=garden, role="member", status="pending")
print(pending.pk)
"""


@pytest.fixture(scope="module")
def site():
    site = Site("two-processes").migrate()
    try:
        yield site
    finally:
        site.close()


def socket_for(process, client):
    return connect(
        process.ws_url,
        origin=process.url,
        additional_headers={"Cookie": f"sessionid={client.cookies['sessionid']}"},
        open_timeout=30,
    )


def next_event(socket, name: str) -> dict:
    """The next event of that name; other garden events (e.g. "members") pass by."""
    deadline = time.monotonic() + 30
    while True:
        event = json.loads(socket.recv(timeout=max(deadline - time.monotonic(), 0.1)))
        if event["event"] == name:
            return event


def test_each_process_pushes_what_was_changed_through_the_other(site):
    membership_id = int(site.shell(SETUP).strip())
    first, second = site.serve(), site.serve()
    assert first.port != second.port

    mara_first = log_in(first.url, "mara", PASSWORD)
    cora_second = log_in(second.url, "cora", PASSWORD)

    # Mara's page is open on process 1; Cora approves her through process 2.
    with socket_for(first, mara_first) as mara_socket:
        response = post_form(cora_second, f"/members/{membership_id}/", {"action": "approve"})
        assert response.status_code == 302
        event = next_event(mara_socket, "notification")
        assert event["data"]["unread"] == 1

    # And the other way: her page open on process 2, she reads her notifications on process 1.
    mara_second = log_in(second.url, "mara", PASSWORD)
    with socket_for(second, mara_second) as mara_socket:
        response = post_form(mara_first, "/notifications/")
        assert response.status_code == 302
        assert next_event(mara_socket, "notifications-read")["data"] == {"unread": 0}
