"""The worker counts proposals at their deadline.

Each proposal queues its own count for its deadline when the backend can defer tasks (the
database backend can); `close_due_proposals` also runs every minute (`garden.core.periodic`,
started by `serve`), catching up after downtime. Counting twice is harmless: `close` only
counts a proposal that is still open. `announce_decision` then tells every member.
"""

from django.db import transaction

from . import services

try:
    from django.tasks import task, task_backends  # Django 6
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import task, task_backends


@task()
def close_due_proposals() -> int:
    return len(services.close_due())


@task()
def announce_decision(decision_id: int) -> int:
    return services.announce(decision_id)


def schedule_close(deadline) -> None:
    """Count once the deadline has passed (after commit; no-op where tasks cannot wait)."""
    if not task_backends["default"].supports_defer:
        return
    transaction.on_commit(lambda: close_due_proposals.using(run_after=deadline).enqueue())
