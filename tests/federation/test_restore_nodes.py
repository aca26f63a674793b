"""A garden moves house: node A on SQLite is backed up, restored on PostgreSQL as A′ at the
same address, and its peer B goes on accepting what it signs, without peering again."""

import json
import os
import zipfile

import pytest

from tests.core.test_backup import COUNTS, SEED
from tests.federation.test_nodes import contents, publish_on
from tests.nodes import Node, create_database, drop_database, peer, wait_for

pytestmark = pytest.mark.nodes


@pytest.fixture
def postgres_for_a_prime():
    url = create_database(f"allmende_restored_a_{os.getpid()}")
    if url is None:
        pytest.skip("restores into PostgreSQL: runs with DATABASE_URL pointing at PostgreSQL")
    yield url
    drop_database(url)


def on_sqlite(node: Node) -> Node:
    if node.database_url:
        drop_database(node.database_url)
        node.database_url = None
    node.env.pop("DATABASE_URL", None)
    return node


def test_a_garden_restored_on_postgresql_keeps_its_peers(tmp_path, postgres_for_a_prime):
    a = on_sqlite(Node(tmp_path / "a", name="Garten A"))
    b = Node(tmp_path / "b", name="Garten B")
    a_prime = None
    try:
        for node in (a, b):
            node.setup()
        a.shell(SEED)
        a.start()
        b.start()
        token_b = b.make_user("bert")
        peer(a, b, token_b=token_b)
        publish_on(a, "before the move")
        wait_for(lambda: "before the move" in contents(b), timeout=60)

        archive = tmp_path / "a.zip"
        a.manage("backup", "--to", str(archive))
        a.stop()

        a_prime = Node(tmp_path / "a-prime", name="Garten A")
        if a_prime.database_url:  # the harness made it one; it restores into its own
            drop_database(a_prime.database_url)
        a_prime.database_url = postgres_for_a_prime
        a_prime.port, a_prime.url = a.port, a.url  # the garden keeps its address
        a_prime.env.update(DATABASE_URL=postgres_for_a_prime, PORT=str(a.port), ALLMENDE_URL=a.url)
        a_prime.manage("restore", str(archive))

        with zipfile.ZipFile(archive) as zf:
            manifest = json.loads(zf.read("manifest.json"))
        assert manifest["database"] == "sqlite"
        counts = json.loads(a_prime.shell(COUNTS).strip().splitlines()[-1])
        assert counts == {table: info["rows"] for table, info in manifest["tables"].items()}
        assert counts["federation_peer"] == 1 and counts["sharing_offer"] > 0
        assert (a_prime.data_dir / "media" / "sharing" / "offers" / "beans.jpg").exists()

        a_prime.start()
        publish_on(a_prime, "after the move")
        wait_for(lambda: "after the move" in contents(b), timeout=60)
        received = [e for e in b.debug_log() if e["content"] == "after the move"]
        assert received[0]["sender"] == a.actor_url
        peers_of_b = b.peers(token_b)
        assert [(p["actor_url"], p["state"]) for p in peers_of_b] == [(a.actor_url, "accepted")]
    finally:
        if a_prime is not None:
            a_prime.stop()
        a.destroy()
        b.destroy()
