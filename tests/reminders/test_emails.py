"""Reminder emails: "tomorrow" at the garden-local hour (opt-out), the weekly offers digest
(opt-in); each at most once a day, run by the periodic scheduler's task."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from garden.core.periodic import registered_jobs
from garden.reminders import digests
from garden.reminders.models import EmailReminders
from garden.reminders.tasks import push_shift_reminders, send_reminder_emails
from garden.sharing import services as sharing
from garden.shifts.models import Shift, Task
from tests.conftest import client_for

BERLIN = ZoneInfo("Europe/Berlin")
# A Monday evening in the garden (the tests' garden is in Europe/Berlin).
MONDAY_EVENING = dt.datetime(2026, 6, 1, 18, 0, tzinfo=BERLIN)
MONDAY_MORNING = dt.datetime(2026, 6, 1, 8, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _berlin(garden, settings):
    garden.timezone = "Europe/Berlin"
    garden.save()
    settings.REMINDER_EMAIL_HOUR = 17


@pytest.fixture
def tomorrow_shift(garden, member):
    start = dt.datetime(2026, 6, 2, 7, 0, tzinfo=BERLIN)
    shift = Shift.objects.create(
        garden=garden, title="Morning watering", start=start, end=start + dt.timedelta(hours=1)
    )
    shift.signups.create(user=member)
    return shift


def send(now, django_capture_on_commit_callbacks) -> list:
    with django_capture_on_commit_callbacks(execute=True):
        digests.send_tomorrow_emails(now)
        digests.send_offer_digests(now)
    return mail.outbox


def test_tomorrow_email_lists_my_shift_and_task_once(
    garden, member, coordinator, tomorrow_shift, django_capture_on_commit_callbacks
):
    task = Task.objects.create(
        garden=garden, title="Fix the gate", due_date=dt.date(2026, 6, 2), created_by=coordinator
    )
    task.volunteers.add(member)
    outbox = send(MONDAY_EVENING, django_capture_on_commit_callbacks)
    (email,) = [m for m in outbox if m.to == [member.email]]
    assert email.subject.startswith("[Testgarten] Tomorrow: Shift: Morning watering")
    assert "Morning watering" in email.body and "Task due: Fix the gate" in email.body
    assert "/reminders/" in email.body  # where to turn it off
    # Again later the same evening: not twice.
    assert len(send(MONDAY_EVENING.replace(hour=20), django_capture_on_commit_callbacks)) == 1


def test_tomorrow_email_waits_for_the_garden_hour(
    member, tomorrow_shift, django_capture_on_commit_callbacks
):
    assert send(MONDAY_MORNING, django_capture_on_commit_callbacks) == []


def test_tomorrow_email_in_the_members_language(
    member, tomorrow_shift, django_capture_on_commit_callbacks
):
    member.profile.language = "de"
    member.profile.save()
    (email,) = send(MONDAY_EVENING, django_capture_on_commit_callbacks)
    assert "Morgen im Garten:" in email.body


def test_tomorrow_email_can_be_turned_off(
    member, tomorrow_shift, django_capture_on_commit_callbacks
):
    response = client_for(member).post("/reminders/", {"offers_digest": ""})
    assert response.status_code == 302
    assert not EmailReminders.objects.get(user=member).tomorrow
    assert send(MONDAY_EVENING, django_capture_on_commit_callbacks) == []


def test_nobody_with_nothing_tomorrow_is_emailed(member, django_capture_on_commit_callbacks):
    assert send(MONDAY_EVENING, django_capture_on_commit_callbacks) == []


def test_weekly_digest_of_offers_only_for_those_who_asked(
    member, other_member, django_capture_on_commit_callbacks
):
    now = dt.datetime.now(BERLIN)
    sharing.create_offer(
        other_member, crop="Mangold", quantity=Decimal("3"), unit="kg",
        pickup_from=now + dt.timedelta(hours=1), pickup_until=now + dt.timedelta(days=2),
        pickup_place="Shed", expires_at=now + dt.timedelta(days=3), audience="garden",
    )  # fmt: skip
    monday = now + dt.timedelta(days=(7 - now.weekday()) % 7)
    monday = monday.replace(hour=18)
    if monday < now:
        monday = now.replace(hour=18)
    assert send(monday, django_capture_on_commit_callbacks) == []  # nobody asked
    EmailReminders.objects.create(user=member, offers_digest=True)
    (email,) = send(monday, django_capture_on_commit_callbacks)
    assert email.to == [member.email] and "Mangold" in email.body
    assert "Offers nearby this week" in email.subject


def test_the_scheduler_runs_the_emails_and_the_shift_reminders():
    names = {job.name for job in registered_jobs()}
    assert {send_reminder_emails.module_path, push_shift_reminders.module_path} <= names
