"""Shifts and tasks over /api/v1 (see docs/shifts.md)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from garden.core.errors import RuleError
from garden.core.paging import VersionedLists
from garden.core.schemas import BodyId, Date, Input, of
from garden.members import services as members
from garden.members.permissions import api_coordinator, api_member

from . import services
from .models import Shift, Signup, Task

router = Router(tags=["shifts"])
lists = VersionedLists(tags=["shifts"])

MAX_RANGE = dt.timedelta(days=92)


class Detail(Schema):
    detail: str


class ShiftOut(Schema):
    id: int
    title: str
    description: str
    start: dt.datetime
    end: dt.datetime
    status: str
    min_volunteers: int
    max_volunteers: int
    filled: int
    short: bool
    urgent: bool = Field(description="short and starting within 48 hours")
    required_skill: str | None
    hours: Decimal
    signed_up: bool
    done: bool = Field(description="I marked my part done")
    volunteers: list[str] | None = Field(description="names; only for coordinators")


class ShiftRange(Schema):
    from_: Date | None = Field(None, alias="from")
    to: Date | None = None


class NoteIn(Input):
    note: of(Signup, "note") = ""


class TaskOut(Schema):
    id: int
    title: str
    description: str
    due_date: dt.date | None
    plot_id: int | None
    plot: str | None
    where: str
    hours: Decimal
    status: str
    overdue: bool
    volunteers: list[str]
    mine: bool


class TaskIn(Input):
    title: of(Task, "title")
    description: of(Task, "description") = ""
    due_date: of(Task, "due_date") | None = None
    plot_id: BodyId | None = None
    where: of(Task, "where") = ""
    hours: of(Task, "hours") = Decimal("1")


class TaskFilter(Schema):
    show: Literal["open", "mine", "overdue", "done", "all"] = "open"


def _shift_out(view: services.ShiftView, coordinator: bool) -> dict:
    shift = view.shift
    return {
        "id": shift.pk,
        "title": shift.title,
        "description": shift.description,
        "start": shift.start,
        "end": shift.end,
        "status": shift.status,
        "min_volunteers": shift.min_volunteers,
        "max_volunteers": shift.max_volunteers,
        "filled": view.filled,
        "short": view.short,
        "urgent": view.urgent,
        "required_skill": shift.required_skill.name if shift.required_skill else None,
        "hours": shift.hours,
        "signed_up": view.mine,
        "done": bool(view.my_signup and view.my_signup.done_at),
        "volunteers": [u.profile.name for u in view.volunteers] if coordinator else None,
    }


def _one_shift(request, pk: int) -> dict:
    (view,) = services.shift_views(Shift.objects.filter(pk=pk), request.auth)
    return _shift_out(view, members.is_coordinator(request.auth))


ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}


@lists.get("/shifts", ShiftOut, errors={400: Detail, 403: Detail})
def list_shifts(request, period: Query[ShiftRange]):
    """Shifts whose local day lies between `from` and `to` (default: this week, up to 92 days)."""
    user = api_member(request)
    garden = members.get_garden()
    if period.from_ is None and period.to is not None:
        week = dt.timedelta(days=6)  # the week up to `to`
        first = period.to - week if period.to > dt.date.min + week else dt.date.min
    else:
        first = period.from_ or services.week_start(timezone.localdate(timezone=garden.tz))
    last = period.to or first + dt.timedelta(days=6)
    if last < first:
        raise RuleError(_("“to” must not be before “from”."))
    if last - first > MAX_RANGE:
        raise RuleError(_("Ask for at most 92 days at a time."))
    views = services.shift_views(services.shifts_between(garden, first, last), user)
    coordinator = members.is_coordinator(user)
    return [_shift_out(view, coordinator) for view in views]


@router.get("/shifts/{int:shift_id}", response={200: ShiftOut, **ERRORS})
def get_shift(request, shift_id: int):
    api_member(request)
    get_object_or_404(Shift, pk=shift_id)
    return _one_shift(request, shift_id)


@router.post("/shifts/{int:shift_id}/signup", response={201: ShiftOut, **ERRORS})
def sign_up(request, shift_id: int):
    """Take a place; 409 when the shift is full, over, cancelled or clashes with another."""
    services.sign_up(shift_id, api_member(request))
    return Status(201, _one_shift(request, shift_id))


@router.delete("/shifts/{int:shift_id}/signup", response={200: ShiftOut, **ERRORS})
def withdraw(request, shift_id: int):
    """Give a place back; 409 after the garden's withdrawal cutoff."""
    services.withdraw(shift_id, api_member(request))
    return _one_shift(request, shift_id)


@router.post("/shifts/{int:shift_id}/done", response={200: ShiftOut, **ERRORS})
def shift_done(request, shift_id: int, payload: NoteIn = None):
    """A volunteer marks their shift done (with an optional note); credits their hours."""
    note = payload.note if payload else ""
    services.check_off(shift_id, api_member(request), note)
    return _one_shift(request, shift_id)


def _task_out(task: Task, user, today: dt.date) -> dict:
    helpers = list(task.volunteers.all())
    return {
        "id": task.pk,
        "title": task.title,
        "description": task.description,
        "due_date": task.due_date,
        "plot_id": task.plot_id,
        "plot": task.plot.label if task.plot_id else None,
        "where": task.where,
        "hours": task.hours,
        "status": task.status,
        "overdue": task.status == Task.Status.OPEN
        and task.due_date is not None
        and task.due_date < today,
        "volunteers": [u.profile.name for u in helpers],
        "mine": user in helpers,
    }


def _today() -> dt.date:
    return timezone.localdate(timezone=members.get_garden().tz)


@lists.get("/tasks", TaskOut, errors={403: Detail}, tags=["tasks"])
def list_tasks(request, filters: Query[TaskFilter]):
    """Tasks: `show` = open (default), mine, overdue, done or all."""
    user = api_member(request)
    tasks = services.tasks_filtered(members.get_garden(), user, filters.show)
    return [_task_out(task, user, _today()) for task in tasks]


@router.post("/tasks", response={201: TaskOut, 400: Detail, 403: Detail}, tags=["tasks"])
def create_task(request, payload: TaskIn):
    """Coordinators add a task."""
    user = api_coordinator(request)
    task = services.create_task(members.get_garden(), by=user, **payload.dict())
    return Status(201, _task_out(task, user, _today()))


@router.post("/tasks/{int:task_id}/volunteer", response={200: TaskOut, **ERRORS}, tags=["tasks"])
def take_task(request, task_id: int):
    user = api_member(request)
    return _task_out(services.take_task(task_id, user), user, _today())


@router.delete("/tasks/{int:task_id}/volunteer", response={200: TaskOut, **ERRORS}, tags=["tasks"])
def leave_task(request, task_id: int):
    user = api_member(request)
    return _task_out(services.leave_task(task_id, user), user, _today())


@router.post("/tasks/{int:task_id}/done", response={200: TaskOut, **ERRORS}, tags=["tasks"])
def task_done(request, task_id: int, payload: NoteIn = None):
    """A volunteer of the task or a coordinator marks it done; credits the volunteers' hours."""
    user = api_member(request)
    note = payload.note if payload else ""
    return _task_out(services.complete_task(task_id, user, note), user, _today())
