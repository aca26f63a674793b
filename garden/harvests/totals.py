"""Garden totals, summed by the database: one grouped query per table, whatever the data size."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from garden.members.models import Garden

from .models import HarvestLog

MEASURES = ("grams", "pieces", "bunches")
DONATED = ~Q(donated_to="")


@dataclass
class Totals:
    """What was harvested (and how much of it given away) for one crop, month or season."""

    key: object
    label: str = ""
    grams: int = 0
    pieces: int = 0
    bunches: int = 0
    logs: int = 0
    donated_grams: int = 0
    donated_pieces: int = 0
    donated_bunches: int = 0

    @property
    def kg(self) -> Decimal:
        return Decimal(self.grams) / 1000

    @property
    def donated_kg(self) -> Decimal:
        return Decimal(self.donated_grams) / 1000

    @property
    def donated_anything(self) -> bool:
        return bool(self.donated_grams or self.donated_pieces or self.donated_bunches)

    def add(self, other: "Totals") -> None:
        for name in (*MEASURES, "logs", *(f"donated_{m}" for m in MEASURES)):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {
            "key": self.key if not isinstance(self.key, datetime.date) else self.key.isoformat(),
            "label": self.label,
            "kg": float(self.kg),
            "grams": self.grams,
            "pieces": self.pieces,
            "bunches": self.bunches,
            "logs": self.logs,
            "donated_kg": float(self.donated_kg),
            "donated_pieces": self.donated_pieces,
            "donated_bunches": self.donated_bunches,
        }


def _sums() -> dict:
    # Prefixed names: an annotation may not shadow the model field it sums.
    sums = {f"sum_{m}": Sum(m, default=0) for m in MEASURES}
    sums.update({f"sum_donated_{m}": Sum(m, filter=DONATED, default=0) for m in MEASURES})
    sums["sum_logs"] = Count("id")
    return sums


def _totals(row: dict, key: str, label: str = "") -> Totals:
    fields = {name.removeprefix("sum_"): row[name] or 0 for name in _sums()}
    return Totals(key=row[key], label=label or str(row[key]), **fields)


def logs_in(garden: Garden, season: int | None = None, user=None) -> QuerySet:
    logs = HarvestLog.objects.filter(garden=garden)
    if season is not None:  # a season is a calendar year
        logs = logs.filter(season=season)
    if user is not None:
        logs = logs.filter(harvested_by=user)
    return logs


def by_season(garden: Garden, user=None) -> list[Totals]:
    rows = logs_in(garden, user=user).values("season").annotate(**_sums()).order_by("-season")
    return [_totals(row, "season") for row in rows]


def by_crop(garden: Garden, season: int | None = None, user=None) -> list[Totals]:
    rows = (
        logs_in(garden, season, user)
        .values("crop_id", "crop__name")
        .annotate(**_sums())
        .order_by("-sum_grams", "-sum_pieces", "-sum_bunches", "crop__name")
    )
    return [_totals(row, "crop_id", row["crop__name"]) for row in rows]


def by_month(garden: Garden, season: int | None = None, user=None) -> list[Totals]:
    """Month by month; within one season every month appears, empty ones too."""
    rows = (
        logs_in(garden, season, user)
        .values("season", "month")
        .annotate(**_sums())
        .order_by("season", "month")
    )
    found = {}
    for row in rows:
        month = datetime.date(row["season"], row["month"], 1)
        found[month] = _totals({**row, "key": month}, "key")
    if season is not None:
        months = [datetime.date(season, number, 1) for number in range(1, 13)]
        return [found.get(month) or Totals(key=month) for month in months]
    return list(found.values())


def by_recipient(garden: Garden, season: int | None = None, limit: int = 20) -> list[Totals]:
    """Who received what was given away (the largest recipients first)."""
    rows = (
        logs_in(garden, season)
        .filter(DONATED)
        .values("donated_to")
        .annotate(**_sums())
        .order_by("-sum_grams", "-sum_pieces", "-sum_bunches", "donated_to")[:limit]
    )
    return [_totals(row, "donated_to") for row in rows]


def overall(rows: list[Totals]) -> Totals:
    total = Totals(key="total")
    for row in rows:
        total.add(row)
    return total
