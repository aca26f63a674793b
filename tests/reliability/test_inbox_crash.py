"""Nothing the inbox accepted is lost: kill -9 of the web process right after the 202, and of
the worker in the middle of applying, then a restart → every activity applied exactly once,
in the order it arrived. Real node processes (tests/nodes.py); what is asserted is the
receiving garden's debug log (every Create/Note it applied, written after commit)."""

from __future__ import annotations

import os
import signal

import pytest

from tests.federation.test_nodes import note_from, post, signed_by
from tests.nodes import Node, child_pids, peer, running_node, wait_for

pytestmark = pytest.mark.nodes


def only_child(node: Node, program: bytes) -> int:
    pids = child_pids(node.process.pid, program)
    assert len(pids) == 1, (program, pids)
    return pids[0]


def applied(node: Node) -> list[str]:
    return [entry["content"] for entry in node.debug_log()]


def test_killed_web_process_and_worker_lose_nothing_and_apply_once(tmp_path):
    with (
        running_node(tmp_path / "a", "Garten A") as a,
        # Only the worker applies (on SQLite the web process would apply right after storing).
        running_node(tmp_path / "b", "Garten B", FEDERATION_INBOX_APPLY_AT_ONCE="0") as b,
    ):
        peer(a, b)
        busy = b.data_dir / "federation-debug-busy"

        # The worker is frozen: the web process answers 202 and is killed at once.
        worker = only_child(b, b"run_periodic")
        os.kill(worker, signal.SIGSTOP)
        first = signed_by(a, note_from(a, "slow eins", "crash-1"))
        second = signed_by(a, note_from(a, "zwei", "crash-2"))
        assert post(b, first).status_code == 202
        assert post(b, second).status_code == 202
        os.kill(only_child(b, b"garden.asgi:application"), signal.SIGKILL)
        os.kill(worker, signal.SIGKILL)
        wait_for(lambda: b.process.poll() is not None, timeout=60)
        b.stop()
        assert applied(b) == []

        # After the restart the worker takes both; it is killed while applying the first.
        b.start()
        wait_for(busy.exists, timeout=60)
        os.kill(only_child(b, b"run_periodic"), signal.SIGKILL)
        wait_for(lambda: b.process.poll() is not None, timeout=60)
        b.stop()
        assert applied(b) == []  # the batch rolled back: nothing half-applied

        b.start()
        wait_for(lambda: len(applied(b)) >= 2, timeout=60)
        assert post(b, first).status_code == 202  # a redelivery now changes nothing
        wait_for(
            lambda: (
                not b.shell(
                    "from federation.models import InboxActivity\n"
                    "print(InboxActivity.objects.exclude(state='applied').count() or '')\n"
                ).strip()
            ),
            timeout=30,
        )
        assert applied(b) == ["slow eins", "zwei"]
