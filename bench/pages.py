"""Pages at scale: every main page and API list of a big garden, timed in process.

Builds the garden of bench/data.py in PostgreSQL twice — at 5 % and at full size — and
requests each page (detail pages with an object of that garden) and API list as the
coordinator, and the pages a member opens most again as a member, through Django's full
stack (middleware, views, templates, database; no HTTP server). Prints median and p95 time
and the query count at both sizes: a count that grows with the data is an N+1 query. The
slowest page is profiled with pyinstrument.

    python bench/pages.py [--requests 40] [--scale 1.0]
    BENCH_PAGES_ONLY=plots,hours python bench/pages.py   # only labels containing either
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    PROFILE_DIR,
    PYTHON,
    ROOT,
    bench_database_url,
    drop_database,
    machine,
    percentile,
    recreate_database,
)

SKIP_PAGES = {"healthz", "login", "logout", "signup", "set_language", "join", "media"}

# Pages a member opens most: measured a second time as a plain member (users[1], who holds
# a plot, signs up for shifts and logs harvests), as their view differs from the coordinator's.
MEMBER_PAGES = [
    "home",
    "notifications",
    "plots:index",
    "plots:detail",
    "shifts:index",
    "shifts:shift",
    "shifts:hours",
    "shifts:tasks",
    "shifts:member_feed",
    "harvests:index",
    "harvests:mine",
    "sharing:index",
    "sharing:mine",
    "sharing:loans",
    "GET /api/v1/me",
    "GET /api/v1/harvests",
    "GET /api/v1/shifts",
    "GET /api/v1/plots",
]


def detail_kwargs(made: dict) -> dict[str, dict]:
    """Path arguments for the detail pages (GET) and API operations, from the generated data."""
    from garden.harvests.models import HarvestLog
    from garden.shifts.models import CalendarFeed, Schedule

    log = HarvestLog.objects.filter(harvested_by=made["coordinator"]).order_by("pk").first()
    feed, _ = CalendarFeed.objects.get_or_create(user=made["member"])
    schedule = Schedule.objects.order_by("pk").first()
    return {
        "plots:detail": {"pk": made["plot"].pk},
        "plots:edit": {"pk": made["plot"].pk},
        "shifts:shift": {"pk": made["shift"].pk},
        "shifts:task": {"pk": made["task"].pk},
        "shifts:task_edit": {"pk": made["task"].pk},
        "shifts:schedule_edit": {"pk": schedule.pk},
        "shifts:member_feed": {"token": feed.token},
        "harvests:edit": {"pk": log.pk},
        "sharing:offer": {"pk": made["offer"].pk},
        "sharing:offer_edit": {"pk": made["offer"].pk},
        "sharing:tool": {"pk": made["tool"].pk},
        "sharing:tool_edit": {"pk": made["tool"].pk},
        # API path parameters
        "harvest_id": log.pk,
        "offer_id": made["offer"].pk,
        "plot_id": made["plot"].pk,
        "shift_id": made["shift"].pk,
        "tool_id": made["tool"].pk,
    }


def main_urls(made: dict) -> list[tuple[str, str]]:
    """(label, path): every page a browser GETs (detail pages with an object of the
    generated garden), a few pages again with the query they are opened with, and every
    API GET operation."""
    from django.urls import reverse

    from tests.security.urlwalk import api_operations, page_urls

    kwargs = detail_kwargs(made)
    urls = []
    for url in page_urls():
        if url.name in SKIP_PAGES or url.name.startswith(("admin", "/", "api")):
            continue
        if url.kwarg_names:
            if url.name not in kwargs:
                continue  # an action (POST) or a token link, not a page
            urls.append((url.name, reverse(url.name, kwargs=kwargs[url.name])))
        else:
            urls.append((url.name, reverse(url.name)))
    season = made.get("season")
    if season:
        urls.append(("harvests:index ?season", f"{reverse('harvests:index')}?season={season}"))
    urls.append(("plots:log ?page=3", f"{reverse('plots:log')}?page=3"))
    # Both versions: v2's lists are paged (limit, offset, count), v1's are capped arrays.
    for op in api_operations(versions=(1, 2)):
        if op.method == "GET" and "openapi" not in op.path:
            if all(name in kwargs for name in op.path_params):
                urls.append((op.key, op.url(kwargs)))
    return urls


def measure(scale: float, requests: int, profile: bool) -> dict:
    import django
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from bench.data import generate

    started = time.perf_counter()
    made = generate(scale)
    build_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    coordinator, member = Client(), Client()
    coordinator.force_login(made["coordinator"])
    member.force_login(made["member"])
    urls = main_urls(made)
    runs = [(label, path, coordinator) for label, path in urls]
    runs += [(f"{label} (member)", path, member) for label, path in urls if label in MEMBER_PAGES]
    only = os.environ.get("BENCH_PAGES_ONLY")  # while working on pages: parts of labels, a,b
    if only:
        runs = [run for run in runs if any(part in run[0] for part in only.split(","))]
    results = {}
    for label, path, client in runs:
        for _ in range(3):
            client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        query_count = len(queries)  # read now: the next request resets the log
        times, cpu = [], []
        for _ in range(requests):
            t0, c0 = time.perf_counter(), time.process_time()
            client.get(path)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        results[label] = {
            "path": path,
            "member": client is member,
            "status": response.status_code,
            "queries": query_count,
            "cpu_median_ms": statistics.median(cpu) * 1000,
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": percentile(times, 95) * 1000,
        }
    profile_text = ""
    if profile and results:
        from pyinstrument import Profiler

        slowest = max(results, key=lambda k: results[k]["p95_ms"])
        profiler = Profiler()
        profiler.start()
        client = member if results[slowest]["member"] else coordinator
        for _ in range(10):
            client.get(results[slowest]["path"])
        profiler.stop()
        PROFILE_DIR.mkdir(exist_ok=True)
        (PROFILE_DIR / "pages.html").write_text(profiler.output_html())
        profile_text = f"slowest: {slowest}\n" + profiler.output_text(
            unicode=False, color=False, show_all=False
        )
    return {
        "counts": made["counts"],
        "build_s": build_s,
        "results": results,
        "profile": profile_text,
    }


def run_worker(scale: float, requests: int, profile: bool) -> dict:
    url = bench_database_url(f"pages_{int(scale * 1000)}")
    recreate_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "garden.settings",
        "ALLMENDE_DATA_DIR": tempfile.mkdtemp(prefix="allmende-bench-pages-"),
        "LOG_LEVEL": "ERROR",
        "EXTRA_ALLOWED_HOSTS": "testserver",
    }
    env.pop("REDIS_URL", None)  # pages do not need the channel layer
    args = [PYTHON, __file__, "--worker", "--scale", str(scale), "--requests", str(requests)]
    if profile:
        args.append("--profile")
    try:
        out = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr[-4000:])
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.scale, args.requests, args.profile)))
        return

    print(f"== Pages at scale — {machine()}")
    small = run_worker(0.05, 5, profile=False)
    full = run_worker(args.scale, args.requests, profile=True)
    counts = full["counts"]
    print(
        f"garden: {counts['members']} members, {counts['plots']} plots, "
        f"{counts['shifts']} shifts, {counts['harvests']} harvest logs "
        f"(built in {full['build_s']:.0f} s); {args.requests} requests per page as coordinator"
    )
    print(
        f"{'page':40} {'status':>6} {'median':>9} {'p95':>9} {'cpu p50':>9} "
        f"{'queries':>8} {'at 5 %':>7}"
    )
    worst = 0.0
    growing = []
    for label, row in full["results"].items():
        q_small = small["results"].get(label, {}).get("queries", "-")
        flag = " N+1?" if isinstance(q_small, int) and row["queries"] > q_small else ""
        if flag:
            growing.append(label)
        worst = max(worst, row["p95_ms"])
        print(
            f"{label:40} {row['status']:>6} {row['median_ms']:7.1f}ms {row['p95_ms']:7.1f}ms "
            f"{row['cpu_median_ms']:7.1f}ms {row['queries']:>8} {q_small!s:>7}{flag}"
        )
    print(f"worst p95: {worst:.1f} ms (target < 100 ms)")
    print("query counts growing with data: " + (", ".join(growing) or "none"))
    if full["profile"]:
        print("-- profile of the slowest page (pyinstrument; bench/profiles/pages.html)")
        print("\n".join(full["profile"].splitlines()[:60]))


if __name__ == "__main__":
    main()
