"""Concurrent sign-ups for the last place: the database lets exactly one win."""

import threading

import pytest
from django.db import close_old_connections, connection

from garden.core.errors import RuleError
from garden.shifts import services
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def race(shift_id: int, users) -> list:
    barrier = threading.Barrier(len(users))
    outcomes = [None] * len(users)

    def attempt(index: int, user) -> None:
        try:
            barrier.wait(timeout=30)
            services.sign_up(shift_id, user)
            outcomes[index] = 201
        except RuleError as error:
            outcomes[index] = error.status
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i, u)) for i, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so there is no race")


def test_exactly_one_of_two_wins_the_last_place(needs_postgres, garden, make_shift, member):
    shift = make_shift(max_volunteers=2)
    services.sign_up(shift.pk, member)
    racers = [make_user(f"racer{n}", garden, "member") for n in range(2)]
    outcomes = race(shift.pk, racers)
    assert sorted(outcomes) == [201, 409]
    assert shift.signups.count() == 2


def test_many_racers_never_overfill(needs_postgres, garden, make_shift):
    shift = make_shift(max_volunteers=3)
    racers = [make_user(f"runner{n}", garden, "member") for n in range(8)]
    outcomes = race(shift.pk, racers)
    assert outcomes.count(201) == 3 and outcomes.count(409) == 5
    assert shift.signups.count() == 3


def test_one_member_racing_for_two_overlapping_shifts_gets_one(
    needs_postgres, garden, make_shift, member
):
    first, second = make_shift(hours_from_now=72), make_shift(hours_from_now=72.5)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(shift_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            services.sign_up(shift_id, member)
            outcomes.append(201)
        except RuleError as error:
            outcomes.append(error.status)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(s.pk,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [201, 409]
    assert member.shift_signups.count() == 1


def test_two_api_requests_for_the_last_place_give_201_and_409(
    needs_postgres, garden, make_shift, member, api
):
    shift = make_shift(max_volunteers=2)
    services.sign_up(shift.pk, member)
    clients = [api(make_user(f"caller{n}", garden, "member")) for n in range(2)]
    barrier = threading.Barrier(2)
    statuses = []

    def call(client) -> None:
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post(f"/shifts/{shift.pk}/signup").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201, 409]
    assert shift.signups.count() == 2
