"""Background work: the periodic check the worker (or cron via `plots_tick`) runs."""

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import task

from . import services


@task()
def plots_tick() -> dict:
    return services.tick()
