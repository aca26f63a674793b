from datetime import timedelta

from django.utils import timezone

from garden.core.models import PeriodicRun
from garden.core.periodic import enqueue_due, registered_jobs


def test_shift_reminders_are_registered_as_periodic_jobs():
    names = [job.name for job in registered_jobs()]
    assert "garden.shifts.tasks.send_reminders" in names


def test_a_due_job_is_enqueued_once_until_its_interval_passes(
    db, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue_due(now)
    assert "garden.shifts.tasks.send_reminders" in first
    assert (
        PeriodicRun.objects.get(name="garden.shifts.tasks.send_reminders").last_enqueued_at == now
    )

    assert "garden.shifts.tasks.send_reminders" not in enqueue_due(now + timedelta(minutes=5))
    assert "garden.shifts.tasks.send_reminders" in enqueue_due(now + timedelta(minutes=31))
