"""A Mastodon-shaped follower and a real node (separate processes, real HTTP on loopback).

ada's server signs with Fedify and checks every request it receives with Fedify. She follows
the garden with a draft-cavage signed Follow (as Mastodon sends it), receives the signed
Accept, then a public offer as Create{Note}, its Update and its Delete; her reply shows under
the offer; after Undo{Follow} she receives nothing more.
"""

import importlib.util
import time
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from tests.nodes import node_factory, wait_for  # noqa: F401  (node_factory is a fixture)

from .mastodon import Fedify, MastodonServer, install_fedify

pytestmark = pytest.mark.nodes

WAIT = 90.0
MISSING_SIGNATURES = (
    "needs draft-cavage HTTP signatures in the inbox and on outgoing requests "
    "(federation/httpsig.py from branch i13-keys): a Mastodon Follow carries no proof"
)


@pytest.fixture
def fedify():
    if importlib.util.find_spec("federation.httpsig") is None:
        pytest.skip(MISSING_SIGNATURES)
    reason = install_fedify()
    if reason:
        pytest.skip(f"Fedify cannot run: {reason}")
    with Fedify() as helper:
        yield helper


def coordinator(node) -> str:
    return node.shell(
        "from django.contrib.auth.models import User\n"
        "from garden.members.models import ApiToken, Garden, Membership\n"
        "u = User.objects.create_user('cora')\n"
        "u.profile.display_name = 'Cora Koordinatorin'; u.profile.save()\n"
        "Membership.objects.create(user=u, garden=Garden.objects.get_current(), "
        "role='coordinator', status='active')\n"
        "print(ApiToken.objects.create_token(u, 'nodes')[1])\n"
    ).strip()


def offer(crop: str) -> dict:
    now = timezone.now()
    return {
        "crop": crop,
        "quantity": "3",
        "unit": "kg",
        "pickup_from": (now + timedelta(hours=1)).isoformat(),
        "pickup_until": (now + timedelta(days=1)).isoformat(),
        "pickup_place": "Kiste am Schuppen",
        "expires_at": (now + timedelta(days=2)).isoformat(),
        "audience": "public",
    }


def call(node, token: str, method: str, path: str, payload=None) -> dict:
    with node.api(token) as client:
        response = client.request(method, path, json=payload)
        assert response.status_code in (200, 201), response.text
        return response.json()


def nothing_queued(node) -> bool:
    return (
        node.shell(
            "from federation.models import Delivery\n"
            "print(Delivery.objects.filter(state__in=['queued', 'sending']).count())\n"
        ).strip()
        == "0"
    )


def test_mastodon_follower_gets_accept_and_public_posts_until_it_unfollows(
    node_factory,  # noqa: F811
    fedify,
):
    node = node_factory(name="Gemeinschaftsgarten Linde", latitude=52.5, longitude=13.4)
    token = coordinator(node)
    with MastodonServer(fedify) as ada:
        follow = ada.follow(node.actor_url)
        response = ada.send(node.inbox_url, follow)
        assert response.status_code == 202, response.text

        [accept] = wait_for(lambda: ada.received_of("Accept", "Follow"), timeout=WAIT)
        assert accept["verified"], accept["reason"]
        assert accept["key_id"].startswith(node.actor_url)
        assert accept["path"] == "/users/ada/inbox"
        assert accept["activity"]["object"]["id"] == follow["id"]
        followers = call(node, token, "GET", "/followers")
        assert followers["count"] == 1 and followers["items"][0]["handle"].startswith("ada@")

        created = call(node, token, "POST", "/offers", offer("Mangold"))
        [create] = wait_for(lambda: ada.received_of("Create", "Note"), timeout=WAIT)
        assert create["verified"], create["reason"]
        assert create["path"] == "/inbox"  # the shared inbox
        note = create["activity"]["object"]
        assert create["activity"]["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
        assert "Mangold" in note["content"] and "Gemeinschaftsgarten Linde" in note["content"]
        assert "Cora" not in str(create["activity"])
        as_json = httpx.get(note["id"], headers={"Accept": "application/activity+json"})
        assert as_json.json()["id"] == note["id"]

        reply = ada.reply(note["id"], node.actor_url, "<p>Ich hole <b>gern</b> 1 kg!</p>")
        assert ada.send(node.inbox_url, reply).status_code == 202
        # Accepted at 202, applied by the inbox worker a moment later.
        page = wait_for(
            lambda: (
                text
                if "Ich hole gern 1 kg!"
                in (text := httpx.get(note["id"], headers={"Accept": "text/html"}).text)
                else None
            ),
            timeout=WAIT,
        )
        assert "Ich hole gern 1 kg!" in page and "Ada Gärtnerin" in page
        replies = call(node, token, "GET", f"/offers/{created['id']}/replies")
        assert replies["items"][0]["author_handle"].startswith("ada@")

        call(node, token, "PATCH", f"/offers/{created['id']}", {"quantity": "2"})
        [update] = wait_for(lambda: ada.received_of("Update", "Note"), timeout=WAIT)
        assert update["verified"] and update["activity"]["object"]["id"] == note["id"]

        call(node, token, "DELETE", f"/offers/{created['id']}")
        [delete] = wait_for(lambda: ada.received_of("Delete"), timeout=WAIT)
        assert delete["verified"] and delete["activity"]["object"]["id"] == note["id"]

        assert ada.send(node.inbox_url, ada.undo(follow)).status_code == 202
        wait_for(lambda: call(node, token, "GET", "/followers")["count"] == 0, timeout=WAIT)
        assert call(node, token, "GET", "/followers")["count"] == 0
        seen = len(ada.received)
        call(node, token, "POST", "/offers", offer("Rhabarber"))
        call(
            node,
            token,
            "POST",
            "/announcements",
            {"title": "Tag der offenen Tür", "body": "Sonntag", "public": True},
        )
        wait_for(lambda: nothing_queued(node), timeout=WAIT)
        time.sleep(1)
        assert len(ada.received) == seen
        assert all(entry["verified"] for entry in ada.received)
