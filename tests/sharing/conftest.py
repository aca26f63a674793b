"""Sharing fixtures: neighbour gardens as federation peers, offers and tools ready to use."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from federation.models import OutboxActivity, Peer
from garden.sharing import services
from garden.sharing.models import Offer, Tool


def make_peer(name: str, latitude: float, longitude: float, state: str = "accepted") -> Peer:
    host = name.lower().replace(" ", "-") + ".example"
    return Peer.objects.create(
        actor_url=f"https://{host}/actor",
        inbox_url=f"https://{host}/inbox",
        name=name,
        latitude=latitude,
        longitude=longitude,
        state=state,
    )


@pytest.fixture
def near(garden) -> Peer:
    """About 2 km from the test garden (52.5, 13.4); the default radius is 10 km."""
    return make_peer("Garten Nord", 52.52, 13.4)


@pytest.fixture
def far(garden) -> Peer:
    """About 110 km away: outside the radius."""
    return make_peer("Garten Fern", 53.5, 13.4)


def sent(activity_type: str | None = None) -> list[dict]:
    """Activities in our outbox, oldest first, each with the inboxes it goes to."""
    rows = OutboxActivity.objects.order_by("created_at", "pk").prefetch_related("deliveries")
    result = []
    for row in rows:
        if activity_type and row.activity_type != activity_type:
            continue
        activity = dict(row.activity)
        activity["_to"] = sorted(delivery.peer.name for delivery in row.deliveries.all())
        result.append(activity)
    return result


def offer_values(**overrides) -> dict:
    now = timezone.now()
    values = {
        "crop": "Zucchini",
        "quantity": Decimal("5"),
        "unit": "kg",
        "pickup_from": now + timedelta(hours=1),
        "pickup_until": now + timedelta(days=1),
        "pickup_place": "Crate by the shed",
        "expires_at": now + timedelta(days=2),
        "audience": Offer.Audience.GARDEN,
    }
    values.update(overrides)
    return values


@pytest.fixture
def offer(member) -> Offer:
    return services.create_offer(member, **offer_values())


@pytest.fixture
def shared_offer(member, near, far) -> Offer:
    return services.create_offer(member, **offer_values(audience=Offer.Audience.NEIGHBOURS))


@pytest.fixture
def tool(coordinator) -> Tool:
    return services.create_tool(
        coordinator, name="Tiller", description="Petrol tiller", lend_to_neighbours=True
    )
