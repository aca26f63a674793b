"""Peering rules through the API, the coordinators' page and the services."""

import pytest
from django.test import Client

from federation import peers as services
from federation.models import Delivery, FederationSettings, Peer
from federation.outbox import deliver_batch, publish
from federation.registry import LocalActor, set_local_actor_provider
from tests.conftest import client_for


def make_peer(remote, state="pending", **fields):
    return Peer.objects.create(
        actor_url=remote.actor_url,
        inbox_url=remote.inbox_url,
        name=remote.name,
        state=state,
        follow_id=f"{remote.origin}/follow/1",
        latitude=52.52,
        longitude=13.41,
        **fields,
    )


def test_haversine_distance_berlin_to_hamburg():
    assert services.distance_km(52.5200, 13.4050, 53.5511, 9.9937) == pytest.approx(255.3, abs=1)
    assert services.distance_km(10, 10, 10, 10) == 0


def test_peer_distance_and_peers_within(garden, remote, network):
    near = make_peer(remote, state="accepted")
    far = Peer.objects.create(
        actor_url="https://far.example/actor",
        inbox_url="https://far.example/inbox",
        state="accepted",
        latitude=48.14,
        longitude=11.58,
    )
    Peer.objects.create(
        actor_url="https://unknown.example/actor",
        inbox_url="https://unknown.example/inbox",
        state="accepted",
    )
    assert near.distance_km == pytest.approx(2.3, abs=0.2)
    assert far.distance_km > 400
    assert services.peers_within(10) == [near]
    assert {p.pk for p in services.peers_within(1000)} == {near.pk, far.pk}
    assert set(services.accepted_peers()) == set(Peer.objects.all())


def test_distance_is_unknown_without_our_coordinates(garden, remote):
    garden.latitude = garden.longitude = None
    garden.save()
    assert make_peer(remote).distance_km is None


# API permissions.


@pytest.mark.parametrize("who", [None, "outsider", "member"])
def test_only_coordinators_may_use_the_peers_api(request, api, garden, remote, network, who):
    peer = make_peer(remote)
    client = api(request.getfixturevalue(who) if who else None)
    expected = 401 if who is None else 403
    assert client.get("/peers").status_code == expected
    assert client.post("/peers", {"address": remote.actor_url}).status_code == expected
    for action in ("accept", "reject", "block"):
        assert client.post(f"/peers/{peer.pk}/{action}").status_code == expected
    peer.refresh_from_db()
    assert peer.state == "pending"


def test_coordinator_adds_a_peer_by_url_which_sends_a_signed_follow(
    api, coordinator, remote, network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(coordinator).post("/peers", {"address": remote.actor_url})
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "requested" and body["name"] == remote.name
    assert body["distance_km"] == pytest.approx(2.3, abs=0.2)
    follow = remote.received[0]
    assert follow["type"] == "Follow" and follow["object"] == remote.actor_url
    assert follow["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert Peer.objects.get().follow_id == follow["id"]


def test_coordinator_adds_a_peer_by_handle_through_webfinger(api, coordinator, remote, network):
    response = api(coordinator).post("/peers", {"address": f"@fremd@{remote.host}"})
    assert response.status_code == 201
    assert response.json()["handle"] == f"fremd@{remote.host}"


@pytest.mark.parametrize("address", ["", "not an address", "https://nowhere.example/actor"])
def test_unusable_addresses_are_refused(api, coordinator, network, address):
    # An empty address does not fit the schema (422); the others are refused by a rule (409).
    response = api(coordinator).post("/peers", {"address": address})
    assert response.status_code == (422 if not address else 409) and response.json()["detail"]
    assert not Peer.objects.exists()


@pytest.mark.parametrize("insecure", [False, True])
@pytest.mark.parametrize("address", ["x@4\u00b45y", "x@[zz", "http://[::1", "http://4\u00b45y/"])
def test_addresses_that_are_no_urls_are_refused_before_any_request(
    api, coordinator, settings, insecure, address
):
    # Found by Schemathesis on a test node (FEDERATION_ALLOW_INSECURE): an IDNA-invalid host
    # or a broken IPv6 literal was a 500 instead of a refusal.
    settings.FEDERATION_ALLOW_INSECURE = insecure
    response = api(coordinator).post("/peers", {"address": address})
    assert response.status_code == 409 and response.json()["detail"]
    assert not Peer.objects.exists()


def test_adding_ourselves_is_refused(api, coordinator, network, monkeypatch):
    from federation import peers

    monkeypatch.setattr(peers, "resolve_address", lambda a: {"id": "http://127.0.0.1:8000/actor"})
    assert api(coordinator).post("/peers", {"address": "x"}).status_code == 409


def test_adding_an_already_peered_garden_is_409(api, coordinator, remote, network):
    make_peer(remote, state="accepted")
    assert api(coordinator).post("/peers", {"address": remote.actor_url}).status_code == 409


def test_adding_a_garden_that_asked_us_accepts_its_request(api, coordinator, remote, network):
    make_peer(remote, state="pending")
    response = api(coordinator).post("/peers", {"address": remote.actor_url})
    assert response.status_code == 201 and response.json()["state"] == "accepted"


def test_accept_sends_accept_of_their_follow(api, coordinator, remote, network):
    peer = make_peer(remote)
    response = api(coordinator).post(f"/peers/{peer.pk}/accept")
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    deliver_batch()
    accept = remote.received[0]
    assert accept["type"] == "Accept"
    assert accept["object"] == {
        "id": peer.follow_id,
        "type": "Follow",
        "actor": remote.actor_url,
        "object": "http://127.0.0.1:8000/actor",
    }


def test_reject_sends_reject(api, coordinator, remote, network):
    peer = make_peer(remote)
    assert api(coordinator).post(f"/peers/{peer.pk}/reject").json()["state"] == "rejected"
    deliver_batch()
    assert remote.received[0]["type"] == "Reject"


@pytest.mark.parametrize("state", ["accepted", "rejected", "blocked", "requested"])
def test_only_open_requests_can_be_answered(api, coordinator, remote, network, state):
    peer = make_peer(remote, state=state)
    assert api(coordinator).post(f"/peers/{peer.pk}/accept").status_code == 409
    assert api(coordinator).post(f"/peers/{peer.pk}/reject").status_code == 409
    peer.refresh_from_db()
    assert peer.state == state


def test_block_then_unblock(api, coordinator, remote, network):
    peer = make_peer(remote, state="accepted")
    assert api(coordinator).post(f"/peers/{peer.pk}/block").json()["state"] == "blocked"
    assert api(coordinator).post(f"/peers/{peer.pk}/unblock").json()["state"] == "rejected"
    assert api(coordinator).post(f"/peers/{peer.pk}/unblock").status_code == 409


def test_ending_our_own_follow_sends_undo(api, coordinator, remote, network):
    peer = make_peer(remote, state="accepted", follow_by_us=True)
    assert api(coordinator).post(f"/peers/{peer.pk}/end").json()["state"] == "rejected"
    deliver_batch()
    assert remote.received[0]["type"] == "Undo"
    assert remote.received[0]["object"]["id"] == peer.follow_id


def test_unknown_peer_is_404(api, coordinator):
    assert api(coordinator).post("/peers/999/accept").status_code == 404


def test_peer_list_shows_delivery_health(api, coordinator, remote, network):
    peer = make_peer(remote, state="accepted")
    network.down.add(remote.host)
    publish({"type": "Create", "object": {"type": "Note"}})
    deliver_batch()
    (row,) = api(coordinator).get("/peers").json()
    assert row["id"] == peer.pk and row["queued"] == 1 and row["failing_since"]


def test_local_actor_provider_is_asked_at_request_time(garden, remote):
    set_local_actor_provider(lambda: LocalActor(name="X", latitude=0.0, longitude=0.0))
    try:
        assert make_peer(remote).distance_km > 5000
    finally:
        from garden.core.federation import connect

        connect()


# The coordinators' page.


def test_peers_page_is_for_coordinators_only(garden, member, outsider):
    assert Client().get("/federation/peers/").status_code == 302
    assert client_for(outsider).get("/federation/peers/").status_code == 403
    assert client_for(member).get("/federation/peers/").status_code == 403


def test_peers_page_lists_peers_with_distance_and_failures(coordinator, remote, network):
    make_peer(remote, state="pending")
    remote.inbox_status = 400
    Peer.objects.filter(actor_url=remote.actor_url).update(state="accepted")
    publish({"type": "Create", "object": {"type": "Note"}})
    deliver_batch()
    page = client_for(coordinator).get("/federation/peers/").content.decode()
    assert remote.name in page and "2.3 km" in page and "Retry" in page


def test_page_actions_accept_and_block(coordinator, remote, network):
    peer = make_peer(remote)
    client = client_for(coordinator)
    response = client.post(f"/federation/peers/{peer.pk}/accept/")
    assert response.status_code == 302
    peer.refresh_from_db()
    assert peer.state == "accepted"
    client.post(f"/federation/peers/{peer.pk}/accept/")  # twice: a message, no error
    client.post(f"/federation/peers/{peer.pk}/block/")
    peer.refresh_from_db()
    assert peer.state == "blocked"
    assert client.post(f"/federation/peers/{peer.pk}/explode/").status_code == 404


def test_member_cannot_use_page_actions(member, remote, network):
    peer = make_peer(remote)
    assert client_for(member).post(f"/federation/peers/{peer.pk}/accept/").status_code == 403
    peer.refresh_from_db()
    assert peer.state == "pending"


def test_page_adds_a_peer_and_shows_errors(coordinator, remote, network):
    client = client_for(coordinator)
    response = client.post("/federation/peers/", {"add-address": remote.actor_url})
    assert response.status_code == 302
    assert Peer.objects.get().state == "requested"
    response = client.post("/federation/peers/", {"add-address": "https://nowhere.example/a"})
    assert response.status_code == 200 and "Could not reach" in response.content.decode()


def test_policy_form_sets_the_auto_accept_radius(coordinator):
    client_for(coordinator).post("/federation/policy/", {"policy-auto_accept_km": "15"})
    assert FederationSettings.current().auto_accept_km == 15
    client_for(coordinator).post("/federation/policy/", {"policy-auto_accept_km": "-3"})
    assert FederationSettings.current().auto_accept_km == 15
    client_for(coordinator).post("/federation/policy/", {"policy-auto_accept_km": ""})
    assert FederationSettings.current().auto_accept_km is None


def failed_delivery(remote) -> Delivery:
    make_peer(remote, state="accepted")
    remote.inbox_status = 400
    publish({"type": "Create", "object": {"type": "Note"}})
    deliver_batch()
    return Delivery.objects.get(state="failed")


def test_retry_button_requeues_a_failed_delivery(coordinator, remote, network):
    delivery = failed_delivery(remote)
    response = client_for(coordinator).post(f"/federation/deliveries/{delivery.pk}/retry/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == "queued"


def test_member_cannot_retry(member, remote, network):
    delivery = failed_delivery(remote)
    assert (
        client_for(member).post(f"/federation/deliveries/{delivery.pk}/retry/").status_code == 403
    )


def test_garden_change_is_announced_to_peers_with_update(garden, remote, network):
    make_peer(remote, state="accepted")
    garden.name = "Umbenannt"
    garden.save()
    deliver_batch()
    update = remote.received[0]
    assert update["type"] == "Update" and update["object"]["name"] == "Umbenannt"
