"""People follow gardens: a Follow from an actor that is not a garden makes a follower, never
a peer; Accept (automatic or by hand), Undo, remove, block the actor or its server; public
posts reach each follower's server once, through its shared inbox."""

import json

import pytest
from django.test import Client

from federation import followers
from federation.models import (
    BlockedServer,
    Delivery,
    FederationSettings,
    Follower,
    OutboxActivity,
    Peer,
)
from garden.members.models import Notification
from tests.conftest import client_for

from .remote import RemoteGarden


class RemotePerson(RemoteGarden):
    """A Mastodon-shaped account: a Person with a shared inbox on its server."""

    def __init__(self, host="social.example", username="ada", name="Ada <b>L</b>"):
        super().__init__(host=host, name=name)
        self.username = username
        self.actor_url = f"{self.origin}/users/{username}"
        self.inbox_url = f"{self.actor_url}/inbox"

    def document(self) -> dict:
        document = super().document()
        document.update(
            type="Person",
            preferredUsername=self.username,
            endpoints={"sharedInbox": f"{self.origin}/inbox"},
        )
        document.pop("location")
        return document


class Server:
    """Several accounts on one server (the test Network routes by host)."""

    def __init__(self, *people: RemotePerson):
        self.people = list(people)

    def handler(self, request):
        for person in self.people:
            response = person.handler(request)
            if response.status_code != 404:
                return response
        return response


def on_server(network, person: RemotePerson) -> RemotePerson:
    server = network.gardens.get(person.host)
    if not isinstance(server, Server):
        server = network.gardens[person.host] = Server()
    server.people.append(person)
    return person


def post(activity):
    body = json.dumps(activity).encode()
    return Client().generic("POST", "/inbox", body, content_type="application/activity+json")


@pytest.fixture
def person(network):
    return on_server(network, RemotePerson())


def follow(person, garden_actor=None):
    from django.conf import settings

    activity = person.signed("Follow", garden_actor or f"{settings.ALLMENDE_URL}/actor")
    return activity, post(activity)


def sent_to(inbox: str) -> list[dict]:
    return [
        delivery.activity.activity
        for delivery in Delivery.objects.filter(inbox_url=inbox).select_related("activity")
    ]


def test_a_person_following_becomes_a_follower_never_a_peer(garden, person, settings):
    activity, response = follow(person, f"{settings.ALLMENDE_URL}/actor")
    assert response.status_code == 202
    assert not Peer.objects.exists()
    row = Follower.objects.get()
    assert (row.state, row.handle) == ("accepted", "ada@social.example")
    assert row.server == "social.example"
    assert row.name == "Ada <b>L</b>"  # stored as plain text, escaped on output
    assert row.delivery_inbox == "https://social.example/inbox"
    [accept] = sent_to(person.inbox_url)
    assert accept["type"] == "Accept" and accept["object"]["id"] == activity["id"]
    assert accept["object"]["actor"] == person.actor_url
    collection = Client().get("/followers", HTTP_ACCEPT="application/activity+json").json()
    assert collection["totalItems"] == 1


def test_by_hand_the_follower_waits_and_coordinators_are_told(garden, coordinator, person):
    FederationSettings.objects.update_or_create(pk=1, defaults={"accept_followers": False})
    follow(person)
    row = Follower.objects.get()
    assert row.state == "pending" and sent_to(person.inbox_url) == []
    assert Notification.objects.filter(user=coordinator, kind="follow_request").exists()
    page = client_for(coordinator).get("/federation/followers/")
    assert page.status_code == 200
    assert "Ada &lt;b&gt;L&lt;/b&gt;" in page.content.decode()
    response = client_for(coordinator).post(f"/federation/followers/{row.pk}/accept/")
    assert response.status_code == 302
    assert Follower.objects.get().state == "accepted"
    assert [a["type"] for a in sent_to(person.inbox_url)] == ["Accept"]


def test_a_follow_of_another_actor_is_refused(garden, person):
    assert follow(person, "https://elsewhere.example/actor")[1].status_code == 422
    assert not Follower.objects.exists()


def test_undo_follow_ends_it(garden, person):
    activity, _ = follow(person)
    undo = person.signed("Undo", {"id": activity["id"], "type": "Follow"})
    assert post(undo).status_code == 202
    assert not Follower.objects.exists()


def test_public_posts_reach_each_server_once_through_its_shared_inbox(garden, network):
    for name in ("ada", "bob", "cem"):
        follow(on_server(network, RemotePerson(username=name)))
    follow(on_server(network, RemotePerson(host="garden.social", username="dora")))
    assert Follower.objects.filter(state="accepted").count() == 4
    Delivery.objects.all().delete()
    followers.publish_to_followers({"type": "Create", "object": {"type": "Note"}})
    row = OutboxActivity.objects.get(activity_type="Create")
    assert row.public and row.activity["cc"][0].endswith("/followers")
    assert sorted(row.deliveries.values_list("inbox_url", flat=True)) == [
        "https://garden.social/inbox",
        "https://social.example/inbox",
    ]


def test_blocking_the_actor_or_its_server_refuses_it(garden, coordinator, person, network):
    follow(person)
    row = Follower.objects.get()
    client_for(coordinator).post(f"/federation/followers/{row.pk}/block/")
    assert Follower.objects.get().state == "blocked"
    assert follow(person)[1].status_code == 403
    assert sent_to(person.inbox_url)[-1]["type"] == "Reject"

    neighbour = on_server(network, RemotePerson(username="bob"))
    follow(neighbour)
    bob = Follower.objects.get(actor_url=neighbour.actor_url)
    client_for(coordinator).post(f"/federation/followers/{bob.pk}/block-server/")
    assert BlockedServer.objects.filter(host="social.example").exists()
    assert follow(on_server(network, RemotePerson(username="cem")))[1].status_code == 403
    assert not Follower.objects.exists()


def test_api_lists_and_removes_followers(garden, coordinator, member, person, api):
    follow(person)
    assert api(member).get("/followers").status_code == 403
    listing = api(coordinator).get("/followers")
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 1 and body["items"][0]["handle"] == "ada@social.example"
    follower_id = body["items"][0]["id"]
    assert api(coordinator).delete(f"/followers/{follower_id}").status_code == 204
    assert not Follower.objects.exists()
    assert sent_to(person.inbox_url)[-1]["type"] == "Reject"
    assert api(coordinator).delete(f"/followers/{follower_id}").status_code == 404


def test_a_garden_following_still_asks_to_peer(garden, remote, network):
    assert post(remote.signed("Follow", "http://testserver/actor")).status_code == 202
    assert Peer.objects.get().state == "pending"
    assert not Follower.objects.exists()
