"""Real Allmende nodes for multi-node tests: separate processes on loopback ports.

    with running_node(tmp_path / "a", name="Garten A") as a, running_node(...) as b:
        token = a.make_user("cora", coordinator=True)
        peer(a, b)
        a.shell("print(1 + 1)")

Each node has its own data directory (SQLite there, keys, secret) or, when ``DATABASE_URL``
points at PostgreSQL, its own database ``<testdb>_node_<n>``, created and dropped here. It runs
``manage.py serve`` (daphne + the django-tasks worker) with ``FEDERATION_ALLOW_INSECURE=1``
(http and loopback addresses), a short retry base, and the federation debug handler, which
appends each received ``Create``/``Note`` to ``<data dir>/federation-debug.jsonl``.
"""

import contextlib
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
_numbers = itertools.count(1)
START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float = 30.0, interval: float = 0.2):
    """Poll until ``condition()`` is truthy; return its value or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {condition}")
        time.sleep(interval)


def child_pids(parent: int, program: bytes) -> list[int]:
    """The processes started by ``parent`` with ``program`` among their arguments."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and program in arguments:
            found.append(int(entry.name))
    return sorted(found)


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def create_database(name: str) -> str | None:
    """A fresh PostgreSQL database beside the test run's own (None on SQLite); its URL."""
    base = _postgres_url()
    if base is None:
        return None
    parts = urlsplit(base)
    _admin_sql(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_sql(base, f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    _admin_sql(url, f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


def _admin_sql(url: str, sql: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql)


def _node_database(number: int) -> str | None:
    base = _postgres_url()
    prefix = urlsplit(base).path.lstrip("/") if base else ""
    return create_database(f"{prefix or 'allmende'}_node_{number}_{os.getpid()}")


class Node:
    """One node: start/stop it, run commands and Python in it, call its API."""

    def __init__(self, data_dir: Path, name: str = "", latitude=None, longitude=None, **env):
        self.number = next(_numbers)
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.name = name or f"Garten {self.number}"
        self.latitude, self.longitude = latitude, longitude
        self.database_url = _node_database(self.number)
        self.env = {
            **os.environ,
            "ALLMENDE_DATA_DIR": str(self.data_dir),
            "PORT": str(self.port),
            "ALLMENDE_URL": self.url,
            "FEDERATION_ALLOW_INSECURE": "1",
            "FEDERATION_DEBUG_HANDLER": "1",
            "FEDERATION_RETRY_BASE_SECONDS": "1",
            "MAP_TILE_URL": "",  # a page opened in a test browser loads no tiles from outside
            "PYTHONUNBUFFERED": "1",
            "BACKUP_DAILY": "0",  # a test that wants one asks for it
            **{key: str(value) for key, value in env.items()},
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env.pop("PYTEST_CURRENT_TEST", None)
        if self.database_url:
            self.env["DATABASE_URL"] = self.database_url
        else:
            self.env.pop("DATABASE_URL", None)
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def actor_url(self) -> str:
        return f"{self.url}/actor"

    @property
    def inbox_url(self) -> str:
        return f"{self.url}/inbox"

    def manage(self, *args: str, check: bool = True) -> str:
        """Run ``manage.py <args>`` against this node; returns stdout."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def shell(self, code: str) -> str:
        """Run Python in a Django shell of this node; returns what it printed."""
        return self.manage("shell", "--no-imports", "-c", code)

    def setup(self) -> None:
        lat = "None" if self.latitude is None else repr(float(self.latitude))
        lon = "None" if self.longitude is None else repr(float(self.longitude))
        self.shell(
            "from django.core.management import call_command\n"
            "call_command('migrate', interactive=False, verbosity=0)\n"
            "from garden.members.models import Garden\n"
            "g = Garden.objects.get_current()\n"
            f"g.name = {self.name!r}; g.latitude = {lat}; g.longitude = {lon}\n"
            "g.save()\n"
        )

    def start(self) -> "Node":
        self._log = open(self.data_dir / "serve.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._healthy, timeout=START_TIMEOUT, interval=0.3)
        return self

    def _healthy(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"node exited early; see {self.data_dir / 'serve.log'}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        if self._log:
            self._log.close()
            self._log = None

    def destroy(self) -> None:
        self.stop()
        if self.database_url:
            drop_database(self.database_url)

    def make_user(self, username: str, coordinator: bool = True) -> str:
        """Make an active member (coordinator by default); returns an API token for them."""
        role = "coordinator" if coordinator else "member"
        return self.shell(
            "from django.contrib.auth.models import User\n"
            "from garden.members.models import ApiToken, Garden, Membership\n"
            f"u, _ = User.objects.get_or_create(username={username!r})\n"
            "Membership.objects.get_or_create(user=u, defaults={'garden': "
            f"Garden.objects.get_current(), 'role': {role!r}, 'status': 'active'}})\n"
            f"print(ApiToken.objects.create_token(u, 'nodes')[1])\n"
        ).strip()

    def api(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )

    def peers(self, token: str) -> list[dict]:
        with self.api(token) as client:
            response = client.get("/peers")
            response.raise_for_status()
            return response.json()

    def debug_log(self) -> list[dict]:
        """What the debug handler applied, in order."""
        path = self.data_dir / "federation-debug.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line]


@contextlib.contextmanager
def running_node(data_dir: Path, name: str = "", **kwargs) -> Iterator[Node]:
    node = Node(data_dir, name, **kwargs)
    try:
        node.setup()
        node.start()
        yield node
    finally:
        node.destroy()


@contextlib.contextmanager
def running_nodes(base_dir: Path, *specs: dict) -> Iterator[list[Node]]:
    """Start several nodes at once (set up in parallel: it is mostly waiting for Python).

    Each spec holds ``Node`` keyword arguments, e.g. ``{"name": "A", "latitude": 52.5}``."""
    from concurrent.futures import ThreadPoolExecutor

    nodes = [Node(Path(base_dir) / f"node{index}", **spec) for index, spec in enumerate(specs)]
    try:
        with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
            list(pool.map(lambda node: (node.setup(), node.start()), nodes))
        yield nodes
    finally:
        for node in nodes:
            node.destroy()


def peer(a: Node, b: Node, token_a: str | None = None, token_b: str | None = None) -> None:
    """Peer ``a`` and ``b``: a asks over the API, b's coordinator accepts; waits for both."""
    token_a = token_a or a.make_user("coordinator-a")
    token_b = token_b or b.make_user("coordinator-b")
    with a.api(token_a) as client:
        response = client.post("/peers", json={"address": b.actor_url})
        assert response.status_code == 201, response.text

    def request_arrived():
        return next((p for p in b.peers(token_b) if p["actor_url"] == a.actor_url), None)

    request = wait_for(request_arrived)
    if request["state"] != "accepted":
        with b.api(token_b) as client:
            response = client.post(f"/peers/{request['id']}/accept")
            assert response.status_code == 200, response.text

    def accepted_on_a():
        return any(
            p["actor_url"] == b.actor_url and p["state"] == "accepted" for p in a.peers(token_a)
        )

    wait_for(accepted_on_a)


@pytest.fixture
def node_factory(tmp_path):
    """``node_factory(name=…, latitude=…, longitude=…)`` starts a node, stopped after the test."""
    stack = contextlib.ExitStack()
    counter = itertools.count(1)

    def make(name: str = "", **kwargs) -> Node:
        return stack.enter_context(running_node(tmp_path / f"node{next(counter)}", name, **kwargs))

    with stack:
        yield make
