"""Two requests with one idempotency key at the same moment: the database lets one apply."""

import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from garden.core.idempotency import ALREADY_APPLIED, once
from garden.shifts.models import HoursEntry

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_key_sent_twice_at_once_is_applied_once(garden, member):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so there is no race")
    barrier = threading.Barrier(2)
    outcomes = []

    def credit() -> HoursEntry:
        # Not idempotent on its own: every call would add an entry.
        return HoursEntry.objects.create(
            user=member, hours=Decimal("1"), date=timezone.localdate(), reason="race"
        )

    def attempt() -> None:
        try:
            barrier.wait(timeout=30)
            outcomes.append(once(member, "one-key-two-requests", credit))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(outcome is ALREADY_APPLIED for outcome in outcomes) == 1
    assert HoursEntry.objects.filter(user=member, reason="race").count() == 1
