"""Inbox: N distinct valid signed activities POSTed over HTTP to a daphne node on PostgreSQL.

A peered remote garden (its actor document already cached, as after the first contact)
sends ``Create``/``Note`` activities, each with its own id and a fresh eddsa-jcs-2022 proof,
from 16 concurrent connections. The node verifies, deduplicates, applies (the federation
debug handler) and answers 202. Printed: activities/s and latency p50/p99; beside them this
machine's raw Ed25519 verify rate and a full proof check (JCS + SHA-256 + Ed25519) in one
process, and the ratio. Rate limits are switched off for the run (they would cap one sender
at 600/min by design). daphne is sampled with py-spy.

    python bench/inbox.py [--activities 3000] [--concurrency 16] [--processes 1 2]
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
    daphne,
    machine,
    machine_busy_seconds,
    postgres_cpu_seconds,
    py_spy,
    summary_ms,
    top_functions,
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


async def post_all(url: str, bodies: list[bytes], concurrency: int) -> tuple[list, list, float]:
    """POST every body over ``concurrency`` keep-alive connections; (latencies, statuses, s).

    A bare HTTP/1.1 client on asyncio streams: an HTTP library costs more CPU per request
    than the server under test here, and both share the machine's two cores."""
    parts = urlsplit(url)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "Content-Type: application/activity+json\r\nContent-Length: "
    ).encode()
    latencies: list[float] = []
    statuses: list[int] = []
    pending = iter(bodies)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            for body in pending:
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

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return latencies, statuses, time.perf_counter() - started


def run(
    env: dict[str, str], port: int, log: Path, processes: int, bodies: list[bytes], warm, args
) -> dict:
    """POST ``bodies`` to a node of ``processes`` daphne processes; figures and profile."""
    with daphne(env, port, log, processes) as server:
        url = f"http://127.0.0.1:{port}/inbox"
        asyncio.run(post_all(url, warm, 4))
        cpu_before = sum(cpu_seconds(pid) for pid in server.pids)
        others_before = postgres_cpu_seconds(), time.process_time(), machine_busy_seconds()
        with py_spy(server.pids[0], f"inbox-{processes}") as profile:
            latencies, statuses, elapsed = asyncio.run(post_all(url, bodies, args.concurrency))
        cpu = sum(cpu_seconds(pid) for pid in server.pids) - cpu_before
        postgres, client, busy = (
            postgres_cpu_seconds() - others_before[0],
            time.process_time() - others_before[1],
            machine_busy_seconds() - others_before[2],
        )
        # The stack's floor: the same POST through the same middleware, refused by the
        # first check (not an activity) — no database, no cryptography.
        floor_cpu = sum(cpu_seconds(pid) for pid in server.pids)
        _, floor_statuses, floor_elapsed = asyncio.run(
            post_all(url, [b"{}"] * len(bodies), args.concurrency)
        )
        floor_cpu = sum(cpu_seconds(pid) for pid in server.pids) - floor_cpu
    return {
        "latencies": latencies,
        "statuses": statuses,
        "elapsed": elapsed,
        "cpu": cpu,
        "profile": profile,
        "postgres": postgres,
        "client": client,
        "busy": busy,
        "floor_rate": len(bodies) / floor_elapsed,
        "floor_cpu": floor_cpu,
        "floor_statuses": set(floor_statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--processes", type=int, nargs="+", default=[1, 2], help="daphne processes, one run each"
    )
    args = parser.parse_args()

    with bench_node(
        "inbox",
        redis=True,  # two daphne processes need it
        FEDERATION_DEBUG_HANDLER="1",
        RATE_LIMIT_INBOX_HOST="0",
        RATE_LIMIT_INBOX_IP="0",
    ) as node:
        from federation import crypto
        from federation.models import InboxActivity

        key, key_id = prepare_sender()
        bare, full = raw_verify_rates()
        print(f"== Inbox — {machine()}")
        print(
            f"this machine, one core: {bare:,.0f} bare Ed25519 verifies/s; "
            f"{full:,.0f} full proof checks/s (JCS + SHA-256 + Ed25519)"
        )
        for processes in args.processes:
            first = (processes + 1) * 1_000_000  # distinct ids for every run
            bodies = [
                json.dumps(crypto.sign(note(first + n), key, key_id)).encode()
                for n in range(args.activities)
            ]
            warm = [
                json.dumps(crypto.sign(note(-first - n), key, key_id)).encode() for n in range(50)
            ]
            log = node.data_dir / f"daphne-{processes}.log"
            result = run(node.env, node.port, log, processes, bodies, warm, args)
            stored = InboxActivity.objects.filter(
                activity_id__in=[json.loads(body)["id"] for body in bodies]
            ).count()
            statuses, n = result["statuses"], len(bodies)
            rate = n / result["elapsed"]
            codes = {code: statuses.count(code) for code in sorted(set(statuses))}
            print(
                f"-- {processes} daphne process(es), {n} activities, {args.concurrency} "
                f"connections: {rate:.0f} activities/s (target ≥ 1,000); answers {codes}; "
                f"{stored} stored"
            )
            print(f"latency: {summary_ms(result['latencies'])} (target p99 < 100 ms)")
            print(
                f"CPU per activity: daphne {result['cpu'] / n * 1000:.2f} ms, PostgreSQL "
                f"{result['postgres'] / n * 1000:.2f} ms, this client "
                f"{result['client'] / n * 1000:.2f} ms; the machine's 2 cores were "
                f"{result['busy'] / (2 * result['elapsed']) * 100:.0f} % busy"
            )
            print(
                f"floor (same POST refused before any database or crypto work, answers "
                f"{sorted(result['floor_statuses'])}): {result['floor_rate']:.0f} requests/s, "
                f"daphne CPU {result['floor_cpu'] / n * 1000:.2f} ms per request"
            )
            print(
                f"inbox ÷ bare verify: {rate / bare:.3f}; "
                f"inbox ÷ full proof check: {rate / full:.3f}"
            )
            print(f"-- profile of one daphne process (py-spy), {processes} running")
            print(top_functions(result["profile"]))


if __name__ == "__main__":
    main()
