"""The worker's side of reminders: pushes and reminder emails (see docs/pocket.md)."""

import datetime as dt

from django.utils import timezone

from garden.core.idempotency import forget_old_keys

from . import digests, push
from .models import PushSubscription, ShiftPushReminder
from .services import PUSH_KIND, devices_wanting

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import task


def _payload(title: str, body: str, url: str, tag: str) -> dict:
    return {"title": title, "body": body, "url": url, "tag": tag}


@task()
def push_notification(notification_id: int) -> int:
    from garden.members.models import Notification
    from garden.members.services import get_garden

    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or notification.kind not in PUSH_KIND:
        return 0
    devices = devices_wanting(PUSH_KIND[notification.kind], [notification.user_id])
    payload = _payload(
        get_garden().name, notification.message, notification.url or "/", notification.kind
    )
    return push.send_to(devices, payload)


@task()
def push_announcement(announcement_id: int) -> int:
    from garden.members.models import Announcement, Membership

    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    members = Membership.objects.filter(
        garden_id=announcement.garden_id, status=Membership.Status.ACTIVE
    ).values("user_id")
    devices = devices_wanting("announcements").filter(user_id__in=members)
    body = announcement.body[:300]
    return push.send_to(devices, _payload(announcement.title, body, "/", "announcement"))


def shift_reminders_due(now: dt.datetime) -> list[tuple[PushSubscription, object]]:
    """(device, sign-up) pairs whose shift starts within the device's hours and that were
    not reminded yet."""
    from garden.shifts.models import Shift, Signup

    pairs = []
    for device in devices_wanting("shift_reminder"):
        signups = Signup.objects.filter(
            user_id=device.user_id,
            shift__status=Shift.Status.OPEN,
            shift__start__gt=now,
            shift__start__lte=now + dt.timedelta(hours=device.reminder_hours),
        ).select_related("shift__garden")
        pairs += [(device, signup) for signup in signups]
    return pairs


@task()
def push_shift_reminders() -> int:
    """Each device is reminded of each of its owner's shifts once, so many hours before."""
    from garden.shifts.services import format_when, shift_url

    sent = 0
    for device, signup in shift_reminders_due(timezone.now()):
        _row, created = ShiftPushReminder.objects.get_or_create(subscription=device, signup=signup)
        if not created:  # the unique constraint settles two workers at once
            continue
        shift = signup.shift
        body = f"{shift.title}: {format_when(shift)}"
        sent += push.send(device, _payload(shift.garden.name, body, shift_url(shift), "shift"))
    return sent


@task()
def send_reminder_emails() -> dict:
    return {"tomorrow": digests.send_tomorrow_emails(), "digest": digests.send_offer_digests()}


@task()
def forget_old_request_keys() -> int:
    return forget_old_keys()
