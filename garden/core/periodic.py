"""Jobs that must run on a clock: reminders, offer expiries, waitlist deadlines.

django-tasks has no scheduler, so `manage.py run_periodic` (started by `serve` beside the
worker) enqueues every registered job when it is due. The last run of each job is kept in
the database, so a restart does not run everything again and two schedulers do not both
enqueue the same job.

An app registers its jobs in AppConfig.ready():

    from garden.core.periodic import register_periodic
    register_periodic(tasks.send_reminders, every=timedelta(hours=1))
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: object
    every: timedelta


_jobs: dict[str, PeriodicJob] = {}


def register_periodic(task, every: timedelta) -> None:
    name = f"{task.module_path}"
    _jobs[name] = PeriodicJob(name=name, task=task, every=every)


def registered_jobs() -> list[PeriodicJob]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def enqueue_due(now=None) -> list[str]:
    """Enqueue every job whose interval has passed; returns the names enqueued."""
    from .models import PeriodicRun

    now = now or timezone.now()
    enqueued = []
    for job in registered_jobs():
        try:
            with transaction.atomic():
                run, _created = PeriodicRun.objects.select_for_update().get_or_create(
                    name=job.name, defaults={"last_enqueued_at": None}
                )
                if run.last_enqueued_at and run.last_enqueued_at + job.every > now:
                    continue
                run.last_enqueued_at = now
                run.save(update_fields=["last_enqueued_at"])
                transaction.on_commit(job.task.enqueue)
        except IntegrityError:  # another scheduler made the row first; it enqueues this round
            continue
        enqueued.append(job.name)
    return enqueued
