"""Demo data: a few offers, the tool library and one loan. Safe to run again."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from . import services
from .models import Loan, Offer, Tool

OFFERS = [
    (
        "member1",
        "Zucchini",
        Decimal("6"),
        "kg",
        "Crate by the tool shed",
        Offer.Audience.NEIGHBOURS,
    ),
    ("member2", "Rhubarb", Decimal("4"), "bunch", "Plot 7, by the gate", Offer.Audience.GARDEN),
    (
        "member3",
        "Runner beans",
        Decimal("2"),
        "kg",
        "Fridge in the shed",
        Offer.Audience.NEIGHBOURS,
    ),
]
TOOLS = [
    ("Tiller", "Petrol tiller, 60 cm. Fuel is in the red can.", "good", True, True),
    ("Wheelbarrow", "Green wheelbarrow with a new tyre.", "worn", True, False),
    ("Hedge trimmer", "Cordless; the battery charges in about an hour.", "new", True, True),
]


def seed(garden, users) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for username, crop, quantity, unit, place, audience in OFFERS:
        user = users.get(username)
        if user is None or services.open_offers().filter(offered_by=user, crop=crop).exists():
            continue
        services.create_offer(
            user,
            crop=crop,
            quantity=quantity,
            unit=unit,
            pickup_from=now + timedelta(hours=2),
            pickup_until=now + timedelta(days=2),
            pickup_place=place,
            expires_at=now + timedelta(days=3),
            audience=audience,
        )
    coordinator = users["coordinator"]
    for name, description, condition, members, neighbours in TOOLS:
        if not Tool.objects.filter(name=name, origin_actor="").exists():
            services.create_tool(
                coordinator,
                name=name,
                description=description,
                condition=condition,
                lend_to_members=members,
                lend_to_neighbours=neighbours,
            )
    borrower = users.get("member2")
    wheelbarrow = Tool.objects.get(name="Wheelbarrow", origin_actor="")
    if borrower is not None and not Loan.objects.filter(tool=wheelbarrow).exists():
        start = services.garden_today() + timedelta(days=1)
        loan = services.request_loan(
            borrower,
            wheelbarrow,
            start_date=start,
            end_date=start + timedelta(days=2),
            note="For moving compost to plot 7.",
        )
        services.decide_loan(coordinator, loan, approve=True)
