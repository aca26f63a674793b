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


@section
def plots(n: dict, made: dict) -> None:
    """500 plots on the map; most are taken, each by one member (a member may hold two)."""
    try:
        from garden.plots.models import Plot, Tenancy
    except ImportError:
        return
    from decimal import Decimal

    columns = 40 // 2
    rows = Plot.objects.bulk_create(
        Plot(
            label=f"P{i:03d}",
            area_m2=Decimal(random.choice([12, 20, 30, 45])),
            x=(i % columns) * 2,
            y=(i // columns) % 20 * 2,
            status=Plot.Status.CLAIMED if i % 10 else Plot.Status.AVAILABLE,
        )
        for i in range(n["plots"])
    )
    users = made["users"]
    now = timezone.now()
    Tenancy.objects.bulk_create(
        Tenancy(plot=plot, user=users[i % len(users)], status="active", started_at=now)
        for i, plot in enumerate(rows)
        if plot.status == Plot.Status.CLAIMED
    )


@section
def shifts(n: dict, made: dict) -> None:
    """10,000 watering shifts over three years around today, with sign-ups."""
    try:
        from garden.shifts.models import Shift, Signup
    except ImportError:
        return
    garden, users = made["garden"], made["users"]
    days = n["shifts"] // 2
    start_day = timezone.localdate() - timedelta(days=days // 2)
    made_shifts = Shift.objects.bulk_create(
        (
            Shift(
                garden=garden,
                title="Watering",
                min_volunteers=1,
                max_volunteers=3,
                start=aware(start_day + timedelta(days=i // 2), 8 if i % 2 == 0 else 18),
                end=aware(start_day + timedelta(days=i // 2), 10 if i % 2 == 0 else 20),
            )
            for i in range(n["shifts"])
        ),
        batch_size=BATCH,
    )
    Signup.objects.bulk_create(
        (
            Signup(shift=shift, user=user)
            for shift in made_shifts
            for user in random.sample(users, k=min(len(users), random.randint(0, 2)))
        ),
        batch_size=BATCH,
    )


@section
def harvests(n: dict, made: dict) -> None:
    """100,000 harvest logs over three years, by many members, of a dozen crops."""
    try:
        from garden.harvests.models import Crop, HarvestLog
    except ImportError:
        return
    garden, users = made["garden"], made["users"]
    crops = Crop.objects.bulk_create(
        Crop(garden=garden, name=name)
        for name in [
            "Zucchini",
            "Tomaten",
            "Bohnen",
            "Salat",
            "Kartoffeln",
            "Möhren",
            "Kürbis",
            "Erdbeeren",
            "Mangold",
            "Radieschen",
            "Gurken",
            "Kohl",
        ]
    )
    days = _days_around(n["harvests"])
    HarvestLog.objects.bulk_create(
        (
            HarvestLog(
                garden=garden,
                crop=random.choice(crops),
                harvested_by=random.choice(users),
                date=day,
                quantity=random.randint(1, 5000),
                unit="g",
                grams=random.randint(1, 5000),
            )
            for day in days
        ),
        batch_size=BATCH,
    )
