"""Reminder emails: "tomorrow" (shifts, tasks, pickups) and the weekly offers digest.

The periodic scheduler runs `tasks.send_reminder_emails` every half hour; once the garden's
local hour has reached settings.REMINDER_EMAIL_HOUR, each person is emailed at most once a
day (a conditional UPDATE of their row decides, so two workers cannot both send).
"""

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from garden.members import services as members
from garden.members.models import Membership
from garden.members.notifications import email_later
from garden.sharing import services as sharing
from garden.sharing.models import Claim
from garden.shifts import services as shifts
from garden.shifts.models import Shift, Signup

from .models import EmailReminders

DIGEST_WEEKDAY = 0  # Monday
DIGEST_OFFERS = 20


def _recipients(garden, field: str, default: bool):
    """Active members who want this email (a person without a row gets the default)."""
    people = (
        Membership.objects.filter(garden=garden, status=Membership.Status.ACTIVE)
        .exclude(user__email="")
        .filter(user__is_active=True)
        .select_related("user__profile")
    )
    wanting = EmailReminders.objects.filter(**{field: True}).values("user_id")
    if default:
        declined = EmailReminders.objects.filter(**{field: False}).values("user_id")
        return people.exclude(user_id__in=declined)
    return people.filter(user_id__in=wanting)


def _claim_for_today(user, field: str, today: dt.date) -> bool:
    """Mark this email sent today; False if it already was (by this or another worker)."""
    EmailReminders.objects.get_or_create(user=user)
    return bool(
        EmailReminders.objects.filter(user=user)
        .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": today}))
        .update(**{field: today})
    )


def tomorrow_lines(garden, user, tomorrow: dt.date) -> list[str]:
    """What this person has on tomorrow (garden-local day), one line each."""
    lines = []
    day_shifts = shifts.shifts_between(garden, tomorrow, tomorrow).filter(status=Shift.Status.OPEN)
    for signup in Signup.objects.filter(user=user, shift__in=day_shifts).select_related("shift"):
        lines.append(_("Shift: %(title)s, %(when)s") % {
            "title": signup.shift.title, "when": shifts.format_when(signup.shift)
        })  # fmt: skip
    for task in shifts.tasks_filtered(garden, user, "mine").filter(due_date=tomorrow):
        lines.append(_("Task due: %(title)s") % {"title": task.title})
    start = shifts.local_datetime(tomorrow, dt.time(0), garden.tz)
    end = start + dt.timedelta(days=1)
    pickups = Claim.objects.filter(
        claimant=user,
        status__in=[Claim.Status.PENDING, Claim.Status.CONFIRMED],
        offer__pickup_from__lt=end,
        offer__pickup_until__gt=start,
    ).select_related("offer")
    for claim in pickups:
        lines.append(_("Pickup: %(crop)s at %(place)s") % {
            "crop": claim.offer.crop, "place": claim.offer.pickup_place or "–"
        })  # fmt: skip
    return lines


def _language(membership, garden) -> str:
    return membership.user.profile.language or garden.default_language


def send_tomorrow_emails(now: dt.datetime | None = None) -> int:
    garden = members.get_garden()
    local = (now or timezone.now()).astimezone(garden.tz)
    if local.hour < settings.REMINDER_EMAIL_HOUR:
        return 0
    today, tomorrow = local.date(), local.date() + dt.timedelta(days=1)
    sent = 0
    for membership in _recipients(garden, "tomorrow", default=True):
        user = membership.user
        if EmailReminders.objects.filter(user=user, tomorrow_sent_on=today).exists():
            continue
        with translation.override(_language(membership, garden)):
            lines = tomorrow_lines(garden, user, tomorrow)
            if not lines or not _claim_for_today(user, "tomorrow_sent_on", today):
                continue
            subject = _("[%(garden)s] Tomorrow: %(what)s") % {
                "garden": garden.name, "what": lines[0]
            }  # fmt: skip
            body = "\n".join(
                [_("Tomorrow at the garden:"), ""] + [f"- {line}" for line in lines] + [
                    "", f"{settings.ALLMENDE_URL}{reverse('home')}", "",
                    _("You can turn these emails off at %(url)s") % {
                        "url": f"{settings.ALLMENDE_URL}{reverse('reminders:settings')}"
                    },
                ]
            )  # fmt: skip
        email_later([user.email], subject, body)
        sent += 1
    return sent


def send_offer_digests(now: dt.datetime | None = None) -> int:
    garden = members.get_garden()
    local = (now or timezone.now()).astimezone(garden.tz)
    if local.weekday() != DIGEST_WEEKDAY or local.hour < settings.REMINDER_EMAIL_HOUR:
        return 0
    today = local.date()
    week_ago = local - dt.timedelta(days=7)
    offers = list(sharing.nearby().filter(created_at__gte=week_ago)[: DIGEST_OFFERS * 2])
    if not offers:
        return 0
    sent = 0
    for membership in _recipients(garden, "offers_digest", default=False):
        user = membership.user
        theirs = [offer for offer in offers if offer.offered_by_id != user.pk][:DIGEST_OFFERS]
        if not theirs or not _claim_for_today(user, "digest_sent_on", today):
            continue
        with translation.override(_language(membership, garden)):
            subject = _("[%(garden)s] Offers nearby this week") % {"garden": garden.name}
            lines = [
                f"- {offer.crop} ({sharing.format_quantity(offer.quantity_left)} "
                f"{offer.get_unit_display()}), {offer.origin_name or garden.name}: "
                f"{settings.ALLMENDE_URL}{reverse('sharing:offer', args=[offer.pk])}"
                for offer in theirs
            ]
            body = "\n".join(
                [_("New offers of produce nearby this week:"), ""] + lines + [
                    "", _("You can turn these emails off at %(url)s") % {
                        "url": f"{settings.ALLMENDE_URL}{reverse('reminders:settings')}"
                    },
                ]
            )  # fmt: skip
        email_later([user.email], subject, body)
        sent += 1
    return sent
