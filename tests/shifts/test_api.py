import datetime as dt

from django.utils import timezone

from garden.shifts.models import HoursEntry, Signup, Task


def test_list_shifts_in_range_with_fill(api, garden, make_shift, member, other_member):
    shift = make_shift(hours_from_now=24, min_volunteers=2)
    Signup.objects.create(shift=shift, user=other_member)
    day = shift.start.astimezone(garden.tz).date()
    response = api(member).get("/shifts", {"from": day.isoformat(), "to": day.isoformat()})
    assert response.status_code == 200
    (body,) = response.json()
    assert body["id"] == shift.pk
    assert (body["filled"], body["max_volunteers"]) == (1, 2)
    assert body["short"] and body["urgent"]
    assert body["signed_up"] is False
    assert body["volunteers"] is None  # names are for coordinators


def test_coordinators_see_names(api, garden, make_shift, coordinator, other_member):
    shift = make_shift(hours_from_now=24)
    Signup.objects.create(shift=shift, user=other_member)
    day = shift.start.astimezone(garden.tz).date().isoformat()
    body = api(coordinator).get("/shifts", {"from": day, "to": day}).json()
    assert body[0]["volunteers"] == ["Otto"]


def test_list_shifts_outside_range_is_empty(api, garden, make_shift, member):
    make_shift(hours_from_now=24 * 20)
    assert api(member).get("/shifts", {"from": "2020-01-01", "to": "2020-01-07"}).json() == []


def test_bad_ranges_are_4xx(api, member):
    assert api(member).get("/shifts", {"from": "2030-01-07", "to": "2030-01-01"}).status_code == 409
    assert api(member).get("/shifts", {"from": "2030-01-01", "to": "2031-01-01"}).status_code == 409
    assert api(member).get("/shifts", {"from": "soon"}).status_code == 422


def test_outsider_and_anonymous_cannot_list(api, outsider, garden):
    assert api(outsider).get("/shifts").status_code == 403
    assert api(None).get("/shifts").status_code == 401


def test_signup_and_withdraw(api, shift, member):
    response = api(member).post(f"/shifts/{shift.pk}/signup")
    assert response.status_code == 201
    assert response.json()["signed_up"] is True
    response = api(member).delete(f"/shifts/{shift.pk}/signup")
    assert response.status_code == 200
    assert not Signup.objects.exists()


def test_signup_on_full_shift_is_409(api, make_shift, member, other_member, coordinator):
    shift = make_shift(max_volunteers=1)
    assert api(member).post(f"/shifts/{shift.pk}/signup").status_code == 201
    response = api(other_member).post(f"/shifts/{shift.pk}/signup")
    assert response.status_code == 409
    assert "full" in response.json()["detail"]
    assert shift.signups.count() == 1


def test_signup_unknown_shift_is_404_and_outsider_403(api, shift, outsider, member):
    assert api(member).post("/shifts/999999/signup").status_code == 404
    assert api(member).get("/shifts/999999").status_code == 404
    assert api(outsider).post(f"/shifts/{shift.pk}/signup").status_code == 403
    assert not Signup.objects.exists()


def test_done_with_note_credits_hours(api, make_shift, member):
    shift = make_shift(hours_from_now=-0.5)
    Signup.objects.create(shift=shift, user=member)
    response = api(member).post(f"/shifts/{shift.pk}/done", {"note": "tank empty"})
    assert response.status_code == 200
    assert response.json()["done"] is True
    assert Signup.objects.get().note == "tank empty"
    assert HoursEntry.objects.filter(user=member).count() == 1


def test_done_note_too_long_is_422(api, make_shift, member):
    shift = make_shift(hours_from_now=-0.5)
    Signup.objects.create(shift=shift, user=member)
    response = api(member).post(f"/shifts/{shift.pk}/done", {"note": "x" * 501})
    assert response.status_code == 422
    assert Signup.objects.get().done_at is None


def test_done_by_non_volunteer_is_403(api, make_shift, member):
    shift = make_shift(hours_from_now=-0.5)
    assert api(member).post(f"/shifts/{shift.pk}/done").status_code == 403


def test_tasks_list_filters(api, garden, member, coordinator):
    today = timezone.localdate(timezone=garden.tz)
    overdue = Task.objects.create(garden=garden, title="Fence", due_date=today - dt.timedelta(1))
    mine = Task.objects.create(garden=garden, title="Compost", due_date=today + dt.timedelta(3))
    mine.volunteers.add(member)
    Task.objects.create(garden=garden, title="Old", status=Task.Status.DONE)

    def titles(show):
        return [t["title"] for t in api(member).get("/tasks", {"show": show}).json()]

    assert titles("open") == ["Fence", "Compost"]
    assert titles("mine") == ["Compost"]
    assert titles("overdue") == ["Fence"]
    assert titles("done") == ["Old"]
    assert api(member).get("/tasks", {"show": "nonsense"}).status_code == 422
    assert overdue.pk


def test_coordinator_creates_task_member_cannot(api, coordinator, member):
    payload = {"title": "Fix the fence", "due_date": "2030-05-01", "hours": "2.5"}
    response = api(coordinator).post("/tasks", payload)
    assert response.status_code == 201
    assert response.json()["title"] == "Fix the fence"
    assert api(member).post("/tasks", payload).status_code == 403
    assert Task.objects.count() == 1


def test_create_task_bad_input_is_422(api, coordinator):
    assert api(coordinator).post("/tasks", {"title": ""}).status_code == 422
    assert api(coordinator).post("/tasks", {"title": "x", "hours": -1}).status_code == 422
    assert api(coordinator).post("/tasks", {"title": "x", "due_date": "May"}).status_code == 422
    assert not Task.objects.exists()


def test_task_volunteer_and_done_credits_hours(api, garden, member, other_member):
    task = Task.objects.create(garden=garden, title="Compost", hours=2)
    assert api(member).post(f"/tasks/{task.pk}/volunteer").json()["mine"] is True
    assert api(other_member).post(f"/tasks/{task.pk}/done").status_code == 403
    response = api(member).post(f"/tasks/{task.pk}/done", {"note": "turned"})
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert HoursEntry.objects.get(user=member, task=task).hours == 2
    assert api(member).post(f"/tasks/{task.pk}/done").status_code == 409
    assert api(member).post("/tasks/999999/done").status_code == 404
