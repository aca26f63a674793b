"""Concurrent claims and bookings never exceed what there is (PostgreSQL, real threads)."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections

from federation.models import OutboxActivity
from garden.core.errors import RuleError
from garden.members.models import Membership
from garden.sharing import services
from garden.sharing.models import Claim, Loan, Offer
from tests.conftest import make_user

from .conftest import make_peer, offer_values

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs row locks of a real database server (PostgreSQL); SQLite serialises writers",
    ),
]


def run_together(functions) -> list:
    """Start every function at once in its own thread (and connection); return outcomes."""
    barrier = threading.Barrier(len(functions))
    outcomes = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = function()
        except RuleError as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_concurrent_member_claims_never_exceed_the_quantity(garden, member):
    offer = services.create_offer(member, **offer_values(quantity=Decimal("5")))
    claimants = [make_user(f"claimant{i}", garden, Membership.Role.MEMBER) for i in range(8)]
    outcomes = run_together(
        [lambda user=user: services.claim_offer(user, offer, Decimal("1")) for user in claimants]
    )
    confirmed = Claim.objects.filter(status=Claim.Status.CONFIRMED)
    assert confirmed.count() == 5
    assert sum(isinstance(outcome, RuleError) for outcome in outcomes) == 3
    offer.refresh_from_db()
    assert (offer.quantity_left, offer.status) == (0, Offer.Status.CLAIMED)


def test_concurrent_claims_from_gardens_are_confirmed_up_to_the_quantity(garden, member):
    gardens = [make_peer(f"Garten {i}", 52.5 + i / 1000, 13.4) for i in range(6)]
    offer = services.create_offer(
        member, **offer_values(quantity=Decimal("4"), audience=Offer.Audience.NEIGHBOURS)
    )

    def claim(peer):
        return services.settle_remote_claim(
            offer.pk,
            remote_id=f"{peer.actor_url.rsplit('/', 1)[0]}/objects/claims/1",
            remote_actor=peer.actor_url,
            garden_name=peer.name,
            claimant_name="Bea",
            quantity=Decimal("1.5"),
        )

    run_together([lambda peer=peer: claim(peer) for peer in gardens])
    statuses = sorted(Claim.objects.values_list("status", flat=True))
    assert statuses == ["confirmed"] * 2 + ["declined"] * 4
    offer.refresh_from_db()
    assert offer.quantity_left == Decimal("1")
    answers = OutboxActivity.objects.filter(activity_type__in=["Accept", "Reject"])
    assert (
        sorted(answers.values_list("activity_type", flat=True)) == ["Accept"] * 2 + ["Reject"] * 4
    )


def test_concurrent_approvals_never_double_book_a_tool(garden, member, other_member, coordinator):
    tool = services.create_tool(coordinator, name="Tiller")
    start = services.garden_today() + timedelta(days=1)
    loans = [
        services.request_loan(user, tool, start_date=start, end_date=start + timedelta(days=1))
        for user in (member, other_member)
    ]
    run_together(
        [lambda loan=loan: services.decide_loan(coordinator, loan, approve=True) for loan in loans]
    )
    assert Loan.objects.filter(status=Loan.Status.APPROVED).count() == 1


def test_withdrawals_racing_pickups_and_claims_keep_the_quantity_right(garden, member):
    """Each claimant withdraws while the offerer marks the same claim picked up, and new
    claimants claim at once: every claim ends either withdrawn (its quantity back) or picked
    up, and what is left is what the offer holds minus what the live claims hold."""
    offer = services.create_offer(member, **offer_values(quantity=Decimal("4")))
    first = [make_user(f"first{i}", garden, Membership.Role.MEMBER) for i in range(4)]
    claims = [services.claim_offer(user, offer, Decimal("1")) for user in first]
    later = [make_user(f"later{i}", garden, Membership.Role.MEMBER) for i in range(4)]
    functions = []
    for user, claim in zip(first, claims, strict=True):
        functions.append(lambda user=user, claim=claim: services.withdraw_claim(user, claim))
        functions.append(lambda claim=claim: services.mark_picked_up(member, claim))
    functions += [
        lambda user=user: services.claim_offer(user, offer, Decimal("1")) for user in later
    ]
    run_together(functions)
    for claim in claims:
        claim.refresh_from_db()
        assert claim.status in (Claim.Status.WITHDRAWN, Claim.Status.PICKED_UP)
    offer.refresh_from_db()
    held = sum(
        Claim.objects.filter(
            offer=offer, status__in=[Claim.Status.CONFIRMED, Claim.Status.PICKED_UP]
        ).values_list("quantity", flat=True),
        Decimal("0"),
    )
    assert offer.quantity_left == offer.quantity - held
    assert offer.quantity_left >= 0
