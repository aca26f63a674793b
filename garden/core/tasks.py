"""The node's own periodic jobs: the worker's heartbeat, pruning, the daily backup."""

from django.conf import settings
from django.utils import timezone

from . import housekeeping
from .backups.schedule import back_up_and_prune
from .models import Heartbeat

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import task

WORKER = "worker"


@task()
def heartbeat() -> str:
    """Run by the worker every minute; /healthz reads how long ago it last ran."""
    Heartbeat.objects.update_or_create(name=WORKER, defaults={"at": timezone.now()})
    return WORKER


@task()
def prune() -> dict[str, int]:
    return housekeeping.prune()


@task()
def daily_backup() -> str:
    """The daily backup, unless ``BACKUP_DAILY`` is off (then ``""``); read when it runs, so
    a setting changed without a restart counts."""
    if not settings.BACKUP_DAILY:
        return ""
    path, _removed = back_up_and_prune()
    return str(path)
