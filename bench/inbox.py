"""Inbox: N distinct valid signed activities POSTed over HTTP to a node on PostgreSQL.

A peered remote garden (its actor document already cached, as after the first contact)
sends ``Create``/``Note`` activities, each with its own id and a fresh eddsa-jcs-2022 proof,
from 16 concurrent connections. The node verifies, stores and answers 202; its scheduler
applies them (the federation debug handler). For each server (uvicorn, daphne) and number
of web processes, in one run: the rate of a bare Django POST view (the ceiling) and of the
server alone (an ASGI app answering without Django), the inbox's rate and latency
p50/p95/p99 and its ratio to the ceiling, then the inbox at half that rate and
the delay from receipt to applied (p50/p95). Rate limits are switched off (they would cap
one sender at 600/min by design); ``--rate-limits`` counts every request against limits too
high to be reached, as a node does. ``BENCH_PROFILE=1`` samples a web process with py-spy.

    python bench/inbox.py [--activities 3000] [--concurrency 16] [--processes 2 1]
                          [--servers uvicorn daphne] [--rate-limits]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    bench_node,
    cpu_seconds,
    machine,
    machine_busy_seconds,
    postgres_cpu_seconds,
    py_spy,
    summary_ms,
    top_functions,
    web_server,
)

AS = "https://www.w3.org/ns/activitystreams"
DI = "https://w3id.org/security/data-integrity/v2"
SENDER = "http://sender.bench.invalid"


def raw_verify_rates(seconds: float = 2.0) -> tuple[float, float]:
    """(bare Ed25519 verifies/s, full eddsa-jcs-2022 proof checks/s) in this process."""
    from nacl.signing import SigningKey

    from federation import crypto

    key = SigningKey.generate()
    message = os.urandom(64)  # what the proof signs: two SHA-256 hashes
    signed = key.sign(message)
    verify_key = key.verify_key
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        verify_key.verify(signed)
        count += 1
    bare = count / (time.perf_counter() - started)

    document = crypto.sign(note(0), key, f"{SENDER}/actor#key")
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        crypto.verify(document, verify_key)
        count += 1
    full = count / (time.perf_counter() - started)
    return bare, full


def note(number: int) -> dict:
    return {
        "@context": [AS, DI],
        "id": f"{SENDER}/activities/bench-{number}",
        "type": "Create",
        "actor": f"{SENDER}/actor",
        "to": [f"{AS}#Public"],
        "object": {
            "id": f"{SENDER}/objects/notes/{number}",
            "type": "Note",
            "content": f"Zucchini to share, batch {number}",
        },
    }


def prepare_sender():
    """The remote garden: a key, a cached actor document, an accepted peering."""
    from django.utils import timezone
    from nacl.signing import SigningKey

    from federation import crypto
    from federation.models import Peer, RemoteActor

    key = SigningKey.generate()
    key_id = f"{SENDER}/actor#{crypto.public_key_multibase(key.verify_key)}"
    document = {
        "@context": [AS, DI],
        "id": f"{SENDER}/actor",
        "type": "Organization",
        "name": "Sendegarten",
        "inbox": f"{SENDER}/inbox",
        "assertionMethod": [
            {
                "id": key_id,
                "type": "Multikey",
                "controller": f"{SENDER}/actor",
                "publicKeyMultibase": crypto.public_key_multibase(key.verify_key),
            }
        ],
    }
    RemoteActor.objects.create(
        actor_url=document["id"], document=document, fetched_at=timezone.now()
    )
    Peer.objects.create(
        actor_url=document["id"], name="Sendegarten", inbox_url=document["inbox"], state="accepted"
    )
    return key, key_id


async def post_all(
    url: str, bodies: list[bytes], concurrency: int, rate: float | None = None
) -> tuple[list, list, float]:
    """POST every body over ``concurrency`` keep-alive connections; (latencies, statuses, s).
    With ``rate``, request n is not sent before n / rate seconds (a steady load).

    A bare HTTP/1.1 client on asyncio streams: an HTTP library costs more CPU per request
    than the server under test here, and both share the machine's two cores."""
    parts = urlsplit(url)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "Content-Type: application/activity+json\r\nContent-Length: "
    ).encode()
    latencies: list[float] = []
    statuses: list[int] = []
    pending = iter(enumerate(bodies))
    began = time.perf_counter()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            for number, body in pending:
                if rate and (delay := began + number / rate - time.perf_counter()) > 0:
                    await asyncio.sleep(delay)
                started = time.perf_counter()
                writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
                header = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in header.split(b"\r\n")[1:]:
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                statuses.append(int(header.split(b" ", 2)[1]))
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return latencies, statuses, time.perf_counter() - began


def signed_bodies(key, key_id: str, first: int, count: int) -> list[bytes]:
    from federation import crypto

    return [json.dumps(crypto.sign(note(first + n), key, key_id)).encode() for n in range(count)]


def apply_delays(bodies: list[bytes], timeout: float = 120) -> list[float]:
    """Seconds from the store (received_at) to the commit of the worker's batch (applied_at)
    of each activity, once the worker applied them all."""
    from federation.models import InboxActivity

    ids = [json.loads(body)["id"] for body in bodies]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = InboxActivity.objects.filter(activity_id__in=ids)
        if rows.filter(handled=True).count() == len(ids):
            break
        time.sleep(0.5)
    pairs = InboxActivity.objects.filter(activity_id__in=ids, handled=True).values_list(
        "received_at", "applied_at"
    )
    return [(applied - received).total_seconds() for received, applied in pairs]


def run(env: dict[str, str], port: int, log: Path, processes: int, server: str, key, key_id, args):
    """One server, ``processes`` web processes: the ceiling, the inbox at full speed, then
    the inbox at half that rate with the delay until applied."""
    n = args.activities
    first = {"daphne": 1, "uvicorn": 2}[server] * 10_000_000 + processes * 1_000_000
    bodies = signed_bodies(key, key_id, first, n)
    paced = signed_bodies(key, key_id, first + 500_000, n // 2)
    warm = signed_bodies(key, key_id, first + 900_000, 50)
    with web_server(env, port, log, processes, server) as web:
        base = f"http://127.0.0.1:{port}"
        asyncio.run(post_all(f"{base}/inbox", warm, 4))
        asyncio.run(post_all(f"{base}/bench/ceiling", [b"{}"] * 200, 4))
        ceiling_before = sum(cpu_seconds(pid) for pid in web.pids), time.process_time()
        _, ceiling_statuses, ceiling_elapsed = asyncio.run(
            post_all(f"{base}/bench/ceiling", [b"{}"] * n, args.concurrency)
        )
        ceiling_cpu = sum(cpu_seconds(pid) for pid in web.pids) - ceiling_before[0]
        ceiling_client = time.process_time() - ceiling_before[1]
        _, bare_statuses, bare_elapsed = asyncio.run(
            post_all(f"{base}/bench/bare", [b"{}"] * n, args.concurrency)
        )
        cpu_before = sum(cpu_seconds(pid) for pid in web.pids)
        background_before = sum(cpu_seconds(pid) for pid in web.background)
        others_before = postgres_cpu_seconds(), machine_busy_seconds(), time.process_time()
        with py_spy(web.pids[0], f"inbox-{server}-{processes}") as profile:
            latencies, statuses, elapsed = asyncio.run(
                post_all(f"{base}/inbox", bodies, args.concurrency)
            )
        cpu = sum(cpu_seconds(pid) for pid in web.pids) - cpu_before
        background = sum(cpu_seconds(pid) for pid in web.background) - background_before
        postgres = postgres_cpu_seconds() - others_before[0]
        busy = machine_busy_seconds() - others_before[1]
        client = time.process_time() - others_before[2]
        apply_delays(bodies)  # the worker catches up before the steady run
        half = n / elapsed / 2
        _, paced_statuses, _ = asyncio.run(
            post_all(f"{base}/inbox", paced, args.concurrency, rate=half)
        )
        delays = apply_delays(paced)
    return {
        "latencies": latencies,
        "statuses": statuses,
        "elapsed": elapsed,
        "cpu": cpu,
        "profile": profile,
        "postgres": postgres,
        "background": background,
        "client": client,
        "busy": busy,
        "ceiling_rate": n / ceiling_elapsed,
        "ceiling_cpu": ceiling_cpu,
        "ceiling_client": ceiling_client,
        "bare_rate": n / bare_elapsed,
        "bare_statuses": set(bare_statuses),
        "ceiling_statuses": set(ceiling_statuses),
        "half_rate": half,
        "paced_statuses": set(paced_statuses),
        "delays": delays,
        "paced": len(paced),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--processes", type=int, nargs="+", default=[2, 1], help="web processes, one run each"
    )
    parser.add_argument(
        "--servers", nargs="+", default=["uvicorn", "daphne"], choices=["uvicorn", "daphne"]
    )
    parser.add_argument(
        "--rate-limits",
        action="store_true",
        help="count every request against the inbox's rate limits (in Redis), as a node does, "
        "with limits too high to be reached",
    )
    args = parser.parse_args()
    limit = "100000000/m" if args.rate_limits else "0"

    with bench_node(
        "inbox",
        redis=True,  # two web processes need it
        FEDERATION_DEBUG_HANDLER="1",
        RATE_LIMIT_INBOX_HOST=limit,
        RATE_LIMIT_INBOX_IP=limit,
        BENCH_CEILING="1",
    ) as node:
        from federation.models import InboxActivity

        key, key_id = prepare_sender()
        bare, full = raw_verify_rates()
        print(f"== Inbox — {machine()}")
        print(
            f"this machine, one core: {bare:,.0f} bare Ed25519 verifies/s; "
            f"{full:,.0f} full proof checks/s (JCS + SHA-256 + Ed25519)"
        )
        for processes in args.processes:
            for server in args.servers:
                log = node.data_dir / f"{server}-{processes}.log"
                result = run(node.env, node.port, log, processes, server, key, key_id, args)
                statuses, n = result["statuses"], args.activities
                rate = n / result["elapsed"]
                codes = {code: statuses.count(code) for code in sorted(set(statuses))}
                applied = InboxActivity.objects.filter(handled=True).count()
                print(
                    f"-- {server}, {processes} web process(es), {n} activities, "
                    f"{args.concurrency} connections: {rate:.0f} activities/s (target ≥ 1,000); "
                    f"answers {codes}; {applied} applied so far in all runs"
                )
                print(f"latency: {summary_ms(result['latencies'])} (target p99 < 100 ms)")
                print(
                    f"ceiling (a bare async POST view, same server and middleware, answers "
                    f"{sorted(result['ceiling_statuses'])}): {result['ceiling_rate']:.0f}/s; "
                    f"inbox ÷ ceiling {rate / result['ceiling_rate']:.2f} (target ≥ 0.60); CPU "
                    f"per request: web {result['ceiling_cpu'] / n * 1000:.2f} ms, this client "
                    f"{result['ceiling_client'] / n * 1000:.2f} ms"
                )
                print(
                    f"the server alone (an ASGI app answering 202 without Django, answers "
                    f"{sorted(result['bare_statuses'])}): {result['bare_rate']:.0f}/s; "
                    f"inbox ÷ server alone {rate / result['bare_rate']:.2f}"
                )
                print(
                    f"applied after receipt, {result['paced']} activities sent at "
                    f"{result['half_rate']:.0f}/s (half the rate above), answers "
                    f"{sorted(result['paced_statuses'])}: {summary_ms(result['delays'])} "
                    f"(target p95 < 1,000 ms)"
                )
                print(
                    f"CPU per activity: web {result['cpu'] / n * 1000:.2f} ms, PostgreSQL "
                    f"{result['postgres'] / n * 1000:.2f} ms, scheduler applying "
                    f"{result['background'] / n * 1000:.2f} ms, this client "
                    f"{result['client'] / n * 1000:.2f} ms; the machine's 2 cores were "
                    f"{result['busy'] / (2 * result['elapsed']) * 100:.0f} % busy; "
                    f"inbox ÷ full proof check: {rate / full:.3f}"
                )
                if result["profile"]:
                    print(f"-- profile of one web process (py-spy), {processes} running")
                    print(top_functions(result["profile"]))


if __name__ == "__main__":
    main()
