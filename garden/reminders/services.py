"""Who is told what by push, and the rules of a device's subscription."""

import base64
import binascii
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from garden.core.errors import RuleError

from .models import EmailReminders, PushSubscription

# A notification's kind (garden.members.notifications.notify) → the device's opt-in for it.
# Shift reminders are not here: they are pushed so many hours before the shift as each
# device asks (tasks.push_shift_reminders), not with the day-before notification.
PUSH_KIND = {
    "shift_help": "shift_help",
    "sharing_claim": "offer_claimed",
    "sharing_claim_answer": "claim_answered",
    "sharing_loan_request": "loans",
    "sharing_loan": "loans",
    "plot_offered": "plot_offered",
}


def devices_wanting(kind: str, user_ids=None):
    """The subscriptions that opted in to `kind` (of these people, if given)."""
    devices = PushSubscription.objects.filter(**{kind: True})
    if user_ids is not None:
        devices = devices.filter(user_id__in=user_ids)
    return devices


def _key_bytes(value: str, length: int, message: str) -> str:
    value = (value or "").strip()
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise RuleError(message) from None
    if len(raw) != length:
        raise RuleError(message)
    return value


def _check_endpoint(endpoint: str) -> str:
    parts = urlsplit((endpoint or "").strip())
    # The worker will POST to this address: only https push services, unless a test or a
    # local demo allows plain http (then also loopback).
    allowed = ("https", "http") if settings.PUSH_ALLOW_INSECURE else ("https",)
    if parts.scheme not in allowed or not parts.hostname or len(endpoint) > 1000:
        raise RuleError(_("This is not a push service address this garden can use."))
    return endpoint.strip()


@transaction.atomic
def subscribe(user, *, endpoint: str, p256dh: str, auth: str, choices: dict) -> PushSubscription:
    """Turn push on for one device (or change what it wants); the device is its endpoint."""
    endpoint = _check_endpoint(endpoint)
    p256dh = _key_bytes(p256dh, 65, _("The device's key is not valid."))
    auth = _key_bytes(auth, 16, _("The device's key is not valid."))
    hours = choices.get("reminder_hours", 12)
    if not isinstance(hours, int) or not 1 <= hours <= 72:
        raise RuleError(_("Choose between 1 and 72 hours before the shift."))
    values = {kind: bool(choices.get(kind)) for kind in PushSubscription.KINDS}
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "reminder_hours": hours, **values},
    )
    return subscription


def unsubscribe(user, endpoint: str) -> bool:
    deleted, _rows = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


def email_reminders(user) -> EmailReminders:
    reminders, _created = EmailReminders.objects.get_or_create(user=user)
    return reminders
