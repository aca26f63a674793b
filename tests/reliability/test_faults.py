"""Faults on real nodes (tests/nodes.py): a worker killed mid-delivery, a receiver down for hours.

Each node is daphne + the django-tasks worker in its own processes, peered over loopback.
What is asserted is what the receiving garden applied (its debug log: every Create/Note it
accepted) and what the sender's outbox says, never timings.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

pytest.importorskip("federation.outbox", reason="the federation core has not landed yet")
pytest.importorskip("tests.nodes", reason="the federation core has not landed yet")

from tests.nodes import Node, child_pids, peer, running_node, wait_for  # noqa: E402

pytestmark = pytest.mark.nodes


def publish_notes(node: Node, *contents: str) -> None:
    notes = ", ".join(repr(c) for c in contents)
    node.shell(
        "from django.db import transaction\n"
        "from federation.outbox import publish\n"
        f"for content in [{notes}]:\n"
        "    with transaction.atomic():\n"
        "        publish({'type': 'Create', 'object': {'type': 'Note', 'content': content}})\n"
    )


def deliveries(node: Node) -> list[dict]:
    out = node.shell(
        "import json\n"
        "from federation.models import Delivery\n"
        "rows = Delivery.objects.order_by('pk').values(\n"
        "    'pk', 'state', 'attempts', 'next_attempt_at', 'claimed_at', 'inbox_url')\n"
        "print(json.dumps(list(rows), default=str))\n"
    )
    return json.loads(out.strip().splitlines()[-1])


def applied(node: Node) -> list[str]:
    return [entry["content"] for entry in node.debug_log()]


def kick_worker(node: Node) -> None:
    """What the scheduled run would do once its time came: run the delivery task."""
    node.shell("from federation.outbox import deliver_due\ndeliver_due.enqueue()\n")


def worker_pid(node: Node) -> int:
    """The db_worker child of the node's ``manage.py serve``."""
    workers = child_pids(node.process.pid, b"db_worker")
    assert workers, "no worker process found"
    return workers[0]


class HoldingProxy:
    """Stands between the sender and the receiver's inbox: holds every POST until released,
    then forwards it — so a test can kill the sender while a delivery is on the wire."""

    def __init__(self, target: str):
        self.target = target
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.seen: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.seen.append(json.loads(body)["id"])
                proxy.arrived.set()
                proxy.release.wait(120)
                answer = httpx.post(
                    proxy.target,
                    content=body,
                    headers={"Content-Type": self.headers.get("Content-Type", "")},
                    timeout=60,
                )
                try:
                    self.send_response(answer.status_code)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(answer.content)
                except OSError:
                    pass  # the sender is gone; the receiver has it all the same

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/inbox"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HoldingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()


def test_worker_killed_mid_delivery_then_restarted_delivers_exactly_once(tmp_path):
    with (
        running_node(tmp_path / "a", "Garten A") as a,
        running_node(tmp_path / "b", "Garten B") as b,
    ):
        peer(a, b)
        with HoldingProxy(b.inbox_url) as proxy:
            a.shell(
                "from federation.models import Peer\n"
                f"Peer.objects.filter(actor_url={b.actor_url!r}).update(inbox_url={proxy.url!r})\n"
            )
            publish_notes(a, "eins", "zwei", "drei")
            assert proxy.arrived.wait(90), "the worker never started delivering"

            os.kill(worker_pid(a), signal.SIGKILL)
            wait_for(lambda: a.process.poll() is not None, timeout=60)
            a.stop()
            proxy.release.set()  # what was on the wire reaches the receiver anyway
            wait_for(lambda: len(applied(b)) >= 1, timeout=60)

            left = deliveries(a)
            assert any(d["state"] == "sending" for d in left), left
            # The claims of the killed worker look abandoned once STALE_CLAIM has passed.
            a.shell(
                "from datetime import timedelta\n"
                "from django.utils import timezone\n"
                "from federation.models import Delivery\n"
                "Delivery.objects.filter(state='sending').update(\n"
                "    claimed_at=timezone.now() - timedelta(hours=1))\n"
            )
            a.start()
            kick_worker(a)
            wait_for(lambda: all(d["state"] == "delivered" for d in deliveries(a)), timeout=240)

        assert sorted(applied(b)) == ["drei", "eins", "zwei"]
        assert len(proxy.seen) > len(set(proxy.seen)), "nothing was sent twice: no crash tested"


def park_queued_delivery(node: Node) -> bool:
    """Push the queued delivery an hour ahead, once no attempt is on the wire."""
    moved = node.shell(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from federation.models import Delivery\n"
        "print(Delivery.objects.filter(state='queued').update(\n"
        "    next_attempt_at=timezone.now() + timedelta(hours=1)))\n"
    )
    return moved.strip().splitlines()[-1] == "1"


def test_receiver_down_for_hours_backs_off_then_delivers(tmp_path):
    with (
        running_node(tmp_path / "a", "Garten A") as a,
        running_node(tmp_path / "b", "Garten B") as b,
    ):
        peer(a, b)
        b.stop()
        publish_notes(a, "während du weg warst")

        def failed_attempts(count: int):
            rows = deliveries(a)
            return rows if rows and rows[-1]["attempts"] >= count else None

        # Retry base is 1 s on test nodes: attempts 1, 2, 3 come after 1 s, 2 s, 4 s.
        rows = wait_for(lambda: failed_attempts(3), timeout=240)
        assert rows[-1]["state"] in ("queued", "sending")  # still trying, not given up
        last_error = a.shell(
            "from federation.models import Delivery\n"
            "print(Delivery.objects.latest('pk').last_error)\n"
        )
        assert "ConnectError" in last_error
        # The backoff's next try is out of reach while the receiver comes back, so no attempt
        # races its start (an attempt then would push the next one 2**attempts s away).
        wait_for(lambda: park_queued_delivery(a), timeout=120)
        b.start()

        # Hours pass: the activity is six hours old, nine tries failed, the next is due now.
        a.shell(
            "from datetime import timedelta\n"
            "from django.utils import timezone\n"
            "from federation.models import Delivery, OutboxActivity\n"
            "OutboxActivity.objects.update(created_at=timezone.now() - timedelta(hours=6))\n"
            "Delivery.objects.filter(state='queued').update(\n"
            "    next_attempt_at=timezone.now(), attempts=9)\n"
        )
        kick_worker(a)
        wait_for(lambda: deliveries(a)[-1]["state"] == "delivered", timeout=240)
        assert applied(b) == ["während du weg warst"]
        assert deliveries(a)[-1]["attempts"] == 10


def test_backoff_doubles_and_gives_up_after_three_days(tmp_path):
    with (
        running_node(tmp_path / "a", "Garten A") as a,
        running_node(tmp_path / "b", "Garten B") as b,
    ):
        peer(a, b)
        b.stop()
        publish_notes(a, "zu spät")
        wait_for(lambda: (rows := deliveries(a)) and rows[-1]["attempts"] >= 1, timeout=240)
        schedule = a.shell(
            "from datetime import timedelta\n"
            "from django.utils import timezone\n"
            "from federation.models import Delivery\n"
            "from federation.outbox import _record\n"
            "d = Delivery.objects.select_related('activity', 'peer').latest('pk')\n"
            "gaps = []\n"
            "for _ in range(4):\n"
            "    before = timezone.now()\n"
            "    _record(d, None, 'down')\n"
            "    d.refresh_from_db()\n"
            "    gaps.append(round((d.next_attempt_at - before).total_seconds()))\n"
            "print(*gaps)\n"
        )
        gaps = [int(g) for g in schedule.split()]
        pairs = zip(gaps, gaps[1:], strict=False)
        assert all(later >= 2 * earlier - 1 for earlier, later in pairs), gaps

        a.shell(
            "from datetime import timedelta\n"
            "from django.utils import timezone\n"
            "from federation.models import Delivery, OutboxActivity\n"
            "OutboxActivity.objects.update(created_at=timezone.now() - timedelta(days=4))\n"
            "Delivery.objects.filter(state='queued').update(next_attempt_at=timezone.now())\n"
        )
        kick_worker(a)
        wait_for(lambda: deliveries(a)[-1]["state"] == "failed", timeout=240)
        assert applied(b) == []
