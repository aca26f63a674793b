"""Emails about followed threads go out in batches (`services.send_batched_emails`)."""

from . import services

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import task


@task()
def send_thread_emails() -> int:
    return services.send_batched_emails()
