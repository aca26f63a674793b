"""How long a backup and a restore of the bench garden take (bench/data.py: 300 members,
100,000 harvest logs, 10,000 shifts …) with a photo on every offer and tool.

    .venv/bin/python bench/backup.py [--scale 1.0]

The garden is made on SQLite (the embedded default). Timed, each as the operator runs it
(`manage.py …`, Python's start included): a backup on SQLite, its restore into an empty
SQLite data dir and into PostgreSQL, and a backup on PostgreSQL. Prints figures; asserts
nothing (docs/performance.md, "Backup and restore").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    bench_database_url,
    drop_database,
    machine,
    manage,
    node_env,
    recreate_database,
)

PHOTO_BYTES = 150 * 1024

GENERATE = """
import os, time
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from bench.data import generate
from django.conf import settings
from garden.sharing.models import Offer, Tool
started = time.perf_counter()
generate({scale})
for model, folder in ((Offer, "offers"), (Tool, "tools")):
    directory = settings.MEDIA_ROOT / "sharing" / folder
    directory.mkdir(parents=True, exist_ok=True)
    for pk in model.objects.values_list("pk", flat=True):
        name = f"sharing/{{folder}}/{{pk}}.jpg"
        (settings.MEDIA_ROOT / name).write_bytes(b"\\xff\\xd8" + os.urandom({photo}))
        model.objects.filter(pk=pk).update(photo=name)
from federation.keys import current_key
current_key()
print(time.perf_counter() - started)
"""


def timed(env: dict, *args: str) -> str:
    """Wall-clock and CPU seconds of one command (the CPU figure is steadier on a shared
    machine; PostgreSQL's own CPU is not in it)."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    manage(env, *args)
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return f"{wall:.1f} s ({cpu:.1f} s CPU)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    options = parser.parse_args()
    print(f"Machine: {machine()}")
    base = Path(tempfile.mkdtemp(prefix="allmende-bench-backup-"))
    source = node_env(base / "source", 8000)
    source.pop("DATABASE_URL", None)
    source.pop("REDIS_URL", None)
    built = manage(
        source,
        "shell",
        "--no-imports",
        "-c",
        GENERATE.format(scale=options.scale, photo=PHOTO_BYTES),
    )
    print(f"garden made in {float(built.strip().splitlines()[-1]):.1f} s")

    archive = base / "garden.zip"
    backup_s = timed(source, "backup", "--to", str(archive))
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    rows = sum(t["rows"] for t in manifest["tables"].values())
    photos = sum(1 for name in manifest["members"] if name.startswith("files/media/"))
    size = archive.stat().st_size / 1e6
    print(f"backup on SQLite: {backup_s} — {rows} rows, {photos} photos, {size:.0f} MB")

    sqlite_target = node_env(base / "restored-sqlite", 8000)
    sqlite_target.pop("DATABASE_URL", None)
    print(f"restore into SQLite: {timed(sqlite_target, 'restore', str(archive))}")

    url = bench_database_url("backup")
    recreate_database(url)
    try:
        pg_target = node_env(base / "restored-pg", 8000, DATABASE_URL=url)
        print(f"restore into PostgreSQL: {timed(pg_target, 'restore', str(archive))}")
        again = base / "from-postgres.zip"
        print(f"backup on PostgreSQL: {timed(pg_target, 'backup', '--to', str(again))}")
    finally:
        drop_database(url)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average at the end: {load}")


if __name__ == "__main__":
    main()
