"""Live: 500 WebSocket clients on one node (uvicorn, then daphne) with the Redis channel layer.

Each client logs in (its own member's session) and opens /ws/live/, as an open page does.
Then the bench sends garden-wide events through the channel layer, as ``push_garden`` does
after a commit, each stamped with its send time, and every client notes when it arrives.
Prints connect time and the broadcast latency p50/p99 over all (event, client) pairs;
the web process is sampled with py-spy meanwhile.

    python bench/live.py [--clients 500] [--events 30] [--processes 1 2] [--servers uvicorn daphne]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    bench_node,
    cpu_seconds,
    machine,
    percentile,
    py_spy,
    summary_ms,
    top_functions,
    web_server,
)


def make_sessions(count: int) -> list[str]:
    """One active member and one logged-in session per client; returns session keys."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from garden.members.models import Garden, Membership

    garden = Garden.objects.get_current()
    users = User.objects.bulk_create(User(username=f"live{i:04d}") for i in range(count))
    Membership.objects.bulk_create(
        Membership(garden=garden, user=u, role="member", status="active") for u in users
    )
    keys = []
    for user in User.objects.filter(username__startswith="live"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


async def run_clients(
    url: str, origin: str, session_keys: list[str], events: int, server_pids: list[int]
) -> dict:
    import websockets
    from channels.layers import get_channel_layer

    from garden.core.live import GARDEN_GROUP, live_message

    received: list[list[float]] = [[] for _ in session_keys]
    connect_failures = 0

    async def connect(key: str):
        nonlocal connect_failures
        for _attempt in range(5):
            try:
                return await websockets.connect(
                    url,
                    additional_headers={"Cookie": f"sessionid={key}", "Origin": origin},
                    open_timeout=60,
                    max_queue=None,
                )
            except (OSError, websockets.InvalidHandshake, TimeoutError):
                connect_failures += 1
                await asyncio.sleep(1)
        raise RuntimeError("could not connect")

    async def listen(index: int, socket) -> None:
        while len(received[index]) < events:
            message = await asyncio.wait_for(socket.recv(), timeout=120)
            now = time.time()
            received[index].append(now - json.loads(message)["data"]["sent"])
        await socket.close()

    # Pages open over time, not in one burst: connect in waves of 25.
    started = time.perf_counter()
    sockets = []
    for wave in range(0, len(session_keys), 25):
        sockets += await asyncio.gather(*(connect(k) for k in session_keys[wave : wave + 25]))
    connect_s = time.perf_counter() - started
    tasks = [asyncio.create_task(listen(i, socket)) for i, socket in enumerate(sockets)]
    await asyncio.sleep(1.0)
    layer = get_channel_layer()
    profile = py_spy(server_pids[0], "live")  # the broadcasts only, not the connects
    profile_path = profile.__enter__()
    cpu_before = sum(map(cpu_seconds, server_pids)), time.process_time()
    # One broadcast at a time, the next once every page has the last: the latency of
    # a change reaching everyone, without a queue built up by the bench itself.
    for number in range(events):
        payload = {"n": number, "sent": time.time()}
        await layer.group_send(GARDEN_GROUP, live_message("bench", payload))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(len(r) <= number for r in received):
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.1)
    cpu = sum(map(cpu_seconds, server_pids)) - cpu_before[0], time.process_time() - cpu_before[1]
    profile.__exit__(None, None, None)
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=300)
    errors = [r for r in results if isinstance(r, BaseException)]
    return {
        "profile": profile_path,
        "cpu": cpu,
        "connect_s": connect_s,
        "connect_failures": connect_failures,
        "received": received,
        "errors": errors,
    }


def report(
    env: dict, port: int, data_dir: Path, keys: list[str], args, processes: int, server_name: str
) -> None:
    """One run with ``processes`` web processes of ``server_name``; prints its figures."""
    print(f"-- {server_name}, {processes} web process(es)")
    log = data_dir / f"{server_name}-{processes}.log"
    with web_server(env, port, log, processes, server_name) as server:
        outcome = asyncio.run(
            run_clients(
                f"ws://127.0.0.1:{port}/ws/live/",
                f"http://127.0.0.1:{port}",
                keys,
                args.events,
                server.pids,
            )
        )
    cpu, profile = outcome["cpu"], outcome["profile"]
    latencies = [value for client in outcome["received"] for value in client]
    expected = args.clients * args.events
    print(
        f"{args.clients} clients connected in {outcome['connect_s']:.1f} s "
        f"(waves of 25; {outcome['connect_failures']} refused and retried); "
        f"{args.events} broadcasts, {len(latencies)}/{expected} deliveries "
        f"({len(outcome['errors'])} client errors)"
    )
    if latencies:
        print(f"broadcast latency: {summary_ms(latencies)} (target p99 < 250 ms)")
        last = [
            max(client[n] for client in outcome["received"] if len(client) > n)
            for n in range(args.events)
        ]
        print(
            f"time until the last client had each event: p50 "
            f"{percentile(last, 50) * 1000:.0f} ms, max {max(last) * 1000:.0f} ms"
        )
    print(
        f"CPU during the broadcasts: web {cpu[0]:.1f} s, "
        f"the clients (this process) {cpu[1]:.1f} s; web CPU per broadcast to "
        f"{args.clients} pages: {cpu[0] / args.events * 1000:.0f} ms"
    )
    if outcome["errors"]:
        print("first error:", repr(outcome["errors"][0])[:300])
    print("-- the web process during the broadcasts (py-spy)")
    print(top_functions(profile))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument(
        "--processes", type=int, nargs="+", default=[1, 2], help="web processes, one run each"
    )
    parser.add_argument(
        "--servers", nargs="+", default=["uvicorn", "daphne"], choices=["uvicorn", "daphne"]
    )
    args = parser.parse_args()

    with bench_node("live", redis=True) as node:
        keys = make_sessions(args.clients)
        print(f"== Live — {machine()}")
        for processes in args.processes:
            for server_name in args.servers:
                report(node.env, node.port, node.data_dir, keys, args, processes, server_name)


if __name__ == "__main__":
    main()
