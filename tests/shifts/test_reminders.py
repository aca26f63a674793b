import datetime as dt

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from garden.members.models import Notification
from garden.shifts import services, tasks
from garden.shifts.models import Shift, Signup


def tomorrow_at(garden, hour: int) -> dt.datetime:
    day = timezone.localdate(timezone=garden.tz) + dt.timedelta(days=1)
    return services.local_datetime(day, dt.time(hour), garden.tz)


def test_day_before_reminder_is_emailed_once(
    garden, make_shift, member, other_member, django_capture_on_commit_callbacks
):
    shift = make_shift()
    Shift.objects.filter(pk=shift.pk).update(
        start=tomorrow_at(garden, 7), end=tomorrow_at(garden, 8)
    )
    Signup.objects.create(shift=shift, user=member)
    later = make_shift(hours_from_now=24 * 5)
    Signup.objects.create(shift=later, user=other_member)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_day_before_reminders(garden) == 1
    assert Notification.objects.filter(user=member, kind="shift_reminder").count() == 1
    assert [m.to for m in mail.outbox] == [["mara@example.org"]]
    assert "tomorrow" in mail.outbox[0].subject
    assert services.send_day_before_reminders(garden) == 0
    assert not Notification.objects.filter(user=other_member).exists()


def test_help_call_goes_out_once_to_members_not_on_the_shift(
    garden, make_shift, member, other_member, coordinator
):
    short = make_shift(hours_from_now=30, min_volunteers=2)
    Signup.objects.create(shift=short, user=member)
    covered = make_shift(hours_from_now=20, min_volunteers=1)
    Signup.objects.create(shift=covered, user=other_member)
    make_shift(hours_from_now=24 * 4, min_volunteers=2)  # short but not within 48 h
    assert services.send_help_calls(garden) == 1
    called = set(Notification.objects.filter(kind="shift_help").values_list("user", flat=True))
    assert called == {other_member.pk, coordinator.pk}
    assert "1 more" in Notification.objects.filter(kind="shift_help").first().message
    short.refresh_from_db()
    assert short.help_call_sent_at is not None
    assert services.send_help_calls(garden) == 0
    assert Notification.objects.filter(kind="shift_help").count() == 2


def test_cancelled_shifts_get_no_help_call(garden, make_shift, coordinator, member):
    shift = make_shift(hours_from_now=30)
    services.cancel_shift(shift.pk, by=coordinator)
    assert services.send_help_calls(garden) == 0


def test_command_and_worker_task_send_reminders(garden, make_shift, member):
    make_shift(hours_from_now=30, min_volunteers=1)
    call_command("shifts_remind")
    assert Notification.objects.filter(kind="shift_help").exists()
    result = tasks.send_reminders.enqueue()
    assert result.return_value == {"reminders": 0, "help_calls": 0}
