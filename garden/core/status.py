"""How the node is doing: what /healthz answers and the coordinators' node status page shows."""

import asyncio
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from federation.models import Delivery

from .backups.dump import software_version
from .backups.schedule import archives
from .models import Heartbeat

WORKER_LATE = timedelta(minutes=3)  # it beats every minute
BACKLOG_BEHIND = timedelta(minutes=10)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def channel_layer_ok() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False

    async def round_trip() -> bool:
        # new_channel() first: a pub/sub layer only keeps what is sent after it subscribed.
        channel = await layer.new_channel("healthz.")
        await layer.send(channel, {"type": "healthz"})
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        return message.get("type") == "healthz"

    try:
        return async_to_sync(round_trip)()
    except Exception:
        return False


@dataclass
class Worker:
    state: str  # "ok", "late" or "unknown" (never beat)
    last_beat: datetime | None


def worker() -> Worker:
    beat = Heartbeat.objects.filter(name="worker").values_list("at", flat=True).first()
    if beat is None:
        return Worker("unknown", None)
    return Worker("ok" if timezone.now() - beat < WORKER_LATE else "late", beat)


@dataclass
class Backlog:
    state: str  # "ok" or "behind" (deliveries due for longer than BACKLOG_BEHIND)
    due: int
    oldest_due: datetime | None
    failed: int


def delivery_backlog() -> Backlog:
    now = timezone.now()
    due = Delivery.objects.filter(
        state__in=[Delivery.State.QUEUED, Delivery.State.SENDING], next_attempt_at__lte=now
    )
    oldest = due.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    behind = oldest is not None and now - oldest > BACKLOG_BEHIND
    failed = Delivery.objects.filter(state=Delivery.State.FAILED).count()
    return Backlog("behind" if behind else "ok", due.count(), oldest, failed)


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


@dataclass
class Disk:
    free: int
    total: int


def disk() -> Disk:
    usage = shutil.disk_usage(settings.DATA_DIR)
    return Disk(usage.free, usage.total)


def last_backup() -> Path | None:
    found = archives()
    return found[0] if found else None


def version() -> str:
    return software_version()
