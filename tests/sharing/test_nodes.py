"""Sharing between real nodes: separate processes (daphne + worker) on loopback ports.

A is the origin. B (~2 km) and C (~7 km) are within A's share radius of 10 km; D (~110 km)
is peered with A too, but outside it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.nodes import node_factory, peer, wait_for  # noqa: F401  (node_factory is a fixture)

pytestmark = pytest.mark.nodes

WAIT = 120.0


def member(node, username: str, display_name: str, coordinator: bool = False) -> str:
    """An active member with a display name; returns an API token (one shell per person)."""
    role = "coordinator" if coordinator else "member"
    return node.shell(
        "from django.contrib.auth.models import User\n"
        "from garden.members.models import ApiToken, Garden, Membership\n"
        f"u = User.objects.create_user({username!r})\n"
        f"u.profile.display_name = {display_name!r}; u.profile.save()\n"
        "Membership.objects.create(user=u, garden=Garden.objects.get_current(), "
        f"role={role!r}, status='active')\n"
        "print(ApiToken.objects.create_token(u, 'nodes')[1])\n"
    ).strip()


def get(node, token: str, path: str, **params):
    with node.api(token) as client:
        response = client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


def post(node, token: str, path: str, payload=None, expect=(200, 201, 202)):
    with node.api(token) as client:
        response = client.post(path, json=payload or {})
        assert response.status_code in expect, response.text
        return response.json()


def offer_payload(crop: str, quantity: str) -> dict:
    now = timezone.now()
    return {
        "crop": crop,
        "quantity": quantity,
        "unit": "kg",
        "pickup_from": (now + timedelta(hours=1)).isoformat(),
        "pickup_until": (now + timedelta(days=1)).isoformat(),
        "pickup_place": "Crate by the shed",
        "expires_at": (now + timedelta(days=2)).isoformat(),
        "audience": "neighbours",
    }


def nearby_offer(node, token: str, crop: str):
    return next((o for o in get(node, token, "/nearby") if o["crop"] == crop), None)


def status_on(node, crop: str) -> str:
    return node.shell(
        f"from garden.sharing.models import Offer\nprint(Offer.objects.get(crop={crop!r}).status)\n"
    ).strip()


def test_offers_claims_loans_and_expiry_travel_between_gardens(node_factory):  # noqa: F811
    a = node_factory(name="Garten A", latitude=52.50, longitude=13.40)
    b = node_factory(name="Garten B", latitude=52.52, longitude=13.40)
    c = node_factory(name="Garten C", latitude=52.50, longitude=13.50)
    d = node_factory(name="Garten D", latitude=53.50, longitude=13.40)

    a_coord = member(a, "cora", "Cora", coordinator=True)
    a_mara = member(a, "mara", "Mara")
    b_coord, b_bea = member(b, "bcoord", "B coord", True), member(b, "bea", "Bea")
    c_coord, c_carl = member(c, "ccoord", "C coord", True), member(c, "carl", "Carl")
    d_coord = member(d, "dcoord", "D coord", True)
    for other, token in ((b, b_coord), (c, c_coord), (d, d_coord)):
        peer(a, other, a_coord, token)

    # An offer on A reaches B and C, within the radius, and not D.
    offer = post(a, a_mara, "/offers", offer_payload("Zucchini", "5"))
    on_b = wait_for(lambda: nearby_offer(b, b_bea, "Zucchini"), timeout=WAIT)
    on_c = wait_for(lambda: nearby_offer(c, c_carl, "Zucchini"), timeout=WAIT)
    assert on_b["garden"] == "Garten A" and on_b["offered_by"] == "Mara"
    assert on_b["distance_km"] == pytest.approx(2.2, abs=0.2)
    assert on_c["quantity_left"] == 5.0
    deliveries = a.shell(
        "from federation.models import Delivery\n"
        "print(sorted(d.peer.name for d in Delivery.objects.filter("
        "activity__activity_type='Offer')))\n"
    )
    assert deliveries.strip() == "['Garten B', 'Garten C']"
    assert nearby_offer(d, d_coord, "Zucchini") is None

    # B and C together claim more than is left: A confirms up to 5 kg and declines the rest.
    claim_b = post(b, b_bea, f"/offers/{on_b['id']}/claims", {"quantity": "3"}, expect=(202,))
    claim_c = post(c, c_carl, f"/offers/{on_c['id']}/claims", {"quantity": "3"}, expect=(202,))
    assert claim_b["status"] == claim_c["status"] == "pending"

    def decided(node, token):
        claims = get(node, token, "/claims")
        return claims[0]["status"] if claims and claims[0]["status"] != "pending" else None

    outcomes = {
        wait_for(lambda: decided(b, b_bea), timeout=WAIT),
        wait_for(lambda: decided(c, c_carl), timeout=WAIT),
    }
    assert outcomes == {"confirmed", "declined"}
    on_origin = get(a, a_mara, f"/offers/{offer['id']}/claims")
    assert {(x["claimant"], x["garden"], x["status"]) for x in on_origin} == {
        ("Bea", "Garten B", decided(b, b_bea)),
        ("Carl", "Garten C", decided(c, c_carl)),
    }
    assert get(a, a_mara, f"/offers/{offer['id']}")["quantity_left"] == 2.0
    wait_for(lambda: nearby_offer(b, b_bea, "Zucchini")["quantity_left"] == 2.0, timeout=WAIT)

    # The offerer marks the confirmed claim picked up; the claimant's garden sees it.
    confirmed = next(x for x in on_origin if x["status"] == "confirmed")
    post(a, a_mara, f"/claims/{confirmed['id']}/picked-up")
    winner, winner_token = (b, b_bea) if confirmed["garden"] == "Garten B" else (c, c_carl)
    wait_for(lambda: decided(winner, winner_token) == "picked_up", timeout=WAIT)

    # A tool loan from A to B goes the whole way round.
    tool = post(a, a_coord, "/tools", {"name": "Tiller", "lend_to_neighbours": True})

    def remote_tool():
        return next((t for t in get(b, b_bea, "/tools") if t["remote"]), None)

    tool_on_b = wait_for(remote_tool, timeout=WAIT)
    assert tool_on_b["name"] == "Tiller" and tool_on_b["garden"] == "Garten A"
    start = timezone.localdate() + timedelta(days=1)
    dates = {"start_date": str(start), "end_date": str(start + timedelta(days=2))}
    loan_b = post(b, b_bea, f"/tools/{tool_on_b['id']}/loans", dates, expect=(202,))

    def loan_on(node, token, status):
        loans = [x for x in get(node, token, "/loans")["items"] if x["status"] == status]
        return loans[0] if loans else None

    loan_a = wait_for(lambda: loan_on(a, a_coord, "requested"), timeout=WAIT)
    assert (loan_a["borrower"], loan_a["borrower_garden"]) == ("Bea", "Garten B")
    assert loan_a["tool_id"] == tool["id"]
    post(a, a_coord, f"/loans/{loan_a['id']}/decision", {"approve": True})
    wait_for(lambda: loan_on(b, b_bea, "approved"), timeout=WAIT)
    booked = [{"start": dates["start_date"], "end": dates["end_date"]}]
    wait_for(lambda: remote_tool()["booked"] == booked, timeout=WAIT)
    post(a, a_coord, f"/loans/{loan_a['id']}/lent")
    wait_for(lambda: loan_on(b, b_bea, "lent"), timeout=WAIT)
    post(a, a_coord, f"/loans/{loan_a['id']}/returned", {"condition_note": "Blade dull"})
    returned = wait_for(lambda: loan_on(b, b_bea, "returned"), timeout=WAIT)
    assert returned["id"] == loan_b["id"] and returned["return_note"] == "Blade dull"

    # An expired offer disappears everywhere.
    post(a, a_mara, "/offers", offer_payload("Beans", "2"))
    wait_for(lambda: nearby_offer(b, b_bea, "Beans"), timeout=WAIT)
    wait_for(lambda: nearby_offer(c, c_carl, "Beans"), timeout=WAIT)
    a.shell(
        "from django.utils import timezone\n"
        "from garden.sharing.models import Offer\n"
        "Offer.objects.filter(crop='Beans').update(expires_at=timezone.now())\n"
    )
    assert "1 offer(s) expired" in a.manage("sharing_expire")
    assert nearby_offer(a, a_mara, "Beans") is None
    for node in (b, c):
        wait_for(lambda node=node: status_on(node, "Beans") != "open", timeout=WAIT)
    assert nearby_offer(b, b_bea, "Beans") is None and nearby_offer(c, c_carl, "Beans") is None


def claim_on_origin(node, remote_id: str) -> tuple[str, str]:
    """(status of the claim, quantity left of its offer) on the origin, by the claim's URL."""
    return tuple(
        node.shell(
            "from garden.sharing.models import Claim\n"
            f"c = Claim.objects.select_related('offer').get(remote_id={remote_id!r})\n"
            "print(c.status, c.offer.quantity_left)\n"
        ).split()
    )


def test_a_neighbour_withdraws_its_claim_and_only_it_may(node_factory):  # noqa: F811
    a = node_factory(name="Garten A", latitude=52.50, longitude=13.40)
    b = node_factory(name="Garten B", latitude=52.52, longitude=13.40)
    c = node_factory(name="Garten C", latitude=52.50, longitude=13.50)
    a_coord, a_mara = member(a, "cora", "Cora", coordinator=True), member(a, "mara", "Mara")
    b_coord, b_bea = member(b, "bcoord", "B coord", True), member(b, "bea", "Bea")
    c_coord = member(c, "ccoord", "C coord", True)
    for other, token in ((b, b_coord), (c, c_coord)):
        peer(a, other, a_coord, token)

    # A offers 5 kg; B's member claims 2 kg, and A confirms it.
    offer = post(a, a_mara, "/offers", offer_payload("Chard", "5"))
    on_b = wait_for(lambda: nearby_offer(b, b_bea, "Chard"), timeout=WAIT)
    claim = post(b, b_bea, f"/offers/{on_b['id']}/claims", {"quantity": "2"}, expect=(202,))
    claim_url = f"{b.url}/objects/claims/{claim['id']}"

    def claim_on_b():
        return next(x for x in get(b, b_bea, "/claims") if x["id"] == claim["id"])["status"]

    wait_for(lambda: claim_on_b() == "confirmed", timeout=WAIT)
    assert claim_on_origin(a, claim_url) == ("confirmed", "3.00")

    # Garden C sends an Undo of B's claim (signed by C, over HTTP): A refuses it for good.
    c.shell(
        "from federation import outbox\n"
        "from federation.models import Peer\n"
        f"to = Peer.objects.get(actor_url={a.actor_url!r})\n"
        "outbox.publish({'type': 'Undo', 'object': {'id': "
        f"{claim_url!r}, 'type': 'Claim', 'object': "
        f"{a.url + '/objects/offers/' + str(offer['id'])!r}}}}}, to=[to])\n"
    )

    def c_undo_outcome():
        return c.shell(
            "from federation.models import Delivery\n"
            "d = Delivery.objects.get(activity__activity_type='Undo')\n"
            "print(f'{d.state}: {d.last_error}' if d.state in ('delivered', 'failed') else '')\n"
        ).strip()

    # 400: the claim is not an object of C's, so A gives C no say over it. A's inbox worker
    # refuses it after the 202 and keeps it as refused with that status.
    assert wait_for(c_undo_outcome, timeout=WAIT) == "delivered:"
    refused = a.shell(
        "from federation.models import InboxActivity\n"
        "row = InboxActivity.objects.get(activity_type='Undo')\n"
        "print(row.state, row.last_error[:4])\n"
    ).split()
    assert refused == ["refused", "400:"]
    assert claim_on_origin(a, claim_url) == ("confirmed", "3.00")

    # B's member withdraws the claim: A marks it withdrawn and the 2 kg are free again,
    # on A and on B's copy of the offer.
    withdrawn = post(b, b_bea, f"/claims/{claim['id']}/withdraw")
    assert withdrawn["status"] == "withdrawn"
    wait_for(lambda: claim_on_origin(a, claim_url)[0] == "withdrawn", timeout=WAIT)
    assert claim_on_origin(a, claim_url) == ("withdrawn", "5.00")
    assert get(a, a_mara, f"/offers/{offer['id']}")["quantity_left"] == 5.0
    on_a = get(a, a_mara, f"/offers/{offer['id']}/claims")
    assert [(x["claimant"], x["garden"], x["status"]) for x in on_a] == [
        ("Bea", "Garten B", "withdrawn")
    ]
    wait_for(lambda: nearby_offer(b, b_bea, "Chard")["quantity_left"] == 5.0, timeout=WAIT)
    assert claim_on_b() == "withdrawn"
