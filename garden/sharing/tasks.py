"""Background work: offers end on time, borrowers hear about overdue tools.

`expire_offers` is queued for each offer's end when the backend can defer tasks (the
database backend can) and, like `send_overdue_reminders`, runs periodically
(`garden.core.periodic`, started by `serve`). The `sharing_expire` and
`sharing_reminders` commands do the same by hand.
"""

from django.db import transaction

from . import services

try:
    from django.tasks import task, task_backends  # Django 6
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import task, task_backends


@task()
def expire_offers() -> int:
    return services.expire_offers()


@task()
def send_overdue_reminders() -> int:
    return services.send_overdue_reminders()


def schedule_expiry(expires_at) -> None:
    """Run the expiry once the offer has ended (after commit; no-op where tasks cannot wait)."""
    if not task_backends["default"].supports_defer:
        return
    transaction.on_commit(lambda: expire_offers.using(run_after=expires_at).enqueue())
