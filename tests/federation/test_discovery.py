"""Actor document, content negotiation, WebFinger and NodeInfo."""

import pytest
from django.test import Client

from federation.crypto import verify_key_from_multibase

AS_PROFILE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


@pytest.mark.parametrize("accept", ["application/activity+json", AS_PROFILE])
def test_actor_is_an_organization_with_a_multikey(garden, accept):
    response = Client().get("/actor", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/activity+json")
    actor = response.json()
    assert actor["type"] == "Organization" and actor["name"] == "Testgarten"
    assert actor["@context"] == [
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        "https://w3id.org/security/data-integrity/v2",
        "https://www.w3.org/ns/cid/v1",
    ]
    assert actor["id"] == "http://127.0.0.1:8000/actor"
    for field in ("inbox", "outbox", "followers"):
        assert actor[field].startswith("http://127.0.0.1:8000/")
    assert actor["location"] == {
        "type": "Place",
        "name": "Testgarten",
        "latitude": 52.5,
        "longitude": 13.4,
    }
    (method,) = actor["assertionMethod"]
    assert method["type"] == "Multikey" and method["controller"] == actor["id"]
    assert method["publicKeyMultibase"].startswith("z6Mk")
    assert method["id"] == f"{actor['id']}#{method['publicKeyMultibase']}"
    verify_key_from_multibase(method["publicKeyMultibase"])


def test_actor_shows_garden_changes_at_once(garden):
    garden.name = "Neuer Name"
    garden.save()
    actor = Client().get("/actor", HTTP_ACCEPT="application/activity+json").json()
    assert actor["name"] == "Neuer Name"


def test_browser_asking_for_the_actor_is_sent_home(garden):
    response = Client().get("/actor", HTTP_ACCEPT="text/html")
    assert response.status_code == 302 and response["Location"] == "/"


def test_actor_page_never_shows_the_private_key(garden, settings):
    from federation import keys

    seed = bytes(keys.ensure_key().signing_key).hex()
    body = Client().get("/actor", HTTP_ACCEPT="application/activity+json").content.decode()
    assert seed not in body


def test_webfinger_finds_the_garden_by_handle(garden):
    response = Client().get(
        "/.well-known/webfinger", {"resource": "acct:testgarten@127.0.0.1:8000"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jrd+json"
    links = response.json()["links"]
    assert {
        "rel": "self",
        "type": "application/activity+json",
        "href": "http://127.0.0.1:8000/actor",
    } in links


def test_webfinger_unknown_resource_is_404(garden):
    response = Client().get("/.well-known/webfinger", {"resource": "acct:nobody@127.0.0.1:8000"})
    assert response.status_code == 404
    assert Client().get("/.well-known/webfinger").status_code == 404


def test_nodeinfo_is_discoverable_and_counts_users(garden, member, coordinator):
    links = Client().get("/.well-known/nodeinfo").json()["links"]
    assert links[0]["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.1"
    info = Client().get(links[0]["href"].replace("http://127.0.0.1:8000", "")).json()
    assert info["version"] == "2.1"
    assert info["software"]["name"] == "allmende" and info["software"]["version"]
    assert info["protocols"] == ["activitypub"]
    assert info["usage"]["users"]["total"] == 2
    assert info["metadata"]["nodeName"] == "Testgarten"


def test_followers_collection_shows_only_a_count(garden):
    followers = Client().get("/followers").json()
    assert followers["type"] == "OrderedCollection" and "orderedItems" not in followers


@pytest.mark.parametrize(
    "resource",
    [
        "acct:testgarten@127.0.0.1:8000",
        "http://127.0.0.1:8000/actor",
        "http://127.0.0.1:8000",
        "http://127.0.0.1:8000/",
    ],
)
def test_webfinger_answers_the_handle_the_actor_and_the_site(garden, resource):
    response = Client().get("/.well-known/webfinger", {"resource": resource})
    assert response.status_code == 200
    document = response.json()
    assert document["subject"] == "acct:testgarten@127.0.0.1:8000"
    assert document["aliases"] == ["http://127.0.0.1:8000/actor"]


def test_home_page_links_the_actor_and_shows_the_handle(garden):
    page = Client().get("/").content.decode()
    assert (
        '<link rel="alternate" type="application/activity+json" '
        'href="http://127.0.0.1:8000/actor">' in page
    )
    assert "@testgarten@127.0.0.1:8000" in page


def test_garden_api_names_the_handle_and_the_actor(garden):
    garden_info = Client().get("/api/v1/garden").json()
    assert garden_info["handle"] == "testgarten@127.0.0.1:8000"
    assert garden_info["actor"] == "http://127.0.0.1:8000/actor"
