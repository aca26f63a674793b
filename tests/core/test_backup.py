"""manage.py backup and restore, run as real commands on real data directories.

Each node here is a data dir (SQLite) or, for the PostgreSQL cases, a database of its own;
the commands run in their own processes, as an operator would run them.
"""

import json
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.nodes import ROOT, create_database, drop_database, wait_for

SEED = (
    "from django.core.management import call_command\n"
    "call_command('migrate', interactive=False, verbosity=0)\n"
    "call_command('seed_demo', verbosity=0)\n"
    "from federation.keys import current_key\n"
    "current_key()\n"
    "from django.conf import settings\n"
    "photo = settings.MEDIA_ROOT / 'sharing' / 'offers' / 'beans.jpg'\n"
    "photo.parent.mkdir(parents=True, exist_ok=True)\n"
    "photo.write_bytes(b'\\xff\\xd8' + bytes(range(256)) * 40)\n"
    "from garden.sharing.models import Offer\n"
    "Offer.objects.filter(pk=Offer.objects.order_by('pk').first().pk)"
    ".update(photo='sharing/offers/beans.jpg')\n"
)
COUNTS = (
    "import json\n"
    "from garden.core.backups.dump import table_counts\n"
    "print(json.dumps(table_counts()))\n"
)


class Dir:
    """A node's data dir (and database); runs manage.py against it."""

    def __init__(self, path: Path, database_url: str | None = None):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env["ALLMENDE_DATA_DIR"] = str(path)
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def counts(self) -> dict:
        return json.loads(self.ok("shell", "--no-imports", "-c", COUNTS).strip().splitlines()[-1])

    def is_empty(self) -> bool:
        code = "from garden.core.backups.load import why_not_empty\nprint(repr(why_not_empty()))"
        return self.ok("shell", "--no-imports", "-c", code).strip().endswith("''")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A seeded SQLite node with keys and a photo, and one backup of it."""
    node = Dir(tmp_path_factory.mktemp("source") / "data")
    node.ok("shell", "--no-imports", "-c", SEED)
    archive = node.path.parent / "backup.zip"
    node.ok("backup", "--to", str(archive))
    return node, archive


@pytest.fixture
def postgres_url():
    url = create_database(f"allmende_restore_{os.getpid()}")
    if url is None:
        pytest.skip("PostgreSQL: runs with DATABASE_URL pointing at PostgreSQL")
    yield url
    drop_database(url)


def manifest_of(archive: Path) -> dict:
    with zipfile.ZipFile(archive) as zf:
        return json.loads(zf.read("manifest.json"))


def test_backup_is_private_and_lists_every_table_file_and_checksum(source):
    node, archive = source
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    manifest = manifest_of(archive)
    assert manifest["tables"]["harvests_harvestlog"]["rows"] > 0
    assert {t: i["rows"] for t, i in manifest["tables"].items()} == node.counts()
    assert ["federation", "0001_initial"] in manifest["migrations"]
    assert {
        "files/secret_key",
        "files/keys/keys.json",
        "files/media/sharing/offers/beans.jpg",
    } <= set(manifest["members"])
    assert manifest["database"] == "sqlite"


def test_restore_on_an_empty_dir_gives_the_same_node(source, tmp_path):
    node, archive = source
    target = Dir(tmp_path / "restored")
    target.ok("restore", str(archive))

    assert target.counts() == {t: i["rows"] for t, i in manifest_of(archive)["tables"].items()}
    for relative in ("keys/keys.json", "media/sharing/offers/beans.jpg", "secret_key"):
        assert (target.path / relative).read_bytes() == (node.path / relative).read_bytes()
    assert stat.S_IMODE((target.path / "keys" / "keys.json").stat().st_mode) == 0o600
    assert target.ok("migrate", "--check") is not None


def test_restore_refuses_a_node_that_is_there_unless_forced(source, tmp_path):
    _node, archive = source
    target = Dir(tmp_path / "busy")
    target.ok("migrate", "-v", "0")

    refused = target.run("restore", str(archive))
    assert refused.returncode != 0
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert not (target.path / "keys").exists()

    target.ok("restore", "--force", str(archive))
    assert (
        target.counts()["harvests_harvestlog"]
        == manifest_of(archive)["tables"]["harvests_harvestlog"]["rows"]
    )


def test_a_damaged_archive_is_refused_and_nothing_changes(source, tmp_path):
    _node, archive = source
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(damaged, "w") as copy:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "database/harvests_harvestlog.jsonl":
                data = data.replace(b"kg", b"lb", 1)
            copy.writestr(info, data)
    target = Dir(tmp_path / "target")

    refused = target.run("restore", str(damaged))
    assert refused.returncode != 0
    assert "damaged" in refused.stderr and "harvests_harvestlog" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert target.is_empty()


@pytest.mark.parametrize("content", [b"not a zip at all", "zip-without-manifest"])
def test_a_foreign_file_is_refused_with_a_clear_message(tmp_path, content):
    foreign = tmp_path / "foreign.zip"
    if content == "zip-without-manifest":
        with zipfile.ZipFile(foreign, "w") as zf:
            zf.writestr("hello.txt", "hi")
    else:
        foreign.write_bytes(content)
    target = Dir(tmp_path / "target")

    refused = target.run("restore", str(foreign))
    assert refused.returncode != 0
    assert "is not an Allmende backup" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert target.is_empty()


def _kill_when(process: subprocess.Popen, appeared) -> None:
    wait_for(lambda: appeared() or process.poll() is not None, timeout=120, interval=0.005)
    assert process.poll() is None, "finished before it could be killed; make it bigger"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_kill_9_during_a_backup_leaves_the_last_good_archive(source, tmp_path):
    node, _archive = source
    big = node.path / "media" / "big.bin"
    big.write_bytes(os.urandom(1024 * 1024) * 150)  # a backup long enough to be caught
    try:
        backups = tmp_path / "backups"
        node.env["BACKUP_DIR"] = str(backups)
        node.ok("backup")
        (good,) = sorted(backups.glob("allmende-*.zip"))
        good_bytes = good.read_bytes()
        time.sleep(1.1)  # the next archive gets a new name (names carry the second)

        process = node.popen("backup")
        _kill_when(process, lambda: list(backups.glob(".allmende-*.partial")))

        assert sorted(backups.glob("allmende-*.zip")) == [good]
        assert good.read_bytes() == good_bytes
        assert list(backups.glob(".allmende-*.partial"))  # under another name only

        node.ok("backup")  # the next run clears what the killed one left
        assert not list(backups.glob(".allmende-*.partial*"))
        assert len(list(backups.glob("allmende-*.zip"))) == 2
    finally:
        big.unlink()
        node.env.pop("BACKUP_DIR")


def test_kill_9_during_a_restore_leaves_the_target_empty(source, tmp_path):
    _node, archive = source
    target = Dir(tmp_path / "target")
    process = target.popen("restore", str(archive))
    _kill_when(process, lambda: (target.path / ".allmende.sqlite3.restoring").exists())

    assert target.is_empty()
    target.ok("restore", str(archive))  # and a second try completes
    assert target.counts() == {t: i["rows"] for t, i in manifest_of(archive)["tables"].items()}


def test_sqlite_backup_restores_into_postgresql_and_back(source, tmp_path, postgres_url):
    _node, archive = source
    expected = {t: i["rows"] for t, i in manifest_of(archive)["tables"].items()}
    on_postgres = Dir(tmp_path / "pg", postgres_url)
    on_postgres.ok("restore", str(archive))
    assert on_postgres.counts() == expected
    # New rows get fresh keys: the sequences moved past the restored ones.
    on_postgres.ok("api_token", "coordinator")

    again = tmp_path / "from-postgres.zip"
    on_postgres.ok("backup", "--to", str(again))
    assert manifest_of(again)["database"] == "postgresql"
    back_on_sqlite = Dir(tmp_path / "sqlite-again")
    back_on_sqlite.ok("restore", str(again))
    counts = back_on_sqlite.counts()
    assert counts["members_apitoken"] == expected["members_apitoken"] + 1
    assert counts == {t: i["rows"] for t, i in manifest_of(again)["tables"].items()}


def test_kill_9_during_a_restore_into_postgresql_leaves_it_empty(source, tmp_path, postgres_url):
    _node, archive = source
    target = Dir(tmp_path / "pg", postgres_url)
    process = target.popen("restore", str(archive))
    _kill_when(process, lambda: list(target.path.glob(".restore-*/keys")))
    time.sleep(0.5)  # into the database transaction
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert target.is_empty()
    target.ok("restore", str(archive))
    assert target.counts() == {t: i["rows"] for t, i in manifest_of(archive)["tables"].items()}


def test_a_backup_from_a_newer_version_is_refused(source, tmp_path):
    _node, archive = source
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(newer, "w") as copy:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["migrations"].append(["plots", "9999_from_the_future"])
                data = json.dumps(manifest).encode()
            copy.writestr(info, data)
    target = Dir(tmp_path / "target")

    refused = target.run("restore", str(newer))
    assert refused.returncode != 0
    assert "newer version" in refused.stderr and "plots.9999_from_the_future" in refused.stderr
    assert target.is_empty()


def test_what_an_interrupted_restore_left_counts_as_empty_and_is_replaced(source, tmp_path):
    """Killed while moving the files in, before the database was committed: keys are there,
    the marker too; the next restore replaces them without --force."""
    node, archive = source
    target = Dir(tmp_path / "target")
    (target.path / "keys").mkdir(parents=True)
    (target.path / "keys" / "keys.json").write_text("{}")
    (target.path / ".restore.incomplete").write_text("12345")
    assert target.is_empty()

    target.ok("restore", str(archive))
    assert not (target.path / ".restore.incomplete").exists()
    assert (target.path / "keys" / "keys.json").read_bytes() == (
        node.path / "keys" / "keys.json"
    ).read_bytes()


WRITER = (
    "import time\n"
    "from django.contrib.auth.models import User\n"
    "from django.db import transaction\n"
    "from garden.members.models import Garden, Membership\n"
    "garden = Garden.objects.get_current()\n"
    "stop = time.monotonic() + {seconds}\n"
    "n = 0\n"
    "while time.monotonic() < stop:\n"
    "    with transaction.atomic():\n"
    "        user = User.objects.create(username=f'writer{{time.time_ns()}}')\n"
    "        Membership.objects.create(user=user, garden=garden, role='member', status='active')\n"
    "    n += 1\n"
    "print(n)\n"
)


def test_a_backup_taken_while_the_node_writes_is_consistent(tmp_path):
    """Users and their memberships are written in pairs all through the backup; the archive
    holds whole pairs (its tables are read at one moment), so it restores."""
    node = Dir(tmp_path / "busy")
    node.ok("shell", "--no-imports", "-c", SEED)
    before = node.counts()["auth_user"]
    writer = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", WRITER.format(seconds=20)],
        cwd=ROOT,
        env=node.env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: node.counts()["auth_user"] > before + 5, timeout=60)
        archive = tmp_path / "during.zip"
        node.ok("backup", "--to", str(archive))
    finally:
        written = int(writer.communicate(timeout=120)[0].strip().splitlines()[-1])
    tables = manifest_of(archive)["tables"]
    users, memberships = tables["auth_user"]["rows"], tables["members_membership"]["rows"]
    assert before < users < before + written  # taken while the writer was at work
    assert memberships - users == node.counts()["members_membership"] - node.counts()["auth_user"]

    target = Dir(tmp_path / "restored")
    target.ok("restore", str(archive))
    assert target.counts()["members_membership"] == memberships
