"""Fan-out: one offer to 200 peer inboxes, and one public post to 10,000 followers on 1,000
servers, until every inbox has acknowledged.

The node has 200 accepted peers whose inboxes are served by one light local receiver (an
asyncio HTTP server answering 202 to any POST at ``/inbox/<n>``). One activity is published
to all peers, as sharing an offer does; the node's worker (``manage.py db_worker``, the
process ``serve`` starts) signs and sends the 200 deliveries. Printed: time from the publishing
commit until the receiver had all 200, and until the outbox had marked all 200 delivered.
The worker is sampled with py-spy.

Then 10,000 followers (people on fediverse servers) on 1,000 servers, each server naming a
shared inbox (``/shared/<server>`` on the same receiver): one public post goes to each
server once, so 1,000 deliveries. Printed: the time until all 1,000 shared inboxes had it.

    python bench/fanout.py [--peers 200] [--followers 10000 --servers 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    PYTHON,
    ROOT,
    bench_database_url,
    drop_database,
    machine,
    manage,
    node_env,
    py_spy,
    recreate_database,
    top_functions,
)
from tests.nodes import free_port, wait_for  # noqa: E402


class Receiver:
    """A minimal HTTP/1.1 server in a thread: notes when each inbox got its POST."""

    def __init__(self) -> None:
        self.port = free_port()
        self.arrivals: dict[str, float] = {}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                length = 0
                for line in lines[1:]:
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                await reader.readexactly(length)
                self.arrivals.setdefault(path, time.time())
                writer.write(
                    b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 2\r\n\r\n{}"
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port, backlog=512)
        )
        self.server = server
        self.loop.run_forever()

    def start(self) -> Receiver:
        self.thread.start()
        return self


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peers", type=int, default=200)
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--servers", type=int, default=1_000)
    args = parser.parse_args()

    receiver = Receiver().start()
    data_dir = Path(tempfile.mkdtemp(prefix="allmende-bench-fanout-"))
    db = bench_database_url("fanout")
    recreate_database(db)
    env = node_env(data_dir, free_port(), DATABASE_URL=db, LOG_LEVEL="ERROR")
    env.pop("REDIS_URL", None)
    worker = None
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        os.environ.update(env)
        import django

        django.setup()
        from django.db import transaction

        from federation.models import Delivery, Peer
        from federation.outbox import publish

        Peer.objects.bulk_create(
            Peer(
                actor_url=f"http://127.0.0.1:{receiver.port}/actor/{n}",
                name=f"Garten {n}",
                inbox_url=f"http://127.0.0.1:{receiver.port}/inbox/{n}",
                state="accepted",
            )
            for n in range(args.peers)
        )
        worker = subprocess.Popen(
            [
                PYTHON,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.5",
                "--no-reload",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        time.sleep(3)  # the worker is polling
        print(f"== Fan-out — {machine()}")
        with py_spy(worker.pid, "fanout") as profile:
            with transaction.atomic():
                publish(
                    {
                        "type": "Offer",
                        "object": {"type": "Note", "content": "Zucchini, a whole crate"},
                    }
                )
            committed = time.time()
            wait_for(lambda: len(receiver.arrivals) >= args.peers, timeout=300, interval=0.05)
            received = max(receiver.arrivals.values()) - committed
            wait_for(
                lambda: Delivery.objects.filter(state="delivered").count() >= args.peers,
                timeout=300,
                interval=0.05,
            )
            acknowledged = time.time() - committed
        first = min(receiver.arrivals.values()) - committed
        print(
            f"one offer to {args.peers} peers: first inbox after {first * 1000:.0f} ms, "
            f"all {args.peers} received after {received:.2f} s, all marked delivered after "
            f"{acknowledged:.2f} s (target < 3 s)"
        )
        print("-- worker profile (py-spy)")
        print(top_functions(profile))
        if args.followers:
            followers_fanout(receiver, args.followers, args.servers)
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        drop_database(db)


def followers_fanout(receiver: Receiver, followers: int, servers: int) -> None:
    """One public post to ``followers`` people on ``servers`` servers (shared inboxes)."""
    from django.db import transaction

    from federation.followers import publish_to_followers
    from federation.models import Delivery, Follower

    base = f"http://127.0.0.1:{receiver.port}"
    Follower.objects.bulk_create(
        (
            Follower(
                actor_url=f"{base}/users/{n}",
                name=f"Person {n}",
                handle=f"person{n}@server{n % servers}.example",
                server=f"server{n % servers}.example",
                inbox_url=f"{base}/users/{n}/inbox",
                delivery_inbox=f"{base}/shared/{n % servers}",
                state="accepted",
            )
            for n in range(followers)
        ),
        batch_size=1000,
    )
    shared = [path for path in receiver.arrivals if path.startswith("/shared/")]
    assert not shared
    started = time.time()
    with transaction.atomic():
        publish_to_followers({"type": "Create", "object": {"type": "Note", "content": "Mangold"}})
    committed = time.time()

    def arrived() -> list[float]:
        return [at for path, at in receiver.arrivals.items() if path.startswith("/shared/")]

    wait_for(lambda: len(arrived()) >= servers, timeout=600, interval=0.1)
    received = max(arrived()) - committed
    wait_for(
        lambda: Delivery.objects.filter(state="delivered", peer__isnull=True).count() >= servers,
        timeout=600,
        interval=0.1,
    )
    acknowledged = time.time() - committed
    print(
        f"one public post to {followers} followers on {servers} servers: queued in "
        f"{(committed - started) * 1000:.0f} ms, first shared inbox after "
        f"{(min(arrived()) - committed) * 1000:.0f} ms, all {servers} received after "
        f"{received:.2f} s, all marked delivered after {acknowledged:.2f} s"
    )


if __name__ == "__main__":
    main()
