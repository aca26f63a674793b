"""Shared pieces of the benchmarks: a PostgreSQL database of their own, a node process,
percentiles, and a profiler wrapper. Benchmarks print figures; they assert nothing."""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.nodes import child_pids, free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PROFILE_DIR = ROOT / "bench" / "profiles"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/allmende_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def bench_database_url(suffix: str) -> str:
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{suffix}"))


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> str:
    """'p50 x ms · p95 y ms · p99 z ms' for durations given in seconds."""
    ms = [v * 1000 for v in values]
    return (
        f"p50 {statistics.median(ms):.1f} ms · p95 {percentile(ms, 95):.1f} ms · "
        f"p99 {percentile(ms, 99):.1f} ms · max {max(ms):.1f} ms"
    )


def machine() -> str:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    total = mem[1].split()[1] if len(mem) > 1 else "?"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({cpu}), {total} RAM, Python {platform.python_version()}; "
        f"load average {load} when it started"
    )


def node_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "ALLMENDE_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "ALLMENDE_URL": f"http://127.0.0.1:{port}",
        "FEDERATION_ALLOW_INSECURE": "1",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "garden.settings",
        **extra,
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


@dataclass
class WebServer:
    process: subprocess.Popen
    pids: list[int]  # the web processes (the children of ``manage.py serve``)
    background: list[int]  # the scheduler (``run_periodic``), which applies the inbox


@contextlib.contextmanager
def web_server(
    env: dict[str, str], port: int, log: Path, processes: int = 1, server: str = "daphne"
) -> Iterator[WebServer]:
    """The node as ``manage.py serve`` runs it, without the django-tasks worker: ``processes``
    web processes of ``server`` (daphne or uvicorn) sharing the port (more than one needs
    Redis), and the scheduler, which applies what the inbox stored."""
    import httpx

    command = [PYTHON, "manage.py", "serve", "--port", str(port), "--server", server]
    command += ["--web-processes", str(processes), "--workers", "0"]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def up() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited; see {log}")
            try:
                return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        try:
            wait_for(up, timeout=90)
            pids = wait_for(
                lambda: (
                    (found := child_pids(process.pid, b"garden.asgi:application"))
                    and len(found) == processes
                    and found
                ),
                timeout=60,
            )
            yield WebServer(process, pids, child_pids(process.pid, b"run_periodic"))
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def py_spy(pid: int, name: str) -> Iterator[Path | None]:
    """Sample a running process with py-spy into bench/profiles/<name>.txt (top functions)."""
    PROFILE_DIR.mkdir(exist_ok=True)
    out = PROFILE_DIR / f"{name}.speedscope.json"
    spy = Path(PYTHON).with_name("py-spy")
    # Off unless asked for: the sampler takes CPU from the two cores the figures are about.
    if not spy.exists() or os.environ.get("BENCH_PROFILE", "0") != "1":
        yield None
        return
    process = subprocess.Popen(
        [
            str(spy),
            "record",
            "-p",
            str(pid),
            "-o",
            str(out),
            "-f",
            "speedscope",
            "-r",
            "200",
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield out
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def _is_ours(file: str) -> bool:
    return (
        str(ROOT) in file
        and "/bench/" not in file
        and "/.venv/" not in file
        and "site-packages" not in file
    )


def top_functions(speedscope: Path | None, limit: int = 12) -> str:
    """Self-time and inclusive-time leaders from a py-spy speedscope file."""
    import json
    from collections import Counter

    if speedscope is None or not speedscope.exists():
        return "  (not profiled: BENCH_PROFILE=1, or make bench-profile, samples with py-spy)"
    data = json.loads(speedscope.read_text())
    frames = data["shared"]["frames"]
    own: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    for profile in data["profiles"]:
        for sample, weight in zip(profile["samples"], profile["weights"], strict=False):
            total += weight
            if sample:
                own[sample[-1]] += weight
            for index in set(sample):
                inclusive[index] += weight

    def label(index: int) -> str:
        frame = frames[index]
        file = frame.get("file", "")
        for marker in ("site-packages/", str(ROOT) + "/"):
            if marker in file:
                file = file.split(marker, 1)[1]
        return f"{frame['name']} ({file}:{frame.get('line', '?')})"

    lines = ["  self time:"]
    lines += [f"    {100 * w / total:5.1f}%  {label(i)}" for i, w in own.most_common(limit)]
    ours = [(i, w) for i, w in inclusive.most_common(400) if _is_ours(frames[i].get("file", ""))][
        :limit
    ]
    lines += ["  inclusive, our code:"]
    lines += [f"    {100 * w / total:5.1f}%  {label(i)}" for i, w in ours]
    return "\n".join(lines)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time used so far by every PostgreSQL server process on this machine."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, ValueError):
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(entry.name))
    return total


def machine_busy_seconds() -> float:
    """CPU time all cores have spent outside idle and iowait since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


@dataclass
class BenchNode:
    env: dict[str, str]
    port: int
    data_dir: Path


@contextlib.contextmanager
def bench_node(name: str, redis: bool = False, **extra: str) -> Iterator[BenchNode]:
    """A node's settings for one benchmark: its own data dir, port and PostgreSQL database
    (migrated, dropped afterwards), Redis if asked for; Django set up in this process on it."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"allmende-bench-{name}-"))
    port = free_port()
    database = bench_database_url(name)
    recreate_database(database)
    env = node_env(data_dir, port, DATABASE_URL=database, LOG_LEVEL="ERROR", **extra)
    if redis:
        env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    else:
        env.pop("REDIS_URL", None)
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        os.environ.update(env)
        import django

        django.setup()
        yield BenchNode(env, port, data_dir)
    finally:
        drop_database(database)
