"""Offers passed on by a peer (Announce), through the real inbox in process: the origin's
proof decides, each activity is applied once, blocked gardens and far gardens are ignored."""

import json
import logging

import httpx
import pytest
from django.test import Client

from federation import http
from federation.models import FederationSettings, InboxActivity, Peer
from garden.sharing.federate import _context as sharing_context
from garden.sharing.models import Offer
from tests.federation.remote import Network, RemoteGarden

from .test_inbox import produce


def post(activity) -> int:
    body = json.dumps(activity).encode()
    response = Client().generic("POST", "/inbox", body, content_type="application/activity+json")
    return response.status_code


@pytest.fixture
def gardens(garden, settings, monkeypatch):
    """The origin (about 3 km from us, not our peer) and the relay (our peer)."""
    origin = RemoteGarden("origin.example", "Garten Ursprung", 52.52, 13.43)
    relay = RemoteGarden("relay.example", "Garten Mitte", 52.51, 13.41)
    settings.FEDERATION_ALLOW_INSECURE = False
    monkeypatch.setattr(http, "transport", httpx.MockTransport(Network(origin, relay)))
    monkeypatch.setattr(http, "check_url", lambda url: None)
    Peer.objects.create(
        actor_url=relay.actor_url, inbox_url=relay.inbox_url, name=relay.name, state="accepted"
    )
    FederationSettings.current()
    return origin, relay


def offer_from(origin: RemoteGarden, **overrides) -> dict:
    peer_like = type("P", (), {"actor_url": origin.actor_url})
    activity = produce(peer_like, **{"hopLimit": 1, "radiusKm": 10, **overrides})
    return origin.signed(activity["type"], activity["object"], **{"@context": sharing_context()})


def refusal_of(announce: dict) -> str:
    """Why the inbox worker refused an Announce it had answered 202 (the origin's proof is
    checked after the store)."""
    row = InboxActivity.objects.get(activity_id=announce["id"])
    assert row.state == InboxActivity.State.REFUSED
    return row.last_error


def test_a_relayed_offer_is_stored_as_the_origins_and_applied_once(gardens):
    origin, relay = gardens
    signed = offer_from(origin)
    assert post(relay.signed("Announce", signed)) == 202
    assert post(relay.signed("Announce", signed)) == 202  # a second relay, or a repeat
    offer = Offer.objects.get()
    assert (offer.origin_actor, offer.relayed_by) == (origin.actor_url, relay.actor_url)
    assert offer.origin_name == "Garten Ursprung" and offer.distance_km == pytest.approx(3, abs=0.5)


def test_a_changed_embedded_offer_is_refused_and_logged(gardens, caplog):
    origin, relay = gardens
    signed = offer_from(origin)
    signed["object"]["quantityLeft"] = "50.00"
    announce = relay.signed("Announce", signed)
    with caplog.at_level(logging.WARNING, logger="federation.relay"):
        assert post(announce) == 202
    assert refusal_of(announce).startswith("422: ")
    assert not Offer.objects.exists()
    assert "does not verify with its origin's key" in caplog.text


def test_an_offer_signed_by_the_relay_in_the_origins_name_is_refused(gardens):
    origin, relay = gardens
    activity = origin.activity("Offer", offer_from(origin)["object"])
    forged = origin.sign(activity, key=relay.key, key_id=origin.key_id)
    announce = relay.signed("Announce", forged)
    assert post(announce) == 202
    assert refusal_of(announce).startswith("422: ")
    assert not Offer.objects.exists()


def test_a_blocked_origin_is_ignored_and_a_blocked_relay_refused(gardens):
    origin, relay = gardens
    Peer.objects.create(actor_url=origin.actor_url, inbox_url=origin.inbox_url, state="blocked")
    assert post(relay.signed("Announce", offer_from(origin))) == 202
    assert not Offer.objects.exists()
    Peer.objects.filter(actor_url=relay.actor_url).update(state="blocked")
    assert post(relay.signed("Announce", offer_from(origin))) == 403


def test_beyond_the_origins_radius_a_relayed_offer_is_ignored(gardens):
    origin, relay = gardens
    assert post(relay.signed("Announce", offer_from(origin, radiusKm=1))) == 202
    assert not Offer.objects.exists()


def test_only_offers_travel_relayed_and_only_from_peers(gardens):
    origin, relay = gardens
    claim = origin.signed("Create", {"id": f"{origin.origin}/claims/1", "type": "Claim"})
    assert post(relay.signed("Announce", claim)) == 422
    stranger = RemoteGarden("stranger.example")
    assert post(stranger.signed("Announce", offer_from(origin))) in (401, 403)


def test_a_peer_passes_its_gardens_offer_on_within_the_origins_radius(near, far):
    """We receive ``near``'s offer directly: our other peers within near's radius of near get
    near's own activity in an Announce; near itself and gardens beyond do not; hop limit 0 and
    relayed offers are not passed on."""
    from federation.models import Delivery
    from garden.sharing import inbox

    from .conftest import make_peer

    beside = make_peer("Garten Nebenan", 52.56, 13.4)  # ~4 km from near, ~7 km from us
    activity = {
        "@context": sharing_context(),
        **produce(near, hopLimit=1, radiusKm=5),
        "id": "https://garten-nord.example/a/1",
    }
    inbox.offer_arrived(activity, near)
    (announce,) = Delivery.objects.filter(activity__activity_type="Announce")
    assert announce.peer == beside and announce.activity.activity["object"] == activity
    assert Offer.objects.get().relay_radius_km == 5
    inbox.offer_arrived({**produce(near, number=2, hopLimit=0, radiusKm=5)}, near)
    assert Delivery.objects.filter(activity__activity_type="Announce").count() == 1
    assert far.state == "accepted"  # ~110 km: never a recipient
