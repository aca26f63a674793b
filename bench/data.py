"""A garden at scale for the page benchmark: 300 members, 500 plots, 10,000 shifts,
100,000 harvest logs (``scale`` multiplies every count). Rows go in with ``bulk_create``;
each app's section runs only once that app's models exist, so the generator grows with them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.utils import timezone

FULL = {"members": 300, "plots": 500, "shifts": 10_000, "harvests": 100_000}
BATCH = 5_000
SECTIONS: list[Callable[[dict, dict], None]] = []


def section(fn: Callable[[dict, dict], None]) -> Callable[[dict, dict], None]:
    SECTIONS.append(fn)
    return fn


def counts(scale: float) -> dict[str, int]:
    return {key: max(1, int(value * scale)) for key, value in FULL.items()}


def generate(scale: float = 1.0, seed: int = 7) -> dict:
    """Fill the (empty, migrated) database; returns what was made, with the coordinator."""
    random.seed(seed)
    made: dict = {"counts": counts(scale)}
    for fn in SECTIONS:
        fn(made["counts"], made)
    return made


@section
def members(n: dict, made: dict) -> None:
    from garden.members.models import Announcement, Garden, Membership, Notification, Profile

    garden = Garden.objects.get_current()
    garden.name, garden.rules = "Benchgarten", "Be kind."
    garden.latitude, garden.longitude = 52.5, 13.4
    garden.save()
    password = make_password("bench-Allmende-1")
    users = User.objects.bulk_create(
        User(username=f"gardener{i:04d}", email=f"g{i}@example.org", password=password)
        for i in range(n["members"])
    )
    Profile.objects.bulk_create(
        Profile(user=u, display_name=f"Gärtner:in {i}") for i, u in enumerate(users)
    )
    Membership.objects.bulk_create(
        Membership(
            garden=garden,
            user=u,
            role=Membership.Role.COORDINATOR if i == 0 else Membership.Role.MEMBER,
            status=Membership.Status.ACTIVE,
        )
        for i, u in enumerate(users)
    )
    Announcement.objects.bulk_create(
        Announcement(garden=garden, author=users[0], title=f"News {i}", body="Water the beans.")
        for i in range(max(5, n["members"] // 10))
    )
    Notification.objects.bulk_create(
        Notification(user=users[0], kind="bench", message=f"Something {i}")
        for i in range(max(10, n["members"] // 3))
    )
    made.update(garden=garden, users=users, coordinator=users[0], member=users[1])


def _days_around(n: int) -> list[date]:
    today = timezone.localdate()
    return [today - timedelta(days=random.randint(0, 3 * 365)) for _ in range(n)]


def aware(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))
