"""The sharing map: page (with its list as the text alternative) and API."""

from federation.models import Suggestion
from garden.sharing import inbox
from tests.conftest import client_for

from .test_inbox import produce


def test_map_api_places_our_peers_and_every_open_offer(api, member, offer, near):
    inbox.offer_arrived(produce(near, name="Beans"), near)
    data = api(member).get("/map").json()
    assert data["garden"]["latitude"] == 52.5
    assert [(p["name"], p["latitude"]) for p in data["peers"]] == [("Garten Nord", 52.52)]
    places = {o["crop"]: (o["garden"], o["latitude"]) for o in data["offers"]}
    assert places["Beans"] == ("Garten Nord", 52.52)
    assert places[offer.crop][1] == 52.5
    assert data["suggestions"] == []  # members do not see suggestions
    only = api(member).get("/map", params={"crop": "bea"}).json()["offers"]
    assert [o["crop"] for o in only] == ["Beans"]
    assert api(member).get("/map", params={"crop": "x" * 81}).status_code == 422


def test_coordinators_see_suggestions_on_the_map(api, coordinator, garden):
    Suggestion.objects.create(
        actor_url="https://s.example/actor", name="Vorschlag", latitude=52.51, longitude=13.4
    )
    (item,) = api(coordinator).get("/map").json()["suggestions"]
    assert item["name"] == "Vorschlag" and item["known_by"] == 0


def test_map_page_lists_everything_and_allows_only_the_tile_server(member, offer, near):
    response = client_for(member).get("/share/map/", headers={"Accept-Language": "en"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "vendor/leaflet/leaflet.js" in page and "share-map-data" in page
    assert "Garten Nord" in page and offer.crop in page and "On the map" in page
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org" in policy
    assert "unpkg" not in page and "cdn" not in page.lower()


def test_map_without_a_tile_server_loads_nothing_from_elsewhere(member, garden, settings):
    settings.MAP_TILE_URL = ""
    response = client_for(member).get("/share/map/")
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]


def test_map_page_in_german(member, garden):
    page = client_for(member).get("/share/map/", headers={"Accept-Language": "de"})
    text = page.content.decode()
    assert "Karte der Gärten und Angebote" in text and "Auf der Karte" in text


def test_map_is_for_members(outsider, garden):
    assert client_for(outsider).get("/share/map/").status_code == 403
