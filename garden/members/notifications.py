"""Tell a person about something that concerns them: in the app, and by email if they like."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from garden.core import live

from .models import Notification, Profile

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import task


@task()
def send_email(to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)


def email_later(to: list[str], subject: str, body: str) -> None:
    """Queue an email for the worker once the current transaction has committed."""
    recipients = [address for address in to if address]
    if recipients:
        transaction.on_commit(lambda: send_email.enqueue(recipients, subject, body))


def notify(user, kind: str, message: str, url: str = "", email: bool = True) -> Notification:
    """Record a notification, push it live, and email it to people who want that."""
    notification = Notification.objects.create(user=user, kind=kind, message=str(message), url=url)
    live.push_user(
        user.pk,
        "notification",
        {
            "id": notification.pk,
            "kind": kind,
            "message": notification.message,
            "url": url,
            "unread": unread_count(user),
        },
    )
    if email and user.email:
        profile = Profile.objects.filter(user=user).first()
        if profile is None or profile.email_notifications:
            with translation.override((profile and profile.language) or None):
                subject = f"[Allmende] {notification.message[:80]}"
            body = notification.message
            if url:
                body += f"\n\n{settings.ALLMENDE_URL}{url}"
            email_later([user.email], subject, body)
    return notification


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids: list[int] | None = None) -> int:
    """Mark the person's notifications read (these ids, or all); their open pages follow live.

    Returns how many changed. Ids of other people's notifications are ignored.
    """
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    changed = unread.update(read_at=timezone.now())
    if changed:
        live.push_user(user.pk, "notifications-read", {"unread": unread_count(user)})
    return changed
