import datetime as dt

import pytest
from django.utils import timezone

from garden.shifts import services
from garden.shifts.models import HoursEntry, Schedule, Shift, Signup, Skill, Task
from tests.conftest import client_for


def week_of(shift, garden) -> str:
    return shift.start.astimezone(garden.tz).date().isoformat()


PAGES = [
    "/shifts/",
    "/shifts/tasks/",
    "/shifts/hours/",
    "/shifts/calendar/",
    "/shifts/roster/",
]
COORDINATOR_PAGES = [
    "/shifts/schedules/",
    "/shifts/schedules/new/",
    "/shifts/new/",
    "/shifts/missed/",
    "/shifts/skills/",
    "/shifts/settings/",
    "/shifts/tasks/new/",
]


@pytest.mark.parametrize("url", PAGES + COORDINATOR_PAGES)
def test_anonymous_is_sent_to_log_in_and_outsider_is_refused(url, outsider):
    assert client_for(None).get(url).status_code == 302
    assert client_for(outsider).get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_member_pages_answer(url, member):
    assert client_for(member).get(url).status_code == 200


@pytest.mark.parametrize("url", COORDINATOR_PAGES)
def test_coordinator_pages_answer_and_refuse_members(url, coordinator, member):
    assert client_for(coordinator).get(url).status_code == 200
    assert client_for(member).get(url).status_code == 403


def test_week_shows_fill_and_marks_soon_short_shifts_in_text(
    garden, make_shift, member, other_member
):
    soon = make_shift(hours_from_now=20, min_volunteers=2, max_volunteers=2)
    Signup.objects.create(shift=soon, user=other_member)
    page = client_for(member).get(f"/shifts/?week={week_of(soon, garden)}").content.decode()
    assert "1/2 volunteers" in page
    assert "Help needed soon: 1 more volunteer" in page
    assert 'data-live-region="shifts-week"' in page and 'data-live-events="shifts"' in page
    assert "Otto" not in page  # members do not see names


def test_coordinator_sees_who_is_on_each_shift(garden, make_shift, coordinator, other_member):
    shift = make_shift(hours_from_now=100)
    Signup.objects.create(shift=shift, user=other_member)
    page = client_for(coordinator).get(f"/shifts/?week={week_of(shift, garden)}").content.decode()
    assert "Otto" in page


def test_week_navigation_and_bad_week_parameter(member, garden):
    page = client_for(member).get("/shifts/?week=2030-06-05")
    assert page.status_code == 200
    assert "?week=2030-06-10" in page.content.decode()  # next Monday
    assert "?week=2030-05-27" in page.content.decode()
    assert client_for(member).get("/shifts/?week=nonsense").status_code == 200


def test_sign_up_and_withdraw_through_pages(shift, member):
    client = client_for(member)
    response = client.post(f"/shifts/{shift.pk}/signup/")
    assert response.status_code == 302
    assert shift.signups.filter(user=member).exists()
    client.post(f"/shifts/{shift.pk}/withdraw/")
    assert not shift.signups.exists()


def test_full_shift_page_shows_the_message_and_changes_nothing(make_shift, member, other_member):
    shift = make_shift(max_volunteers=1)
    Signup.objects.create(shift=shift, user=other_member)
    response = client_for(member).post(f"/shifts/{shift.pk}/signup/", follow=True)
    assert "This shift is full." in response.content.decode()
    assert shift.signups.count() == 1


def test_sign_up_needs_post(shift, member):
    assert client_for(member).get(f"/shifts/{shift.pk}/signup/").status_code == 405


def test_unsafe_next_is_ignored(shift, member):
    response = client_for(member).post(f"/shifts/{shift.pk}/signup/", {"next": "//evil.example/"})
    assert response["Location"] == f"/shifts/{shift.pk}/"


def test_check_off_with_note_through_page(make_shift, member):
    shift = make_shift(hours_from_now=-0.5)
    Signup.objects.create(shift=shift, user=member)
    client_for(member).post(f"/shifts/{shift.pk}/done/", {"note": "tank empty"})
    assert Signup.objects.get().note == "tank empty"
    assert HoursEntry.objects.filter(user=member).exists()


def test_shift_detail_and_unknown_shift(shift, member):
    assert client_for(member).get(f"/shifts/{shift.pk}/").status_code == 200
    assert client_for(member).get("/shifts/999999/").status_code == 404


def test_coordinator_cancels_member_cannot(shift, member, coordinator):
    client_for(member).post(f"/shifts/{shift.pk}/cancel/")
    shift.refresh_from_db()
    assert not shift.is_cancelled
    client_for(coordinator).post(f"/shifts/{shift.pk}/cancel/", {"reason": "storm"})
    shift.refresh_from_db()
    assert shift.is_cancelled and shift.cancel_reason == "storm"


def test_create_schedule_through_the_form_plans_shifts(coordinator, garden):
    today = timezone.localdate(timezone=garden.tz)
    response = client_for(coordinator).post(
        "/shifts/schedules/new/",
        {
            "title": "Evening",
            "weekdays": ["0", "2", "4"],
            "start_time": "19:00",
            "end_time": "20:00",
            "min_volunteers": 1,
            "max_volunteers": 2,
            "hours": "1",
            "starts_on": today.isoformat(),
            "active": "on",
        },
    )
    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert schedule.weekdays == "024"
    assert Shift.objects.filter(schedule=schedule).count() >= 11


def test_bad_schedule_form_shows_errors_and_stores_nothing(coordinator, garden):
    response = client_for(coordinator).post(
        "/shifts/schedules/new/",
        {
            "title": "x",
            "start_time": "20:00",
            "end_time": "19:00",
            "min_volunteers": 3,
            "max_volunteers": 2,
            "hours": "1",
            "starts_on": "2030-01-01",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "end after it starts" in page and "maximum" in page
    assert not Schedule.objects.exists()


def test_one_off_shift_form(coordinator, garden):
    day = (timezone.localdate(timezone=garden.tz) + dt.timedelta(days=3)).isoformat()
    fields = {
        "title": "Harvest fest",
        "day": day,
        "start_time": "10:00",
        "end_time": "12:00",
        "min_volunteers": 2,
        "max_volunteers": 4,
        "hours": "2",
    }
    assert client_for(coordinator).post("/shifts/new/", fields).status_code == 302
    shift = Shift.objects.get()
    assert shift.start.astimezone(garden.tz).hour == 10 and shift.schedule is None
    bad = client_for(coordinator).post("/shifts/new/", {**fields, "end_time": "09:00"})
    assert bad.status_code == 200 and Shift.objects.count() == 1


def test_skills_page_grants_and_revokes(coordinator, member):
    client = client_for(coordinator)
    client.post("/shifts/skills/", {"name": "Key holder"})
    skill = Skill.objects.get()
    client.post(f"/shifts/skills/{skill.pk}/grant/", {"user": member.pk})
    assert skill.grants.filter(user=member).exists()
    assert "Mara" in client.get("/shifts/skills/").content.decode()
    client.post(f"/shifts/skills/{skill.pk}/grant/", {"revoke": member.pk})
    assert not skill.grants.exists()
    assert (
        client_for(member)
        .post(f"/shifts/skills/{skill.pk}/grant/", {"user": member.pk})
        .status_code
        == 403
    )


def test_settings_page_saves_cutoff(coordinator, garden):
    client_for(coordinator).post(
        "/shifts/settings/",
        {
            "required_hours": "15",
            "season_start_month": 3,
            "withdraw_cutoff_hours": 24,
            "weeks_ahead": 6,
        },
    )
    settings = services.settings_for()
    assert settings.withdraw_cutoff_hours == 24 and settings.required_hours == 15
    bad = client_for(coordinator).post(
        "/shifts/settings/",
        {
            "required_hours": "-1",
            "season_start_month": 13,
            "withdraw_cutoff_hours": 24,
            "weeks_ahead": 6,
        },
    )
    assert bad.status_code == 200
    assert services.settings_for().season_start_month == 3


def test_missed_page_lists_missed_shift(make_shift, coordinator, member):
    missed = make_shift(hours_from_now=-5)
    Signup.objects.create(shift=missed, user=member)
    page = client_for(coordinator).get("/shifts/missed/").content.decode()
    assert f"/shifts/{missed.pk}/" in page and "Mara" in page


def test_roster_lists_the_week_and_open_tasks(garden, make_shift, member, other_member):
    shift = make_shift(hours_from_now=30)
    Signup.objects.create(shift=shift, user=other_member)
    Task.objects.create(garden=garden, title="Turn the compost")
    page = client_for(member).get(f"/shifts/roster/?week={week_of(shift, garden)}").content.decode()
    assert "Otto" in page and "Turn the compost" in page
    assert 'class="roster"' in page


def test_roster_rows_name_each_shifts_volunteers_and_each_open_tasks_plot(
    garden, member, other_member
):
    """The roster reads plain rows (garden/shifts/roster.py): the same cells as before."""
    from decimal import Decimal

    from garden.plots.models import Plot

    tz = garden.tz
    day = timezone.localdate(timezone=tz) + dt.timedelta(days=7)
    morning = dt.datetime.combine(day, dt.time(9), tzinfo=tz)

    def make(title, start, minimum, status=Shift.Status.OPEN):
        return Shift.objects.create(
            garden=garden,
            title=title,
            start=start,
            end=start + dt.timedelta(hours=1),
            min_volunteers=minimum,
            max_volunteers=3,
            hours=Decimal("1"),
            status=status,
        )

    full = make("Morning round", morning, 2)
    Signup.objects.create(shift=full, user=other_member)
    Signup.objects.create(shift=full, user=member)
    short = make("Evening round", morning + dt.timedelta(hours=9), 2)
    Signup.objects.create(shift=short, user=member)
    make("Called off", morning + dt.timedelta(hours=4), 1, Shift.Status.CANCELLED)
    plot = Plot.objects.create(label="B7", area_m2=Decimal("20"))
    taken = Task.objects.create(garden=garden, title="Weed the bed", plot=plot, where="North")
    taken.volunteers.add(other_member)
    Task.objects.create(garden=garden, title="Oil the hinges")
    Task.objects.create(garden=garden, title="Already done", status=Task.Status.DONE)

    page = client_for(member).get(f"/shifts/roster/?week={day.isoformat()}").content.decode()
    shifts_table, tasks_table = page.split('<table class="roster">')[1:3]
    rows = shifts_table.split("<tr>")[2:]
    assert len(rows) == 2  # the cancelled shift is not printed
    assert "Morning round" in rows[0] and "<td>Otto, Mara</td>" in rows[0]
    assert "Short" not in rows[0]
    assert "Evening round" in rows[1] and "<td>Mara</td>" in rows[1]
    assert "Short: needs 1 more" in rows[1]
    # The day is printed on its first row only; times are the garden's local times.
    assert rows[0].startswith("<td>") and rows[0].split("</td>")[0] != "<td>"
    assert rows[1].split("</td>")[0] == "<td>"
    assert "<td>09:00–10:00</td>" in rows[0] and "<td>18:00–19:00</td>" in rows[1]
    task_rows = tasks_table.split("<tr>")[2:]
    assert [("Weed the bed" in row, "Oil the hinges" in row) for row in task_rows] == [
        (True, False),
        (False, True),
    ]
    assert "<td>B7 North</td>" in task_rows[0] and "<td>Otto</td>" in task_rows[0]
    assert task_rows[1].count("<td>–</td>") == 3  # no date, no place, no one yet
    assert "Already done" not in page


def test_task_pages(garden, coordinator, member):
    client = client_for(coordinator)
    response = client.post(
        "/shifts/tasks/new/", {"title": "Fix the fence", "hours": "2", "where": "Gate"}
    )
    task = Task.objects.get()
    assert response["Location"] == f"/shifts/tasks/{task.pk}/"
    assert (
        client_for(member).post("/shifts/tasks/new/", {"title": "x", "hours": 1}).status_code == 403
    )
    member_client = client_for(member)
    member_client.post(f"/shifts/tasks/{task.pk}/action/", {"action": "take"})
    assert task.volunteers.filter(pk=member.pk).exists()
    mine = member_client.get("/shifts/tasks/?show=mine").content.decode()
    assert "Fix the fence" in mine and 'data-live-region="tasks-list"' in mine
    member_client.post(f"/shifts/tasks/{task.pk}/action/", {"action": "done", "note": "done"})
    task.refresh_from_db()
    assert task.status == "done"
    assert member_client.get(f"/shifts/tasks/{task.pk}/").status_code == 200
    assert (
        member_client.post(f"/shifts/tasks/{task.pk}/action/", {"action": "x"}).status_code == 302
    )


def test_task_overdue_filter_page(garden, member):
    today = timezone.localdate(timezone=garden.tz)
    Task.objects.create(garden=garden, title="Late one", due_date=today - dt.timedelta(days=2))
    Task.objects.create(garden=garden, title="Later one", due_date=today + dt.timedelta(days=2))
    page = client_for(member).get("/shifts/tasks/?show=overdue").content.decode()
    assert "Late one" in page and "Later one" not in page and "Overdue" in page


def test_hours_page_member_balance_and_coordinator_list(garden, coordinator, member):
    HoursEntry.objects.create(
        user=member, hours=3, date=timezone.localdate(), source="manual", reason="Clean-up"
    )
    page = client_for(member).get("/shifts/hours/").content.decode()
    assert "You have given 3" in page and "of 10" in page
    assert "Everyone" not in page
    assert client_for(member).post("/shifts/hours/", {"user": member.pk}).status_code == 404
    coordinator_page = client_for(coordinator).get("/shifts/hours/").content.decode()
    assert "Behind" in coordinator_page and "Mara" in coordinator_page
    client_for(coordinator).post(
        "/shifts/hours/", {"user": member.pk, "hours": "-1", "reason": "Counted twice"}
    )
    assert services.hours_done(garden, member) == 2
    bad = client_for(coordinator).post("/shifts/hours/", {"user": member.pk, "hours": "1"})
    assert bad.status_code == 200
    assert services.hours_done(garden, member) == 2


def test_week_lists_my_next_shifts(garden, make_shift, member):
    shift = make_shift(hours_from_now=24 * 20)
    Signup.objects.create(shift=shift, user=member)
    page = client_for(member).get("/shifts/").content.decode()
    assert "Your next shifts" in page and f"/shifts/{shift.pk}/" in page
