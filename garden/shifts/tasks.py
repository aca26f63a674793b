"""Background jobs for the worker; `shifts_materialise` and `shifts_remind` run the same."""

from . import services

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import task


@task()
def materialise_shifts() -> int:
    return services.materialise()


@task()
def send_reminders() -> dict:
    return {
        "reminders": services.send_day_before_reminders(),
        "help_calls": services.send_help_calls(),
    }
