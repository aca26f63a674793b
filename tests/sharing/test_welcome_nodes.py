"""Two real nodes that have just peered: the accepting garden's Accept and everything it
shares travel together, and nothing of it is lost or given up on (issue 14's peering defect:
offers overtook the Accept, were refused with 403 and dropped)."""

import pytest

from tests.nodes import node_factory, peer, wait_for  # noqa: F401  (node_factory is a fixture)

from .test_nodes import WAIT, get, member, offer_payload, post

pytestmark = pytest.mark.nodes

CROPS = ["Zucchini", "Beans", "Chard", "Kale", "Pumpkin"]
TOOLS = ["Tiller", "Wheelbarrow", "Hedge shears"]


def test_a_new_peer_receives_everything_the_accepting_garden_shares(node_factory):  # noqa: F811
    a = node_factory(name="Garten A", latitude=52.50, longitude=13.40)
    b = node_factory(name="Garten B", latitude=52.52, longitude=13.40)
    a_coord = member(a, "acoord", "A coord", coordinator=True)
    b_coord = member(b, "bcoord", "B coord", coordinator=True)
    for crop in CROPS:
        post(b, b_coord, "/offers", offer_payload(crop, "2"))
    for name in TOOLS:
        post(b, b_coord, "/tools", {"name": name, "lend_to_neighbours": True})

    peer(a, b, a_coord, b_coord)  # A asks, B accepts: B's Accept, offers and tools go at once

    def remote_crops():
        return sorted(o["crop"] for o in get(a, a_coord, "/nearby") if o["garden"] == "Garten B")

    def remote_tools():
        return sorted(t["name"] for t in get(a, a_coord, "/tools") if t["remote"])

    wait_for(lambda: remote_crops() == sorted(CROPS), timeout=WAIT)
    wait_for(lambda: remote_tools() == sorted(TOOLS), timeout=WAIT)

    def a_as_seen_by_b():
        return next(p for p in b.peers(b_coord) if p["actor_url"] == a.actor_url)

    wait_for(lambda: a_as_seen_by_b()["queued"] == 0, timeout=WAIT)
    seen = a_as_seen_by_b()
    assert seen["state"] == "accepted" and seen["failed"] == 0 and seen["failing_since"] is None
    refused = a.shell(
        "from federation.models import Delivery\n"
        "print(Delivery.objects.exclude(state='delivered').count())\n"
    )
    assert refused.strip() == "0"
