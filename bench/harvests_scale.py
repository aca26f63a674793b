"""How fast are the harvest totals with many logs?

    .venv/bin/python bench/harvests_scale.py [--logs 100000] [--runs 5]

Builds a scratch database (SQLite in a temporary directory, or with DATABASE_URL a
`test_…` database next to the one named, dropped afterwards), fills it with logs spread
over crops, units, gardeners and three seasons, then prints the median time and the
number of queries of the pages and API calls that sum them up.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ALLMENDE_DATA_DIR", tempfile.mkdtemp(prefix="allmende-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "garden.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

URLS = [
    "/harvests/?season={season}",
    "/harvests/?season=all",
    "/harvests/mine/",
    "/api/v1/harvests/summary?by=crop&season={season}",
    "/api/v1/harvests/summary?by=month",
    "/api/v1/harvests?limit=100",
]


def fill(count: int) -> tuple[User, int]:
    from garden.harvests.models import Crop, HarvestLog
    from garden.harvests.services import normalise
    from garden.members.models import Garden, Membership

    garden = Garden.objects.get_current()
    users = []
    for number in range(20):
        user = User.objects.create_user(f"gardener{number}")
        Membership.objects.create(user=user, garden=garden, status="active")
        users.append(user)
    crops = list(Crop.objects.filter(garden=garden))
    rng = random.Random(7)
    season = datetime.date.today().year
    batch = []
    for _index in range(count):
        unit = rng.choice(["kg", "kg", "g", "pieces", "bunches"])
        quantity = Decimal(rng.randint(1, 30))
        batch.append(
            HarvestLog(
                garden=garden,
                crop=rng.choice(crops),
                harvested_by=rng.choice(users),
                date=datetime.date(
                    season - rng.randint(0, 2), rng.randint(4, 10), rng.randint(1, 28)
                ),
                quantity=quantity,
                unit=unit,
                donated_to=rng.choice(["", "", "", "", "Food bank", "Café"]),
                **normalise(quantity, unit),
            )
        )
        if len(batch) == 5000:
            HarvestLog.objects.bulk_create([log.set_derived() for log in batch])
            batch = []
    HarvestLog.objects.bulk_create([log.set_derived() for log in batch])
    return users[0], season - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logs", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    settings.DATABASES["default"].setdefault("TEST", {})
    if connection.vendor == "sqlite":
        settings.DATABASES["default"]["TEST"]["NAME"] = str(
            Path(os.environ["ALLMENDE_DATA_DIR"]) / "bench.sqlite3"
        )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        user, season = fill(args.logs)
        print(f"{connection.vendor}: {args.logs} logs in {time.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(user)
        for template in URLS:
            url = template.format(season=season)
            client.get(url)  # warm the caches once
            times = []
            for _run in range(args.runs):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
            print(
                f"{url:52} median {statistics.median(times) * 1000:7.1f} ms"
                f"  max {max(times) * 1000:7.1f} ms  {len(queries)} queries"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
