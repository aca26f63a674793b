"""Harvest fixtures: the seeded crop list and a quick way to fill the log."""

import datetime
import random
from decimal import Decimal

import pytest

from garden.harvests.models import Crop, HarvestLog
from garden.harvests.services import normalise
from garden.harvests.totals import logs_changed


@pytest.fixture
def tomatoes(garden) -> Crop:
    return Crop.objects.get(garden=garden, name="Tomatoes")


@pytest.fixture
def radishes(garden) -> Crop:
    return Crop.objects.get(garden=garden, name="Radishes")


def make_log(user, crop, quantity="1", unit="kg", date=None, donated_to="", **extra) -> HarvestLog:
    quantity = Decimal(quantity)
    return HarvestLog.objects.create(
        garden=crop.garden,
        crop=crop,
        harvested_by=user,
        date=date or datetime.date(2025, 7, 1),
        quantity=quantity,
        unit=unit,
        donated_to=donated_to,
        **normalise(quantity, unit),
        **extra,
    )


def fill_logs(garden, users, count: int, seed: int = 1) -> None:
    """`count` logs spread over crops, units, months, two seasons and several gardeners."""
    rng = random.Random(seed)
    crops = list(Crop.objects.filter(garden=garden))
    units = ["kg", "g", "pieces", "bunches"]
    logs = []
    for _index in range(count):
        unit = rng.choice(units)
        quantity = Decimal(rng.randint(1, 20))
        logs.append(
            HarvestLog(
                garden=garden,
                crop=rng.choice(crops),
                harvested_by=rng.choice(users),
                date=datetime.date(
                    rng.choice([2024, 2025]), rng.randint(1, 12), rng.randint(1, 28)
                ),
                quantity=quantity,
                unit=unit,
                donated_to=rng.choice(["", "", "Food bank", "Café"]),
                plot_label=f"A{rng.randint(1, 9)}",
                **normalise(quantity, unit),
            )
        )
    HarvestLog.objects.bulk_create([log.set_derived() for log in logs], batch_size=500)
    logs_changed(garden.pk)  # as every bulk writer must: the cached totals are now stale
