"""Garden totals, summed by the database whatever the data size.

The database reduces the logs to one row per (season, month, crop, donated) — at most a few
thousand rows for a garden's whole history — in one grouped query over indexed columns; the
totals per season, crop and month are then rolled up from those rows. A page therefore costs
the same few queries for a hundred logs or a million.
"""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, QuerySet, Sum

from garden.core.caching import forget
from garden.members.models import Garden

from .models import Crop, HarvestLog

MEASURES = ("grams", "pieces", "bunches")


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

    def add_row(self, row: dict) -> None:
        """Add one grouped database row (sum_grams … sum_logs, donated)."""
        for measure in MEASURES:
            value = row[f"sum_{measure}"] or 0
            setattr(self, measure, getattr(self, measure) + value)
            if row["donated"]:
                name = f"donated_{measure}"
                setattr(self, name, getattr(self, name) + value)
        self.logs += row["sum_logs"]

    def add(self, other: "Totals") -> None:
        for name in (*MEASURES, "logs", *(f"donated_{m}" for m in MEASURES)):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {
            "key": self.key.isoformat() if isinstance(self.key, datetime.date) else self.key,
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
    sums = {f"sum_{m}": Sum(m) for m in MEASURES}
    sums["sum_logs"] = Count("*")
    return sums


def logs_in(garden: Garden, season: int | None = None, user=None) -> QuerySet:
    if user is not None:
        # A node runs one garden, so a person's logs are all of it. Filtering on the garden
        # too would lure SQLite onto the garden-wide totals index instead of the author's.
        logs = HarvestLog.objects.filter(harvested_by=user)
    else:
        logs = HarvestLog.objects.filter(garden=garden)
    if season is not None:  # a season is a calendar year
        logs = logs.filter(season=season)
    return logs


# The garden-wide grouped query reads every log (100,000 logs: 50–90 ms in PostgreSQL, the
# largest part of the totals page), so its few hundred result rows are kept in the cache
# under a version that every change of a log replaces (models' signals, the CSV import).
# A person's own cube is small (their logs, by index) and is not cached.
CUBE_TIMEOUT = 3600


def _version_key(garden_id: int) -> str:
    return f"harvests:cube-version:{garden_id}"


def _logs_version(garden_id: int) -> str:
    version = cache.get(_version_key(garden_id))
    if version is None:
        cache.add(_version_key(garden_id), uuid.uuid4().hex, None)
        version = cache.get(_version_key(garden_id), "")
    return version


def logs_changed(garden_id: int) -> None:
    """Forget the cached totals: the next read starts a new version."""
    forget(_version_key(garden_id))


def _cube_rows(garden: Garden, season: int | None, user) -> list[dict]:
    def query() -> list[dict]:
        return list(
            logs_in(garden, season, user)
            .values("season", "month", "crop_id", "donated")
            .annotate(**_sums())
            .order_by()
        )

    if user is not None:
        return query()
    key = f"harvests:cube:{garden.pk}:{season}:{_logs_version(garden.pk)}"
    rows = cache.get(key)
    if rows is None:
        rows = query()
        cache.set(key, rows, CUBE_TIMEOUT)
    return rows


class Cube:
    """The logs summed per (season, month, crop, donated): one query, then rolled up."""

    def __init__(self, garden: Garden, season: int | None = None, user=None):
        self.garden = garden
        self.rows = _cube_rows(garden, season, user)

    def logs_per_crop(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for row in self.rows:
            counts[row["crop_id"]] = counts.get(row["crop_id"], 0) + row["sum_logs"]
        return counts

    def _roll(self, key: Callable[[dict], object], season: int | None) -> dict[object, Totals]:
        found: dict[object, Totals] = {}
        for row in self.rows:
            if season is None or row["season"] == season:
                found.setdefault(key(row), Totals(key=key(row))).add_row(row)
        return found

    def by_season(self) -> list[Totals]:
        seasons = self._roll(lambda row: row["season"], None)
        for totals in seasons.values():
            totals.label = str(totals.key)
        return sorted(seasons.values(), key=lambda t: -t.key)

    def by_crop(self, season: int | None = None) -> list[Totals]:
        crops = self._roll(lambda row: row["crop_id"], season)
        names = dict(Crop.objects.filter(pk__in=crops).values_list("pk", "name"))
        for totals in crops.values():
            totals.label = names.get(totals.key, "")
        return sorted(
            crops.values(), key=lambda t: (-t.grams, -t.pieces, -t.bunches, t.label.lower())
        )

    def by_month(self, season: int | None = None) -> list[Totals]:
        """Month by month; within one season every month appears, empty ones too."""
        found = self._roll(lambda row: datetime.date(row["season"], row["month"], 1), season)
        for month, totals in found.items():
            totals.label = month.isoformat()
        if season is not None:
            months = [datetime.date(season, number, 1) for number in range(1, 13)]
            return [found.get(m) or Totals(key=m, label=m.isoformat()) for m in months]
        return sorted(found.values(), key=lambda t: t.key)


def by_season(garden: Garden, user=None) -> list[Totals]:
    return Cube(garden, user=user).by_season()


def by_crop(garden: Garden, season: int | None = None, user=None) -> list[Totals]:
    return Cube(garden, season, user).by_crop(season)


def by_month(garden: Garden, season: int | None = None, user=None) -> list[Totals]:
    return Cube(garden, season, user).by_month(season)


def by_recipient(garden: Garden, season: int | None = None, limit: int = 20) -> list[Totals]:
    """Who received what was given away (the largest recipients first)."""
    rows = (
        logs_in(garden, season)
        .filter(donated=True)
        .values("donated_to", "donated")
        .annotate(**_sums())
        .order_by("-sum_grams", "-sum_pieces", "-sum_bunches", "donated_to")[:limit]
    )
    result = []
    for row in rows:
        totals = Totals(key=row["donated_to"], label=row["donated_to"])
        totals.add_row(row)
        result.append(totals)
    return result


def overall(rows: list[Totals]) -> Totals:
    total = Totals(key="total")
    for row in rows:
        total.add(row)
    return total
