import httpx
import pytest

from federation import http
from federation.models import Peer

from .remote import Network, RemoteGarden


@pytest.fixture
def remote():
    return RemoteGarden()


@pytest.fixture
def network(remote, settings, monkeypatch):
    """Outgoing federation HTTP goes to fake gardens instead of the internet."""
    settings.FEDERATION_ALLOW_INSECURE = False
    net = Network(remote)
    monkeypatch.setattr(http, "transport", httpx.MockTransport(net))
    monkeypatch.setattr(http, "check_url", lambda url: None)
    return net


@pytest.fixture(autouse=True)
def _own_keys(settings, tmp_path):
    settings.FEDERATION_KEY_DIR = tmp_path / "keys"


@pytest.fixture
def peered(db, garden, remote, network):
    """The fake remote garden, peered with us."""
    return Peer.objects.create(
        actor_url=remote.actor_url, inbox_url=remote.inbox_url, name=remote.name, state="accepted"
    )
