"""Gardens near you: peers' published lists, suggestions, introductions, finding a garden."""

import json

import pytest
from django.test import Client

from federation import discovery
from federation.models import FederationSettings, Peer, RemoteActor, Suggestion
from federation.peers import resolve_address

from .remote import RemoteGarden


def listed(actor_url: str, name: str, lat: float, lon: float) -> dict:
    return {
        "id": actor_url,
        "type": "Organization",
        "name": name,
        "location": {"type": "Place", "latitude": lat, "longitude": lon},
    }


@pytest.fixture
def two_peers(db, garden, network):
    """Two fake peers; each lists gardens near and far of ours (Berlin, 52.52/13.405)."""
    second = RemoteGarden("second.example", "Zweiter Garten")
    network.gardens[second.host] = second
    first = next(iter(network.gardens.values()))
    rows = []
    for remote in (first, second):
        rows.append(
            Peer.objects.create(
                actor_url=remote.actor_url,
                inbox_url=remote.inbox_url,
                name=remote.name,
                state="accepted",
                latitude=remote.latitude,
                longitude=remote.longitude,
            )
        )
    near = listed("https://near.example/actor", "Naher Garten", 52.53, 13.42)
    far = listed("https://far.example/actor", "Ferner Garten", 48.14, 11.58)
    first.neighbours = [near, far, listed(second.actor_url, second.name, 52.52, 13.41)]
    second.neighbours = [near]
    return rows


def test_suggestions_are_near_unpeered_gardens_known_by_our_peers(two_peers, api, coordinator):
    FederationSettings.objects.update_or_create(pk=1, defaults={"suggest_within_km": 10})
    assert discovery.refresh() == 1
    page = api(coordinator).get("/suggestions").json()
    assert page["count"] == 1
    (item,) = page["items"]
    assert (item["name"], item["known_by"], item["introduced_by"]) == ("Naher Garten", 2, "")
    assert 0 < item["distance_km"] < 10


def test_a_dismissed_suggestion_stays_dismissed(two_peers, api, coordinator):
    FederationSettings.objects.update_or_create(pk=1, defaults={"suggest_within_km": 10})
    discovery.refresh()
    suggestion = Suggestion.objects.get()
    assert api(coordinator).post(f"/suggestions/{suggestion.pk}/dismiss").status_code == 200
    discovery.refresh()
    assert api(coordinator).get("/suggestions").json()["count"] == 0
    assert api(coordinator).post(f"/suggestions/{suggestion.pk}/peer").status_code == 404


def test_blocked_gardens_are_not_suggested(two_peers):
    FederationSettings.objects.update_or_create(pk=1, defaults={"suggest_within_km": 10})
    Peer.objects.create(
        actor_url="https://near.example/actor",
        inbox_url="https://near.example/inbox",
        state="blocked",
    )
    assert discovery.refresh() == 0


def test_suggestions_are_for_coordinators(api, member, garden):
    assert api(member).get("/suggestions").status_code == 403


def test_our_list_names_only_peers_that_agreed_and_can_be_switched_off(db, garden, remote):
    peer = Peer.objects.create(
        actor_url=remote.actor_url, inbox_url=remote.inbox_url, name="Fremd", state="accepted"
    )
    accept = {"HTTP_ACCEPT": "application/activity+json"}
    RemoteActor.objects.create(
        actor_url=peer.actor_url, document={"discoverable": False}, fetched_at="2026-01-01T00:00Z"
    )
    assert Client().get("/neighbours", **accept).json()["orderedItems"] == []
    RemoteActor.objects.filter(actor_url=peer.actor_url).update(document={"discoverable": True})
    items = Client().get("/neighbours", **accept).json()["orderedItems"]
    assert [item["id"] for item in items] == [remote.actor_url]
    actor = Client().get("/actor", **accept).json()
    assert actor["discoverable"] is True and actor["neighbours"].endswith("/neighbours")
    FederationSettings.objects.update_or_create(pk=1, defaults={"publish_peers": False})
    assert Client().get("/neighbours", **accept).status_code == 404
    assert "neighbours" not in Client().get("/actor", **accept).json()


def test_an_introduction_from_a_peer_becomes_a_suggestion(db, garden, remote, network):
    Peer.objects.create(
        actor_url=remote.actor_url, inbox_url=remote.inbox_url, name=remote.name, state="accepted"
    )
    introduced = listed("https://third.example/actor", "Dritter Garten", 52.5, 13.4)
    body = json.dumps(remote.signed("Offer", introduced)).encode()
    response = Client().generic("POST", "/inbox", body, content_type="application/activity+json")
    assert response.status_code == 202
    suggestion = Suggestion.objects.get()
    assert (suggestion.name, suggestion.introduced_by) == ("Dritter Garten", remote.name)


def test_coordinators_introduce_two_peers_to_each_other(two_peers, api, coordinator):
    first, second = two_peers
    payload = {"peer_id": first.pk, "to_peer_id": second.pk}
    assert api(coordinator).post("/peers/introduce", payload).status_code == 204
    sent = {d.peer_id: d.activity.activity["object"]["id"] for d in first.deliveries.all()}
    sent |= {d.peer_id: d.activity.activity["object"]["id"] for d in second.deliveries.all()}
    assert sent == {first.pk: second.actor_url, second.pk: first.actor_url}
    same = {"peer_id": first.pk, "to_peer_id": first.pk}
    assert api(coordinator).post("/peers/introduce", same).status_code == 400


@pytest.mark.parametrize(
    "address",
    [
        "remote.example",
        "https://remote.example/",
        "https://remote.example/actor",
        "@fremd@remote.example",
        "fremd@remote.example",
        "acct:fremd@remote.example",
    ],
)
def test_a_garden_is_found_from_any_address(db, remote, network, address):
    assert resolve_address(address)["id"] == remote.actor_url


def test_the_peers_page_suggests_and_peers_in_one_click(two_peers, coordinator, monkeypatch):
    from tests.conftest import client_for

    FederationSettings.objects.update_or_create(pk=1, defaults={"suggest_within_km": 10})
    client = client_for(coordinator)
    response = client.post("/federation/suggestions/refresh/", follow=True)
    page = response.content.decode()
    assert "Naher Garten" in page and "known by 2 neighbours" in page
    suggestion = Suggestion.objects.get()
    asked = []
    monkeypatch.setattr(
        discovery, "request_peering", lambda address: asked.append(address) or two_peers[0]
    )
    client.post(f"/federation/suggestions/{suggestion.pk}/peer/")
    assert asked == ["https://near.example/actor"] and not Suggestion.objects.exists()
