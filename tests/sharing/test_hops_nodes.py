"""Offers travel one hop further, between real nodes (issue 14).

A, B, C in a row about 3.4 km apart: A–B and B–C peer, A and C do not, and C is within A's
share radius (10 km). D peers with B but is about 11 km from A, beyond A's radius.
"""

import re

import httpx
import pytest

from tests.nodes import node_factory, peer, wait_for  # noqa: F401  (node_factory is a fixture)

from .test_nodes import WAIT, get, member, nearby_offer, offer_payload, post

pytestmark = pytest.mark.nodes


def deliveries(node, kind: str) -> list[tuple[str, str, str]]:
    """(recipient inbox, state, last error) of a node's deliveries of one activity type."""
    out = node.shell(
        "from federation.models import Delivery\n"
        f"for d in Delivery.objects.filter(activity__activity_type={kind!r}).order_by('pk'):\n"
        "    print(d.inbox_url, d.state, repr(d.last_error))\n"
    )
    return [tuple(line.split(" ", 2)) for line in out.splitlines() if line]


def settled(node, kind: str) -> list[tuple[str, str, str]] | None:
    found = deliveries(node, kind)
    return (
        found if found and all(state in ("delivered", "failed") for _, state, _ in found) else None
    )


_passwords_set: set[tuple[str, str]] = set()


def signed_in(node, username: str, language: str) -> httpx.Client:
    """A browser-like session on a node's pages (password sign-in, CSRF cookie). The password
    is set once per person: setting it again would end the person's other sessions."""
    if (node.url, username) not in _passwords_set:
        node.shell(
            "from django.contrib.auth.models import User\n"
            f"u = User.objects.get(username={username!r})\n"
            "u.set_password('allmende-nodes'); u.save()\n"
        )
        _passwords_set.add((node.url, username))
    client = httpx.Client(
        base_url=node.url, headers={"Accept-Language": language}, follow_redirects=True
    )
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        data={
            "username": username,
            "password": "allmende-nodes",
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    assert response.status_code == 200 and "sessionid" in client.cookies, response.text[-500:]
    return client


def click(client: httpx.Client, path: str) -> str:
    """POST a page's button (a form with only the CSRF token); returns the page it leads to."""
    response = client.post(path, data={"csrfmiddlewaretoken": client.cookies["csrftoken"]})
    assert response.status_code == 200, response.text[-500:]
    return response.text


def test_an_offer_reaches_peers_of_peers_within_the_origins_radius(node_factory):  # noqa: F811
    a = node_factory(name="Garten A", latitude=52.50, longitude=13.40)
    b = node_factory(name="Garten B", latitude=52.50, longitude=13.45)
    c = node_factory(name="Garten C", latitude=52.50, longitude=13.50)
    d = node_factory(name="Garten D", latitude=52.55, longitude=13.54)
    a_mara = member(a, "mara", "Mara", coordinator=True)
    b_coord = member(b, "bcoord", "B coord", coordinator=True)
    c_coord, c_carl = member(c, "ccoord", "C coord", True), member(c, "carl", "Carl")
    d_coord = member(d, "dcoord", "D coord", coordinator=True)
    peer(a, b, a_mara, b_coord)
    peer(c, b, c_coord, b_coord)
    peer(d, b, d_coord, b_coord)

    # A offers 5 kg (hop limit 1, the default): B has it from A, C through B, D not at all.
    offer = post(a, a_mara, "/offers", offer_payload("Zucchini", "5"))
    wait_for(lambda: nearby_offer(b, b_coord, "Zucchini"), timeout=WAIT)
    on_c = wait_for(lambda: nearby_offer(c, c_carl, "Zucchini"), timeout=WAIT)
    assert on_c["garden"] == "Garten A" and on_c["offered_by"] == "Mara"
    assert on_c["distance_km"] == pytest.approx(6.8, abs=0.2)  # from C to A, not to B
    assert settled(b, "Announce") == [(c.inbox_url, "delivered", "''")]
    assert nearby_offer(d, d_coord, "Zucchini") is None

    # C claims 2 kg directly at A (they do not peer); A confirms, and 3 kg are left everywhere.
    claim = post(c, c_carl, f"/offers/{on_c['id']}/claims", {"quantity": "2"}, expect=(202,))
    assert claim["status"] == "pending"

    def c_claim():
        return next(x for x in get(c, c_carl, "/claims") if x["id"] == claim["id"])["status"]

    wait_for(lambda: c_claim() == "confirmed", timeout=WAIT)
    assert get(a, a_mara, f"/offers/{offer['id']}")["quantity_left"] == 3.0
    on_a = get(a, a_mara, f"/offers/{offer['id']}/claims")
    assert [(x["claimant"], x["garden"], x["status"]) for x in on_a] == [
        ("Carl", "Garten C", "confirmed")
    ]
    wait_for(lambda: nearby_offer(b, b_coord, "Zucchini")["quantity_left"] == 3.0, timeout=WAIT)
    wait_for(lambda: nearby_offer(c, c_carl, "Zucchini")["quantity_left"] == 3.0, timeout=WAIT)
    assert not any(p["actor_url"] == a.actor_url for p in c.peers(c_coord))

    # B alters what it passes on (50 kg instead of 3): C refuses it and keeps A's figures.
    b.shell(
        "from federation import outbox\n"
        "from federation.models import OutboxActivity, Peer\n"
        "sent = OutboxActivity.objects.filter(activity_type='Announce').first().activity\n"
        "offer = dict(sent['object']['object'], quantityLeft='50.00')\n"
        "inner = dict(sent['object'], object=offer)\n"
        f"to = Peer.objects.get(actor_url={c.actor_url!r})\n"
        "outbox.publish({'type': 'Announce', 'object': inner}, to=[to], public=False)\n"
    )

    def altered_outcome():
        found = deliveries(b, "Announce")
        return found[-1] if found[-1][1] in ("delivered", "failed") else None

    # C accepts the Announce for processing (202) and its inbox worker refuses it: the
    # origin's proof on the embedded offer no longer verifies.
    _, state, error = wait_for(altered_outcome, timeout=WAIT)
    assert (state, error) == ("delivered", "''")

    def refused_on_c():
        return c.shell(
            "from federation.models import InboxActivity\n"
            "print(*InboxActivity.objects.filter(activity_type='Announce', state='refused')"
            ".values_list('last_error', flat=True), sep='|')\n"
        ).strip()

    assert wait_for(refused_on_c, timeout=WAIT).startswith("422: ")
    assert nearby_offer(c, c_carl, "Zucchini")["quantity_left"] == 3.0
    assert "does not verify with its origin's key" in (c.data_dir / "serve.log").read_text()

    # C's pages show A's offer, in German and in English, and where it is on the map.
    german, english = signed_in(c, "carl", "de"), signed_in(c, "ccoord", "en")
    nearby = german.get("/share/").text
    assert "Zucchini" in nearby and "Garten A" in nearby and "Teilen" in nearby
    assert "Zucchini" in english.get("/share/map/").text

    # C is offered A as a garden near it, known by one neighbour (B), and peers in one click.
    a.shell(
        "from federation.models import FederationSettings\n"
        "FederationSettings.objects.update_or_create(pk=1, defaults={'auto_accept_km': 10})\n"
    )
    page = click(english, "/federation/suggestions/refresh/")
    assert re.search(r"Garten A</strong>[^<]*6\.8 km[^<]*known by 1 neighbour\b", page)
    german_coordinator = signed_in(c, "ccoord", "de")
    assert "bekannt bei 1 Nachbargarten" in german_coordinator.get("/federation/peers/").text
    found = {s["name"]: s for s in get(c, c_coord, "/suggestions")["items"]}
    assert found["Garten A"]["known_by"] == 1 and found["Garten A"]["introduced_by"] == ""
    assert found["Garten A"]["distance_km"] == pytest.approx(6.8, abs=0.2)
    assert "Garten D" in found  # a peer of B, near C too
    page = click(english, f"/federation/suggestions/{found['Garten A']['id']}/peer/")
    assert "Peering request sent to Garten A." in page or "now peered" in page, page[-3000:]

    def c_peers_with_a():
        return any(
            p["actor_url"] == a.actor_url and p["state"] == "accepted" for p in c.peers(c_coord)
        )

    wait_for(c_peers_with_a, timeout=WAIT)
    assert [s["name"] for s in get(c, c_coord, "/suggestions")["items"]] == ["Garten D"]
    # The API's one click does the same: C peers with D.
    post(c, c_coord, f"/suggestions/{found['Garten D']['id']}/peer", expect=(201,))
    assert get(c, c_coord, "/suggestions")["count"] == 0
    map_data = get(c, c_carl, "/map")
    assert [(o["crop"], o["garden"], o["latitude"]) for o in map_data["offers"]] == [
        ("Zucchini", "Garten A", 52.5)
    ]
