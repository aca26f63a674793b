"""Races settled by the database (PostgreSQL only: SQLite serialises every writer anyway)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from garden.core.errors import RuleError
from garden.members import services
from garden.members.models import Garden, Invite, Membership
from tests.conftest import make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def _at_once(*calls) -> list:
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what we assert
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _garden() -> Garden:
    garden = Garden.objects.get_current()
    garden.rules = ""
    garden.join_policy = Garden.JoinPolicy.INVITE
    garden.save()
    return garden


def test_two_coordinators_stepping_down_at_once_leave_one():
    garden = _garden()
    first = make_user("first", garden, Membership.Role.COORDINATOR)
    second = make_user("second", garden, Membership.Role.COORDINATOR)
    results = _at_once(
        lambda: services.set_role(first.membership, "member", by=first),
        lambda: services.set_role(second.membership, "member", by=second),
    )
    assert sum(isinstance(r, RuleError) for r in results) == 1
    assert services.coordinators(garden).count() == 1


def test_the_last_use_of_an_invite_goes_to_one_person():
    garden = _garden()
    invite = Invite.objects.create(
        garden=garden, expires_at=timezone.now() + timedelta(days=1), max_uses=1
    )
    people = [make_user(f"p{i}") for i in range(3)]
    results = _at_once(
        *[
            (
                lambda person=person: services.join(
                    person, accept_rules=True, invite_code=invite.code
                )
            )
            for person in people
        ]
    )
    assert sum(isinstance(r, Membership) for r in results) == 1
    assert Membership.objects.count() == 1
    invite.refresh_from_db()
    assert invite.uses == 1
