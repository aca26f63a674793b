"""``manage.py serve``: several daphne processes share one port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.nodes import ROOT, child_pids, free_port, wait_for

# The run's own Redis db when it has one; a run without (SQLite, in-memory channel layer) uses
# db 7, so it never shares a db with a PostgreSQL run beside it on db 0 (.ci/run runs both).
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7"


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@override_settings(REDIS_URL="")
def test_several_web_processes_without_redis_are_refused():
    with pytest.raises(CommandError, match="REDIS_URL"):
        call_command("serve", web_processes=2)


def test_a_port_in_use_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"Cannot listen on 127.0.0.1:{port}"):
            call_command("serve", port=port)


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.nodes
@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
@pytest.mark.parametrize("server", ["uvicorn", "daphne"])
def test_two_web_processes_each_answer_on_the_shared_port(tmp_path, server):
    port = free_port()
    env = {
        **os.environ,
        "ALLMENDE_DATA_DIR": str(tmp_path),
        "PORT": str(port),
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "garden.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("PYTEST_CURRENT_TEST", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    serve = subprocess.Popen(
        [*manage, "serve", "--port", str(port), "--web-processes", "2", "--workers", "0"]
        + ["--server", server],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        wait_for(lambda: answers(url), timeout=90)
        app = b"garden.asgi:application"
        web = wait_for(lambda: (pids := child_pids(serve.pid, app)) and len(pids) == 2, 30)
        assert web
        first, second = child_pids(serve.pid, app)
        # With one process frozen, the other alone accepts every connection; so each of the
        # two really listens on the port.
        for frozen in (first, second):
            os.kill(frozen, signal.SIGSTOP)
            try:
                assert all(answers(url) for _ in range(5)), f"no answer with {frozen} frozen"
            finally:
                os.kill(frozen, signal.SIGCONT)
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=30)


def test_the_worker_and_the_scheduler_run_below_the_web_processes():
    from garden.core.management.commands.serve import lower_priority

    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.nice(0))"],
        preexec_fn=lower_priority(7),
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(child.stdout) == min(os.nice(0) + 7, 19)
