import datetime as dt
import zoneinfo

import pytest
from django.core.management import call_command

from garden.core.errors import RuleError
from garden.shifts import services, tasks
from garden.shifts.models import Schedule, Shift, Signup

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def daily(garden, start=dt.time(7), end=dt.time(8), weekdays="0123456", **fields) -> Schedule:
    return Schedule.objects.create(
        garden=garden,
        title="Morning",
        weekdays=weekdays,
        start_time=start,
        end_time=end,
        starts_on=dt.date(2020, 1, 1),
        **fields,
    )


def local_starts(schedule) -> list[tuple[dt.date, dt.time]]:
    return [
        (s.start.astimezone(BERLIN).date(), s.start.astimezone(BERLIN).time())
        for s in Shift.objects.filter(schedule=schedule).order_by("start")
    ]


@pytest.mark.parametrize(
    "first_day,change_day,offsets",
    [
        (dt.date(2030, 3, 28), dt.date(2030, 3, 31), (1, 2)),  # summer time begins
        (dt.date(2030, 10, 24), dt.date(2030, 10, 27), (2, 1)),  # summer time ends
    ],
)
def test_daily_seven_oclock_stays_seven_local_across_dst(garden, first_day, change_day, offsets):
    schedule = daily(garden)
    services.materialise(garden, today=first_day)
    starts = local_starts(schedule)
    assert len(starts) == 4 * 7 + 1
    assert {time for _day, time in starts} == {dt.time(7)}
    by_day = {s.start.astimezone(BERLIN).date(): s for s in Shift.objects.filter(schedule=schedule)}
    before = by_day[change_day - dt.timedelta(days=1)]
    after = by_day[change_day + dt.timedelta(days=1)]
    # 07:00 Berlin is a different UTC hour on either side of the change.
    assert before.start.astimezone(dt.UTC).hour == 7 - offsets[0]
    assert after.start.astimezone(dt.UTC).hour == 7 - offsets[1]
    assert (after.start - before.start) == dt.timedelta(days=2) + dt.timedelta(
        hours=offsets[0] - offsets[1]
    )


def test_a_time_skipped_by_the_spring_change_moves_forward(garden):
    start = services.local_datetime(dt.date(2030, 3, 31), dt.time(2, 30), BERLIN)
    assert start.time() == dt.time(3, 30)
    assert start.utcoffset() == dt.timedelta(hours=2)


def test_weekday_sets_only_make_those_days(garden):
    schedule = daily(garden, weekdays="024")  # Mon, Wed, Fri
    services.materialise(garden, today=dt.date(2030, 6, 3))
    days = {day.weekday() for day, _time in local_starts(schedule)}
    assert days == {0, 2, 4}


def test_materialising_twice_makes_nothing_new(garden):
    schedule = daily(garden)
    first = services.materialise(garden, today=dt.date(2030, 6, 3))
    second = services.materialise(garden, today=dt.date(2030, 6, 3))
    assert first == 29 and second == 0
    assert Shift.objects.filter(schedule=schedule).count() == 29


def test_unique_schedule_start_is_enforced_by_the_database(garden):
    from django.db import IntegrityError, transaction

    schedule = daily(garden)
    services.materialise(garden, today=dt.date(2030, 6, 3))
    shift = Shift.objects.filter(schedule=schedule).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.create(
            garden=garden, schedule=schedule, title="x", start=shift.start, end=shift.end
        )


def test_inactive_and_ended_schedules_make_no_shifts(garden):
    daily(garden, active=False)
    daily(garden, start=dt.time(19), end=dt.time(20), ends_on=dt.date(2030, 6, 4))
    services.materialise(garden, today=dt.date(2030, 6, 3))
    assert Shift.objects.count() == 2


def test_shifts_copy_the_schedule_shape(garden, key_holder):
    daily(garden, min_volunteers=2, max_volunteers=3, required_skill=key_holder)
    services.materialise(garden, today=dt.date(2030, 6, 3))
    shift = Shift.objects.first()
    assert (shift.min_volunteers, shift.max_volunteers) == (2, 3)
    assert shift.required_skill == key_holder


def test_command_and_background_task_materialise(garden):
    schedule = daily(garden)
    call_command("shifts_materialise")
    count = Shift.objects.filter(schedule=schedule).count()
    assert count >= 28
    result = tasks.materialise_shifts.enqueue()
    assert result.return_value == 0


def test_saving_a_schedule_replans_untaken_future_shifts(garden, coordinator, member):
    schedule = daily(garden)
    services.materialise(garden)
    taken = Shift.objects.filter(schedule=schedule).order_by("start")[2]
    Signup.objects.create(shift=taken, user=member)
    schedule.start_time, schedule.end_time = dt.time(6), dt.time(7)
    services.save_schedule(schedule, by=coordinator)
    times = {s.start.astimezone(BERLIN).time() for s in Shift.objects.filter(schedule=schedule)}
    assert times == {dt.time(6), dt.time(7)}
    assert Shift.objects.filter(pk=taken.pk).exists()


def test_only_coordinators_save_schedules(garden, member):
    schedule = Schedule(
        garden=garden,
        weekdays="0",
        start_time=dt.time(7),
        end_time=dt.time(8),
        starts_on=dt.date(2030, 1, 1),
    )
    with pytest.raises(RuleError) as error:
        services.save_schedule(schedule, by=member)
    assert error.value.status == 403
    assert not Schedule.objects.exists()


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"weekdays": ""}, "weekday"),
        ({"end_time": dt.time(6)}, "end after"),
        ({"min_volunteers": 3, "max_volunteers": 2}, "maximum"),
        ({"ends_on": dt.date(2029, 1, 1)}, "last day"),
    ],
)
def test_bad_schedules_are_refused(garden, coordinator, fields, message):
    values = {
        "garden": garden,
        "weekdays": "0",
        "start_time": dt.time(7),
        "end_time": dt.time(8),
        "starts_on": dt.date(2030, 1, 1),
        **fields,
    }
    with pytest.raises(RuleError) as error:
        services.save_schedule(Schedule(**values), by=coordinator)
    assert message in error.value.message
    assert not Schedule.objects.exists()
