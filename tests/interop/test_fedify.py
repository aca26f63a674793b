"""Fedify, an ActivityPub implementation nobody here wrote, checks what a running Allmende
node sends, and sends to it (fedify_peer.mjs; `npm ci` in tests/interop installs it).

The node is Django's live server (real HTTP on loopback); Fedify runs in Node.
Without node_modules the tests skip, except under CI=true where they fail.
"""

import os
import select
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from federation import registry
from federation.actors import actor_id, fetch_actor, rsa_key_id
from federation.keys import current_key
from federation.models import Delivery, InboxActivity, Peer
from federation.outbox import publish
from tests.nodes import wait_for

HERE = Path(__file__).parent
pytestmark = pytest.mark.django_db(transaction=True)


class FedifyPeer:
    def __init__(self, url: str):
        self.url = url
        self.actor = f"{url}/actor"
        self.inbox = f"{url}/inbox"

    def results(self) -> list[dict]:
        return httpx.get(f"{self.url}/results", timeout=30).json()

    def posted(self, activity_type: str) -> list[dict]:
        """What Fedify's inbox received of that type (the peer lives for the whole module)."""
        return [
            result
            for result in self.results()
            if result["method"] == "POST" and result["activity"]["type"] == activity_type
        ]

    def send(self, inbox: str, mode: str, tamper: bool = False) -> dict:
        request = {"inbox": inbox, "mode": mode, "tamper": tamper}
        return httpx.post(f"{self.url}/send", json=request, timeout=60).json()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def fedify():
    if not (HERE / "node_modules/@fedify/fedify").is_dir():
        message = "Fedify is not installed (npm ci in tests/interop)"
        if _in_ci():
            pytest.fail(message + "; CI must run the interop tests")
        pytest.skip(message)
    process = subprocess.Popen(
        ["node", "fedify_peer.mjs"], cwd=HERE, stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 90
        line = ""
        while not line.startswith("ready") and time.monotonic() < deadline:
            if select.select([process.stdout], [], [], 1)[0]:
                line = process.stdout.readline()
            if process.poll() is not None:
                break
        assert line.startswith("ready"), "the Fedify peer did not start"
        yield FedifyPeer(f"http://127.0.0.1:{line.split()[1]}")
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def node(live_server, settings, garden, tmp_path) -> str:
    """This process's live server is the garden node; its URL is the node's public URL."""
    url = live_server.url.replace("localhost", "127.0.0.1")
    settings.ALLMENDE_URL = url
    settings.ALLMENDE_HOST = url.split("://", 1)[1]
    settings.ALLOWED_HOSTS = ["*"]
    settings.FEDERATION_ALLOW_INSECURE = True
    settings.FEDERATION_KEY_DIR = tmp_path / "keys"
    return url


def test_fedify_verifies_our_proof_and_our_http_signature(node, fedify):
    peer = Peer.objects.create(
        actor_url=fedify.actor, inbox_url=fedify.inbox, name="Fedify", state="accepted"
    )
    row = publish({"type": "Create", "object": {"type": "Note", "content": "Zucchini"}}, [peer])
    [posted] = wait_for(lambda: fedify.posted("Create"), 60)
    assert posted["activity"]["id"] == row.activity_id
    assert posted["proof"] == row.activity_id, "Fedify's verifyObject refused our proof"
    assert posted["proofKey"] == posted["activity"]["proof"]["verificationMethod"]
    assert posted["signature"] == {"keyId": rsa_key_id(current_key()), "owner": actor_id()}
    assert Delivery.objects.get().state == "delivered"


def test_fedify_verifies_our_signed_get(node, fedify):
    fetch_actor(fedify.actor)
    gets = [r for r in fedify.results() if r["method"] == "GET"]
    assert gets and gets[-1]["signature"] == {
        "keyId": rsa_key_id(current_key()),
        "owner": actor_id(),
    }


@pytest.fixture
def applied(fedify):
    """Fedify's server is a peer, and a handler records the Notes it sends us."""
    Peer.objects.create(
        actor_url=fedify.actor, inbox_url=fedify.inbox, name="Fedify", state="accepted"
    )
    seen = []
    registry.handles("Create", "Note")(lambda activity, sender: seen.append(activity["id"]))
    yield seen
    registry.unregister("Create", "Note")


@pytest.mark.parametrize("mode", ["http", "proof", "both"])
def test_our_inbox_accepts_what_fedify_signs(node, fedify, applied, mode):
    outcome = fedify.send(f"{node}/inbox", mode)
    assert outcome["status"] == 202, outcome["detail"]
    assert ("proof" in outcome["activity"]) == (mode != "http")
    assert applied == [outcome["activity"]["id"]]


def test_our_inbox_refuses_a_fedify_request_whose_body_was_changed(node, fedify, applied):
    outcome = fedify.send(f"{node}/inbox", "http", tamper=True)
    assert outcome["status"] == 401, outcome["detail"]
    assert applied == [] and not InboxActivity.objects.exists()


def test_fedify_verifies_the_signatures_on_a_sharing_offer(node, fedify, member):
    """Fedify verifies the proof and the HTTP signature of an Offer; its object model refuses
    the object type it does not know (Produce), so Fedify-based servers cannot show it:
    sharing activities are for gardens (docs/federation.md)."""
    from garden.sharing import services
    from garden.sharing.models import Offer
    from tests.sharing.conftest import offer_values

    Peer.objects.create(
        actor_url=fedify.actor,
        inbox_url=fedify.inbox,
        name="Fedify",
        state="accepted",
        latitude=52.51,
        longitude=13.4,
    )
    services.create_offer(member, **offer_values(audience=Offer.Audience.NEIGHBOURS))
    [posted] = wait_for(lambda: fedify.posted("Offer"), 60)
    assert posted["activity"]["object"]["type"] == "Produce"
    assert posted["proofKey"] == posted["activity"]["proof"]["verificationMethod"]
    assert posted["signature"]["owner"] == actor_id()
    assert "urn:allmende:vocab#Produce" in posted["objectError"]
