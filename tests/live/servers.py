"""Real web processes (uvicorn or daphne) on loopback for the live and browser tests.

`Site` is one data directory + database that one or more daphne processes serve; each
process binds port 0 and reports the port it got. On PostgreSQL (DATABASE_URL set in the
test process) a site gets a database of its own, dropped afterwards; else a SQLite file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

from tests.nodes import create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 60


class Site:
    """A node's state (data directory, database) that daphne processes can serve."""

    def __init__(self, name: str = "site", extra_env: dict[str, str] | None = None) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"allmende-{name}-"))
        self.env = {**os.environ, "ALLMENDE_DATA_DIR": str(self.data_dir), "LOG_LEVEL": "INFO"}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env.update(extra_env or {})
        self.database = create_database(f"allmende_live_{uuid.uuid4().hex[:10]}")
        if self.database:
            self.env["DATABASE_URL"] = self.database
        else:
            self.env.pop("DATABASE_URL", None)
        self.processes: list[Daphne] = []

    def manage(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def migrate(self) -> Site:
        self.manage("migrate", "--noinput", "-v", "0")
        return self

    def shell(self, code: str) -> str:
        return self.manage("shell", "--no-imports", "-c", code)

    def serve(self) -> Daphne:
        process = Daphne(self.env)
        self.processes.append(process)
        return process

    def close(self) -> None:
        for process in self.processes:
            process.stop()
        if self.database:
            drop_database(self.database)
        shutil.rmtree(self.data_dir, ignore_errors=True)


class Daphne:
    """One web process on 127.0.0.1 and a free port: the server ``manage.py serve`` runs by
    default (uvicorn with uvloop and httptools), or daphne with ``WEB_SERVER=daphne``."""

    LISTENING = re.compile(
        r"(?:Listening on TCP address|Uvicorn running on http://)127\.0\.0\.1:(\d+)"
    )
    COMMANDS = {
        "daphne": ["-m", "daphne", "-b", "127.0.0.1", "-p", "0"],
        "uvicorn": [
            "-m",
            "uvicorn",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--ws",
            "websockets",
            "--lifespan",
            "off",
        ],
    }

    def __init__(self, env: dict[str, str]) -> None:
        self.log: list[str] = []
        self.port: int | None = None
        self._ready = threading.Event()
        server = env.get("WEB_SERVER", "uvicorn")
        self.process = subprocess.Popen(
            [sys.executable, *self.COMMANDS[server], "garden.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._ready.wait(0.2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{server} did not start:\n" + "".join(self.log[-40:]))

    def _read(self) -> None:
        for line in self.process.stderr:
            self.log.append(line)
            match = self.LISTENING.search(line)
            if match and self.port is None:
                self.port = int(match.group(1))
                self._ready.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/live/"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def log_in(base_url: str, username: str, password: str) -> httpx.Client:
    """An HTTP client holding a session for that person (the login form, CSRF and all)."""
    client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)
    client.get("/accounts/login/").raise_for_status()
    response = client.post(
        "/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    if response.status_code != 302:
        raise AssertionError(f"login as {username} failed: {response.status_code}")
    return client


def post_form(client: httpx.Client, path: str, data: dict | None = None) -> httpx.Response:
    """POST a form as the browser would, with the CSRF token from the cookie."""
    return client.post(
        path, data={**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"]}
    )
