"""Real nodes — separate processes on loopback, daphne + worker each — talking to each other."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from nacl.signing import SigningKey

from federation import crypto
from tests.nodes import Node, peer, running_nodes, wait_for

pytestmark = pytest.mark.nodes


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    specs = [
        {"name": "Garten Nord", "latitude": 52.55, "longitude": 13.40},
        {"name": "Garten Süd", "latitude": 52.45, "longitude": 13.40},
    ]
    with running_nodes(tmp_path_factory.mktemp("nodes"), *specs) as (a, b):
        a.token = a.make_user("cora")
        b.token = b.make_user("bert")
        yield a, b


def node_key(node: Node) -> tuple[SigningKey, str]:
    """Read a node's current signing key from its data directory (as only it could)."""
    stored = json.loads((node.data_dir / "keys" / "keys.json").read_text())["keys"]
    key = SigningKey(bytes.fromhex([k for k in stored if not k["expires"]][-1]["seed"]))
    return key, f"{node.actor_url}#{crypto.public_key_multibase(key.verify_key)}"


def note_from(node: Node, content: str, number: str, **overrides) -> dict:
    activity = {
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            "https://w3id.org/security/data-integrity/v2",
        ],
        "id": f"{node.url}/activities/test-{number}",
        "type": "Create",
        "actor": node.actor_url,
        "object": {"type": "Note", "content": content},
        **overrides,
    }
    return activity


def signed_by(node: Node, activity: dict, created: datetime | None = None) -> dict:
    key, key_id = node_key(node)
    stamp = (created or datetime.now(UTC)).replace(microsecond=0)
    return crypto.sign(activity, key, key_id, created=stamp.isoformat().replace("+00:00", "Z"))


def post(node: Node, body) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(
        node.inbox_url,
        content=content,
        timeout=30,
        headers={"Content-Type": "application/activity+json"},
    )


def publish_on(node: Node, *contents: str) -> None:
    notes = ", ".join(repr(c) for c in contents)
    node.shell(
        "from django.db import transaction\n"
        "from federation.outbox import publish\n"
        f"for content in [{notes}]:\n"
        "    with transaction.atomic():\n"
        "        publish({'type': 'Create', 'object': {'type': 'Note', 'content': content}})\n"
    )


def contents(node: Node) -> list[str]:
    return [entry["content"] for entry in node.debug_log()]


def refused(node: Node, activity_id: str) -> bool:
    return "refused" in node.shell(
        "from federation.models import InboxActivity\n"
        f"print(InboxActivity.objects.filter(activity_id={activity_id!r}).first().state)\n"
    )


def test_peering_handshake(pair):
    a, b = pair
    peer(a, b, a.token, b.token)
    (on_a,) = a.peers(a.token)
    (on_b,) = b.peers(b.token)
    assert on_a["actor_url"] == b.actor_url and on_a["state"] == "accepted"
    assert on_b["actor_url"] == a.actor_url and on_b["state"] == "accepted"
    assert on_a["name"] == "Garten Süd" and on_b["name"] == "Garten Nord"
    assert on_a["distance_km"] == pytest.approx(11.1, abs=0.2)


def test_signed_activity_is_delivered_and_applied(pair):
    a, b = pair
    publish_on(a, "Kürbisse zu verschenken")
    wait_for(lambda: "Kürbisse zu verschenken" in contents(b))
    (entry,) = [e for e in b.debug_log() if e["content"] == "Kürbisse zu verschenken"]
    assert entry["sender"] == a.actor_url


def test_refused_messages_get_the_right_codes(pair):
    a, b = pair
    before = contents(b)
    valid = signed_by(a, note_from(a, "direct", "direct-1"))
    tampered = {**valid, "object": {"type": "Note", "content": "tampered"}}
    forged = crypto.sign(note_from(a, "forged", "forged-1"), SigningKey.generate(), node_key(a)[1])
    replayed = signed_by(
        a, note_from(a, "old", "old-1"), created=datetime.now(UTC) - timedelta(hours=2)
    )
    wrong_origin = signed_by(a, note_from(a, "origin", "x", id="https://elsewhere.example/a/1"))
    unsigned = note_from(a, "unsigned", "unsigned-1")
    oversized = signed_by(a, note_from(a, "x" * (300 * 1024), "big-1"))

    assert post(b, forged).status_code == 401
    assert post(b, tampered).status_code == 401
    assert post(b, replayed).status_code == 401
    assert post(b, wrong_origin).status_code == 401
    assert post(b, unsigned).status_code == 401
    assert post(b, oversized).status_code == 413
    assert post(b, b"{not json").status_code == 400
    assert (
        post(b, signed_by(a, {**note_from(a, "", "listen-1"), "type": "Listen"})).status_code == 202
    )
    assert post(b, valid).status_code == 202
    assert post(b, valid).status_code == 202  # the same id again: accepted, applied once
    # A handler's refusal comes after the 202 (the inbox worker applies): it is recorded,
    # not answered, and nothing of it is applied.
    assert post(b, signed_by(a, note_from(a, "refuse", "refuse-1"))).status_code == 202
    wait_for(lambda: refused(b, f"{a.url}/activities/test-refuse-1"))
    assert contents(b) == [*before, "direct"]


def test_peer_that_was_down_receives_everything_exactly_once(pair):
    a, b = pair
    b.stop()
    publish_on(a, "while away 1", "while away 2", "while away 3")
    wait_for(lambda: a.peers(a.token)[0]["failing_since"], timeout=60)
    b.start()
    wait_for(lambda: a.peers(a.token)[0]["queued"] == 0, timeout=120)
    # Delivered means stored at b (202); b's inbox worker applies them a moment later.
    wait_for(lambda: len([c for c in contents(b) if c.startswith("while away")]) >= 3, timeout=60)
    received = [c for c in contents(b) if c.startswith("while away")]
    assert sorted(received) == ["while away 1", "while away 2", "while away 3"]
    assert a.peers(a.token)[0]["failing_since"] is None


def test_rotated_key_is_announced_and_verifies(pair):
    a, b = pair
    output = a.manage("rotate_key", "--grace-hours", "1")
    assert "New key" in output
    wait_for(lambda: a.peers(a.token)[0]["queued"] == 0, timeout=60)
    publish_on(a, "signed with the new key")
    wait_for(lambda: "signed with the new key" in contents(b))
    actor = httpx.get(a.actor_url, headers={"Accept": "application/activity+json"}).json()
    assert len(actor["assertionMethod"]) == 2  # the old key still verifies for its grace period
    assert len(actor["publicKey"]) == 2  # and so does the old RSA key


def test_blocked_peer_is_refused_with_403(pair):
    a, b = pair
    (on_b,) = b.peers(b.token)
    with b.api(b.token) as client:
        assert client.post(f"/peers/{on_b['id']}/block").status_code == 200
    assert post(b, signed_by(a, note_from(a, "after block", "blocked-1"))).status_code == 403
    assert "after block" not in contents(b)
