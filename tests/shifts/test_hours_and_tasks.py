import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from garden.core.errors import RuleError
from garden.members.exports import export_user_data
from garden.shifts import services
from garden.shifts.models import HoursEntry, Signup, Task


def test_coordinator_corrects_hours_with_reason(garden, coordinator, member):
    services.add_hours(garden, member, Decimal("4"), "Built the shed", by=coordinator)
    services.add_hours(garden, member, Decimal("-1"), "Counted an hour twice", by=coordinator)
    assert services.hours_done(garden, member) == Decimal("3")
    assert member.notifications.filter(kind="hours_changed").count() == 2


@pytest.mark.parametrize(
    "hours,reason,status", [(Decimal("2"), " ", 400), (Decimal("0"), "x", 400)]
)
def test_hours_need_a_reason_and_a_number(garden, coordinator, member, hours, reason, status):
    with pytest.raises(RuleError) as error:
        services.add_hours(garden, member, hours, reason, by=coordinator)
    assert error.value.status == status
    assert not HoursEntry.objects.exists()


def test_members_cannot_credit_hours(garden, member, other_member):
    with pytest.raises(RuleError) as error:
        services.add_hours(garden, other_member, Decimal("2"), "pls", by=member)
    assert error.value.status == 403


def test_balances_put_those_behind_first(garden, coordinator, member, other_member):
    services.add_hours(garden, member, Decimal("12"), "Season", by=coordinator)
    services.add_hours(garden, other_member, Decimal("2"), "Once", by=coordinator)
    rows = {b.user.username: b for b in services.as_balances(services.balances(garden))}
    assert rows["otto"].behind and rows["otto"].missing == Decimal("8")
    assert not rows["mara"].behind
    assert services.as_balances(services.balances(garden))[0].user.username in {"cora", "otto"}


def test_hours_before_the_season_do_not_count(garden, coordinator, member):
    entry = services.add_hours(garden, member, Decimal("5"), "Last year", by=coordinator)
    entry.date = services.season_start(garden) - dt.timedelta(days=1)
    entry.save()
    assert services.hours_done(garden, member) == 0


def test_task_done_credits_every_helper_once(garden, coordinator, member, other_member):
    task = services.create_task(garden, by=coordinator, title="Compost", hours=Decimal("2"))
    services.take_task(task.pk, member)
    services.take_task(task.pk, other_member)
    services.complete_task(task.pk, coordinator, "turned")
    assert HoursEntry.objects.filter(task=task).count() == 2
    with pytest.raises(RuleError):
        services.complete_task(task.pk, member)
    with pytest.raises(RuleError):
        services.take_task(task.pk, coordinator)
    assert HoursEntry.objects.filter(task=task).count() == 2


def test_task_rules(garden, coordinator, member, outsider):
    with pytest.raises(RuleError) as error:
        services.create_task(garden, by=member, title="Mine")
    assert error.value.status == 403
    task = services.create_task(garden, by=coordinator, title="Fence")
    with pytest.raises(RuleError) as error:
        services.take_task(task.pk, outsider)
    assert error.value.status == 403
    with pytest.raises(RuleError) as error:
        services.leave_task(task.pk, member)
    assert error.value.status == 409
    services.take_task(task.pk, member)
    with pytest.raises(RuleError):
        services.take_task(task.pk, member)
    services.leave_task(task.pk, member)
    assert not task.volunteers.exists()


def test_data_export_holds_my_signups_hours_and_tasks(garden, make_shift, coordinator, member):
    shift = make_shift()
    Signup.objects.create(shift=shift, user=member)
    services.add_hours(garden, member, Decimal("1"), "Help", by=coordinator)
    task = Task.objects.create(garden=garden, title="Compost")
    task.volunteers.add(member)
    data = export_user_data(member)["shifts"]
    assert data["signups"][0]["start"] == shift.start.isoformat()
    assert data["hours"][0]["reason"] == "Help"
    assert data["tasks"][0]["title"] == "Compost"


def test_demo_seed_is_idempotent(garden):
    from django.core.management import call_command

    from garden.shifts.models import Shift

    call_command("seed_demo")
    counts = (
        Shift.objects.count(),
        Signup.objects.count(),
        Task.objects.count(),
        HoursEntry.objects.count(),
    )
    call_command("seed_demo")
    assert counts == (
        Shift.objects.count(),
        Signup.objects.count(),
        Task.objects.count(),
        HoursEntry.objects.count(),
    )
    views = services.shift_views(Shift.objects.filter(start__gt=timezone.now()), garden)
    assert any(v.full for v in views) and any(v.short for v in views)
    assert Task.objects.filter(status="done").exists()
    assert Task.objects.filter(status="open", due_date__lt=timezone.localdate()).exists()
