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
    """500 plots on the map: most held (some members hold two), a few claims waiting for
    approval, a few out of use, a waitlist of the members without a plot, past tenancies,
    fees and the audit trail."""
    try:
        from garden.plots.models import Fee, Plot, PlotEvent, Tenancy, WaitlistEntry
    except ImportError:
        return
    from decimal import Decimal

    users, coordinator = made["users"], made["coordinator"]
    now = timezone.now()
    columns = 20  # plots two units wide, one high: 20 a row on the 40 × 40 map

    def status(i: int) -> str:
        if i % 10 == 9:
            return Plot.Status.AVAILABLE
        if i % 25 == 3:
            return Plot.Status.PENDING
        if i % 50 == 7:
            return Plot.Status.OUT_OF_USE
        return Plot.Status.CLAIMED

    rows = Plot.objects.bulk_create(
        Plot(
            label=f"P{i:03d}",
            area_m2=Decimal(random.choice([12, 20, 30, 45])),
            x=(i % columns) * 2,
            y=(i // columns) % 40,
            width=2,
            height=1,
            status=status(i),
        )
        for i in range(n["plots"])
    )
    # Holders: the first ~80 % of members, so the rest can wait; holders get two plots
    # when there are more plots than holders.
    holders = users[: max(1, len(users) * 4 // 5)]
    taken = [p for p in rows if p.status in (Plot.Status.CLAIMED, Plot.Status.PENDING)]
    tenancies = Tenancy.objects.bulk_create(
        Tenancy(
            plot=plot,
            user=holders[i % len(holders)],
            status=Tenancy.Status.ACTIVE
            if plot.status == Plot.Status.CLAIMED
            else Tenancy.Status.PENDING,
            started_at=now - timedelta(days=random.randint(30, 1000))
            if plot.status == Plot.Status.CLAIMED
            else None,
        )
        for i, plot in enumerate(taken)
    )
    # History: every other plot had an earlier holder.
    Tenancy.objects.bulk_create(
        Tenancy(
            plot=plot,
            user=random.choice(users),
            status=Tenancy.Status.ENDED,
            started_at=now - timedelta(days=1500),
            ended_at=now - timedelta(days=1100),
        )
        for plot in rows[::2]
    )
    waiting = users[len(holders) :]
    WaitlistEntry.objects.bulk_create(
        WaitlistEntry(user=user, joined_at=now - timedelta(days=len(waiting) - i))
        for i, user in enumerate(waiting)
    )
    season_end = date(timezone.localdate().year, 10, 31)
    Fee.objects.bulk_create(
        Fee(
            tenancy=tenancy,
            season_end=season_end,
            amount=Decimal("40.00"),
            paid_at=now if i % 3 else None,
            method=Fee.Method.TRANSFER if i % 3 else "",
            marked_by=coordinator if i % 3 else None,
        )
        for i, tenancy in enumerate(tenancies)
        if tenancy.status == Tenancy.Status.ACTIVE
    )
    PlotEvent.objects.bulk_create(
        (
            PlotEvent(
                plot=tenancy.plot,
                subject=tenancy.user,
                actor=tenancy.user if k == 0 else coordinator,
                action=PlotEvent.Action.CLAIM if k == 0 else PlotEvent.Action.RENEW,
            )
            for tenancy in tenancies
            for k in range(3)
        ),
        batch_size=BATCH,
    )
    made.update(plot=taken[1], tenancies=tenancies)


@section
def shifts(n: dict, made: dict) -> None:
    """10,000 watering shifts over several seasons around today, with sign-ups; past
    sign-ups are done and credited; a skill, schedules and a board of tasks."""
    try:
        from garden.shifts.models import HoursEntry, Schedule, Shift, Signup, Skill, Task
    except ImportError:
        return
    from decimal import Decimal

    garden, users, coordinator = made["garden"], made["users"], made["coordinator"]
    now = timezone.now()
    # Six two-hour shifts a day, planned eight weeks ahead (as schedules do) and going back
    # over several seasons: 10,000 shifts reach about four and a half years into the past.
    per_day, ahead = 6, 56
    start_day = timezone.localdate() + timedelta(days=ahead - n["shifts"] // per_day)
    skill = Skill.objects.create(garden=garden, name="Key holder")
    made_shifts = Shift.objects.bulk_create(
        (
            Shift(
                garden=garden,
                title="Watering" if i % 7 else "Compost",
                min_volunteers=1,
                max_volunteers=3,
                required_skill=skill if i % 13 == 0 else None,
                start=aware(start_day + timedelta(days=i // per_day), 8 + 2 * (i % per_day)),
                end=aware(start_day + timedelta(days=i // per_day), 10 + 2 * (i % per_day)),
            )
            for i in range(n["shifts"])
        ),
        batch_size=BATCH,
    )
    Schedule.objects.bulk_create(
        Schedule(
            garden=garden,
            title=title,
            weekdays=weekdays,
            start_time=time(8),
            end_time=time(10),
            starts_on=start_day,
        )
        for title, weekdays in [("Watering", "0123456"), ("Compost", "5")]
    )
    signups = Signup.objects.bulk_create(
        (
            Signup(
                shift=shift,
                user=user,
                done_at=shift.end if shift.end < now else None,
            )
            for shift in made_shifts
            for user in random.sample(users, k=min(len(users), random.randint(0, 3)))
        ),
        batch_size=BATCH,
    )
    HoursEntry.objects.bulk_create(
        (
            HoursEntry(
                user=signup.user,
                hours=Decimal(2),
                date=signup.shift.start.date(),
                source=HoursEntry.Source.SHIFT,
                reason=signup.shift.title,
                signup=signup,
                created_by=coordinator,
            )
            for signup in signups
            if signup.done_at
        ),
        batch_size=BATCH,
    )
    plots = made.get("tenancies") or [None]
    tasks = Task.objects.bulk_create(
        Task(
            garden=garden,
            title=f"Task {i}: mend the fence",
            description="Bring gloves.",
            due_date=timezone.localdate() + timedelta(days=random.randint(-60, 60)),
            plot=plots[i % len(plots)].plot if plots[0] else None,
            hours=Decimal(1),
            status=Task.Status.DONE if i % 3 == 0 else Task.Status.OPEN,
            created_by=coordinator,
            done_at=now if i % 3 == 0 else None,
        )
        for i in range(max(10, n["shifts"] // 50))
    )
    future = [s for s in made_shifts if s.start > now]
    made.update(shift=future[0] if future else made_shifts[-1], task=tasks[1])


CROPS = [
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


@section
def harvests(n: dict, made: dict) -> None:
    """100,000 harvest logs over three seasons, by many members, of a dozen crops, weighed,
    counted or in bunches, some given away."""
    try:
        from garden.harvests.models import Crop, HarvestLog
    except ImportError:
        return
    from decimal import Decimal

    garden, users = made["garden"], made["users"]
    crops = Crop.objects.bulk_create(Crop(garden=garden, name=name) for name in CROPS)
    plots = [t.plot for t in made.get("tenancies", [])]

    def log(day: date) -> HarvestLog:
        kind = random.random()
        plot = random.choice(plots) if plots and random.random() < 0.7 else None
        entry = HarvestLog(
            garden=garden,
            crop=random.choice(crops),
            harvested_by=random.choice(users),
            date=day,
            plot=plot,
            plot_label=plot.label if plot else "",
            donated_to="Tafel" if random.random() < 0.05 else "",
        )
        if kind < 0.8:
            grams = random.randint(50, 5000)
            entry.quantity, entry.unit, entry.grams = Decimal(grams), "g", grams
        elif kind < 0.95:
            pieces = random.randint(1, 30)
            entry.quantity, entry.unit, entry.pieces = Decimal(pieces), "pieces", pieces
        else:
            entry.quantity, entry.unit, entry.bunches = Decimal(2), "bunches", 2
        return entry.set_derived()

    HarvestLog.objects.bulk_create(
        (log(day) for day in _days_around(n["harvests"])), batch_size=BATCH
    )
    from garden.harvests.totals import logs_changed

    logs_changed(garden.pk)  # bulk_create sends no signals
    made.update(crop=crops[0], season=timezone.localdate().year - 1)


@section
def sharing(n: dict, made: dict) -> None:
    """Offers of surplus (open, taken, expired) with claims, and a tool library with loans."""
    try:
        from garden.sharing.models import Claim, Loan, Offer, Tool
    except ImportError:
        return
    from decimal import Decimal

    users = made["users"]
    now = timezone.now()
    count = max(20, n["members"] * 2 // 3)
    offers = Offer.objects.bulk_create(
        Offer(
            offered_by=users[i % len(users)],
            crop=CROPS[i % len(CROPS)],
            quantity=Decimal(5),
            quantity_left=Decimal(3),
            unit="kg",
            pickup_from=now - timedelta(days=i % 40 - 5),
            pickup_until=now - timedelta(days=i % 40 - 8),
            pickup_place="Shed",
            expires_at=now - timedelta(days=i % 40 - 8),
            status=Offer.Status.OPEN if i % 40 < 8 else Offer.Status.EXPIRED,
        )
        for i in range(count)
    )
    Claim.objects.bulk_create(
        Claim(
            offer=offer,
            claimant=users[(i + k + 1) % len(users)],
            quantity=Decimal(1),
            status=Claim.Status.CONFIRMED if k else Claim.Status.PICKED_UP,
        )
        for i, offer in enumerate(offers)
        for k in range(2)
    )
    tools = Tool.objects.bulk_create(
        Tool(name=f"Tool {i:03d}", description="Sturdy.", condition=Tool.Condition.GOOD)
        for i in range(max(10, n["members"] // 6))
    )
    today = timezone.localdate()
    Loan.objects.bulk_create(
        Loan(
            tool=tools[i % len(tools)],
            borrower=users[i % len(users)],
            start_date=today + timedelta(days=(i // len(tools)) * 4 - 200),
            end_date=today + timedelta(days=(i // len(tools)) * 4 - 198),
            status=Loan.Status.RETURNED
            if (i // len(tools)) * 4 < 200
            else random.choice([Loan.Status.REQUESTED, Loan.Status.APPROVED]),
        )
        for i in range(len(tools) * 55)  # 50 past loans and 5 booked ahead per tool
    )
    made.update(offer=offers[0], tool=tools[0])
