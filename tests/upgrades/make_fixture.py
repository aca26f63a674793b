"""Make the upgrade fixture: a SQLite database written by the code of one release, with
rows in every table. tests/upgrades/test_migrations.py migrates a copy of it to the current
code and checks that every row is still there.

Run it from a checkout of the release the fixture stands for (never from a later one: the
point is a database the old code made):

    .venv/bin/python tests/upgrades/make_fixture.py tests/upgrades/fixtures/NAME.sqlite3

A table the demo data leaves empty gets a row here, so a later migration that rewrites any
table is covered.
"""

import os
import shutil
import sqlite3
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(target: Path) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="allmende-fixture-"))
    os.environ["ALLMENDE_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "garden.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("seed_demo", verbosity=0)
    fill_empty_tables()
    database = data_dir / "allmende.sqlite3"
    from django.db import connection

    connection.close()
    with sqlite3.connect(database) as db:  # fold the WAL in: one self-contained file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
        empty = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
            if db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] == 0
        ]
    db.close()
    if empty:
        sys.exit(f"tables still empty: {', '.join(empty)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(database, target)
    shutil.rmtree(data_dir)
    print(f"wrote {target}")


def fill_empty_tables() -> None:
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.auth.models import Group, Permission, User
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.cache import cache
    from django.utils import timezone

    from federation.models import (
        Delivery,
        FederationSettings,
        InboxActivity,
        OutboxActivity,
        Peer,
        RemoteActor,
    )
    from garden.core.models import PeriodicRun
    from garden.members.models import ApiToken, Garden, Invite
    from garden.sharing.models import Claim, Offer
    from garden.shifts.models import CalendarFeed

    now = timezone.now()
    coordinator = User.objects.get(username="coordinator")
    member = User.objects.get(username="member1")
    garden = Garden.objects.get_current()

    group = Group.objects.create(name="helpers")
    group.permissions.add(Permission.objects.first())
    member.groups.add(group)
    member.user_permissions.add(Permission.objects.last())
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(Garden),
        object_id=str(garden.pk),
        object_repr=str(garden),
        action_flag=ADDITION,
        change_message="fixture",
    )
    session = SessionStore()
    session["fixture"] = True
    session.create()
    cache.set("fixture", "kept", timeout=None)

    PeriodicRun.objects.create(name="fixture.job", last_enqueued_at=now)
    ApiToken.objects.create_token(coordinator, label="fixture")
    Invite.objects.create(
        garden=garden, created_by=coordinator, expires_at=now + timedelta(days=7), max_uses=3
    )
    CalendarFeed.objects.create(user=member)
    offer = Offer.objects.order_by("pk").first()
    Claim.objects.create(offer=offer, claimant=member, quantity="1.00")

    FederationSettings.objects.create(pk=1, auto_accept_km=25, updated_by=coordinator)
    peer_actor = "https://neighbour.example/actor"
    peer = Peer.objects.create(
        actor_url=peer_actor,
        name="Nachbargarten",
        handle="garden@neighbour.example",
        inbox_url="https://neighbour.example/inbox",
        outbox_url="https://neighbour.example/outbox",
        latitude=52.51,
        longitude=13.41,
        state=Peer.State.ACCEPTED,
        follow_id="https://neighbour.example/activities/follow-1",
        last_success_at=now,
    )
    RemoteActor.objects.create(
        actor_url=peer_actor,
        document={"id": peer_actor, "type": "Organization", "name": "Nachbargarten"},
        fetched_at=now,
    )
    activity = OutboxActivity.objects.create(
        activity_id="https://fixture.example/activities/1",
        activity_type="Create",
        activity={"type": "Create", "id": "https://fixture.example/activities/1"},
    )
    Delivery.objects.create(
        activity=activity,
        peer=peer,
        inbox_url=peer.inbox_url,
        state=Delivery.State.DELIVERED,
        attempts=1,
        next_attempt_at=now,
        delivered_at=now,
    )
    InboxActivity.objects.create(
        activity_id="https://neighbour.example/activities/offer-1",
        activity_type="Offer",
        actor_url=peer_actor,
        handled=True,
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]).resolve())
