"""Gossip: how an offer spreads through 50 gardens on a grid, each peered with its near
neighbours, when peers pass it on one hop further (issue 14).

Simulated in one process at the protocol level, not with 50 node processes (they do not fit
in the two shared cores): every garden has its own Ed25519 key; the origin signs each delivery
of its Offer as the outbox does; a receiver verifies the proof (``federation.crypto``) and
drops an id it has seen; a garden that got the offer from the origin itself passes it on
(``Announce``, signed by the relay, the origin's signed activity inside) to its peers within
the origin's radius of the origin, never back to the origin; a receiver of an ``Announce``
verifies both proofs and passes nothing on. The rules are those of ``federation/relay.py``
and ``garden/sharing/inbox.py``; HTTP, the database and the outbox's queue are left out (the
fan-out benchmark measures those).

Printed per hop limit (0 and 1): messages sent per offer (direct + relayed), duplicates
dropped, gardens within the radius reached and after how many hops, and the proof work (signing
and checking, median per message; the busiest receiver's count) averaged over every garden as
origin. The time until the last garden has it is the number of hops times one delivery's
latency, which the fan-out benchmark measures on real nodes (docs/performance.md).

    python bench/gossip.py [--rows 5 --cols 10 --spacing-km 1.5 --peer-km 2.2 --radius-km 10]
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# federation.peers needs Django's settings (nothing is stored: a throw-away data directory).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "garden.settings")
os.environ.setdefault("ALLMENDE_DATA_DIR", tempfile.mkdtemp(prefix="allmende-gossip-"))
django.setup()

from nacl.signing import SigningKey  # noqa: E402

from federation.crypto import public_key_multibase, sign, verify  # noqa: E402
from federation.peers import distance_km  # noqa: E402

CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/data-integrity/v2"]


@dataclass
class Garden:
    number: int
    latitude: float
    longitude: float
    key: SigningKey = field(default_factory=SigningKey.generate)
    peers: list[Garden] = field(default_factory=list)

    @property
    def actor(self) -> str:
        return f"https://garden{self.number}.example/actor"

    @property
    def method(self) -> str:
        return f"{self.actor}#{public_key_multibase(self.key.verify_key)}"

    def km_to(self, other: Garden) -> float:
        return distance_km(self.latitude, self.longitude, other.latitude, other.longitude)


def grid(rows: int, cols: int, spacing_km: float, peer_km: float) -> list[Garden]:
    """Gardens on a grid around Berlin; each peers with those within ``peer_km``."""
    lat_step = spacing_km / 111.2
    lon_step = spacing_km / (111.2 * math.cos(math.radians(52.5)))
    gardens = [
        Garden(r * cols + c, 52.45 + r * lat_step, 13.30 + c * lon_step)
        for r, c in itertools.product(range(rows), range(cols))
    ]
    for a, b in itertools.combinations(gardens, 2):
        if a.km_to(b) <= peer_km:
            a.peers.append(b)
            b.peers.append(a)
    return gardens


@dataclass
class Outcome:
    messages: int = 0
    duplicates: int = 0
    reached: set[int] = field(default_factory=set)
    sequential_s: float = 0.0
    # Most messages one garden had to check in the relay round (the round's slowest receiver).
    busiest: int = 0
    timings: list[float] = field(default_factory=list)


def spread(origin: Garden, hop_limit: int, radius_km: float) -> Outcome:
    outcome = Outcome()
    offer = {
        "@context": CONTEXT,
        "id": f"{origin.actor[:-6]}/activities/offer-1",
        "type": "Offer",
        "actor": origin.actor,
        "object": {
            "id": f"{origin.actor[:-6]}/objects/offers/1",
            "type": "Produce",
            "name": "Zucchini",
            "quantityLeft": "5.00",
            "hopLimit": hop_limit,
            "radiusKm": radius_km,
        },
    }
    seen: dict[int, set[str]] = {}
    # Round 1: the origin to its peers within its radius, each delivery signed afresh.
    round_one = [peer for peer in origin.peers if origin.km_to(peer) <= radius_km]
    relays = []
    for peer in round_one:
        started = time.perf_counter()
        signed = sign(offer, origin.key, origin.method)
        verify(signed, origin.key.verify_key)
        took = time.perf_counter() - started
        outcome.messages += 1
        outcome.sequential_s += took
        outcome.timings.append(took)
        seen.setdefault(peer.number, set()).add(offer["id"])
        outcome.reached.add(peer.number)
        relays.append((peer, signed))
    if hop_limit < 1:
        return outcome
    # Round 2: each direct receiver passes the origin's signed activity on, once.
    received: dict[int, int] = {}
    for relay, signed in relays:
        for peer in relay.peers:
            if peer is origin or origin.km_to(peer) > radius_km:
                continue
            started = time.perf_counter()
            announce = {
                "@context": CONTEXT,
                "id": f"{relay.actor}/announce/{peer.number}",
                "type": "Announce",
                "actor": relay.actor,
                "object": signed,
            }
            verify(sign(announce, relay.key, relay.method), relay.key.verify_key)
            verify(signed, origin.key.verify_key)  # the origin's key, fetched from the origin
            took = time.perf_counter() - started
            outcome.messages += 1
            outcome.sequential_s += took
            outcome.timings.append(took)
            received[peer.number] = received.get(peer.number, 0) + 1
            if offer["id"] in seen.setdefault(peer.number, set()):
                outcome.duplicates += 1
                continue
            seen[peer.number].add(offer["id"])
            outcome.reached.add(peer.number)
    outcome.busiest = max(received.values(), default=0)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5)
    parser.add_argument("--cols", type=int, default=10)
    parser.add_argument("--spacing-km", type=float, default=1.5)
    parser.add_argument("--peer-km", type=float, default=2.2)
    parser.add_argument("--radius-km", type=float, default=10.0)
    args = parser.parse_args()
    gardens = grid(args.rows, args.cols, args.spacing_km, args.peer_km)
    spread(gardens[0], 1, args.radius_km)  # warm up (imports, first canonicalisation)
    degree = sum(len(g.peers) for g in gardens) / len(gardens)
    print(
        f"{len(gardens)} gardens, {args.spacing_km} km apart, peered within {args.peer_km} km "
        f"(average {degree:.1f} peers), radius {args.radius_km} km"
    )
    for hop_limit in (0, 1):
        outcomes = [spread(origin, hop_limit, args.radius_km) for origin in gardens]
        n = len(gardens)
        in_range = sum(
            1 for a in gardens for b in gardens if a is not b and a.km_to(b) <= args.radius_km
        )
        reached = sum(len(o.reached) for o in outcomes)
        messages = sum(o.messages for o in outcomes) / n
        duplicates = sum(o.duplicates for o in outcomes) / n
        # Median per message: the machine is shared, and a preempted message would otherwise
        # stand for all.
        per_message = statistics.median(t for o in outcomes for t in o.timings)
        busiest = max(o.busiest for o in outcomes)
        rounds = 1 + (hop_limit >= 1)
        print(
            f"hop limit {hop_limit}: {messages:.1f} messages per offer ({duplicates:.1f} "
            f"duplicates dropped), reaches {reached / n:.1f} of {in_range / n:.1f} gardens in "
            f"range ({100 * reached / in_range:.0f} %) after {rounds} hop(s); proofs "
            f"{1000 * per_message:.2f} ms per message, "
            f"{1000 * per_message * messages:.1f} ms per offer over all gardens; the busiest "
            f"receiver checks {max(busiest, 1)} message(s) in the last hop"
        )


if __name__ == "__main__":
    main()
