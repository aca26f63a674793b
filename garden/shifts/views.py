"""Pages for shifts, schedules, skills, hours, calendar feeds, the roster and tasks."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from garden.core import idempotency
from garden.core.errors import RuleError
from garden.core.idempotency import once
from garden.members import services as members
from garden.members.permissions import coordinator_required, member_required

from . import feeds, services
from . import roster as roster_rows
from .forms import (
    CancelForm,
    GrantForm,
    HoursForm,
    NoteForm,
    OneOffShiftForm,
    ScheduleForm,
    SettingsForm,
    SkillForm,
    TaskForm,
)
from .models import CalendarFeed, HoursEntry, Schedule, Shift, Skill, Task

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _back(request, fallback: str):
    """Return to the page the form was on, if it is one of ours."""
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)


def _key(request) -> str:
    """The idempotency key a queued offline action carries (static/js/pwa.js)."""
    return request.POST.get(idempotency.FIELD, "")


def _attempt(request, action, success: str) -> bool:
    try:
        action()
    except RuleError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def _monday(request, garden) -> dt.date:
    today = timezone.localdate(timezone=garden.tz)
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = today
    return services.week_start(day)


def _week_context(request, garden) -> dict:
    monday = _monday(request, garden)
    return {
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "previous": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
        "this_week": services.week_start(timezone.localdate(timezone=garden.tz)),
        "days": services.week(garden, monday, request.user),
        "is_coordinator": members.is_coordinator(request.user),
        "tz": garden.timezone,
    }


# Shifts ----------------------------------------------------------------------

TASKS_PAGE_SIZE = 25
BALANCES_PAGE_SIZE = 50


@member_required
def index(request):
    garden = members.get_garden()
    context = _week_context(request, garden)
    context["settings"] = services.settings_for()
    context["my_next"] = Shift.objects.filter(
        signups__user=request.user, status=Shift.Status.OPEN, end__gt=timezone.now()
    ).order_by("start")[:5]
    return render(request, "shifts/week.html", context)


@member_required
def shift_detail(request, pk: int):
    shift = get_object_or_404(Shift, pk=pk)
    (view,) = services.shift_views(Shift.objects.filter(pk=pk), request.user)
    return render(
        request,
        "shifts/shift.html",
        {
            "view": view,
            "shift": shift,
            "deadline": services.withdraw_deadline(shift),
            "note_form": NoteForm(),
            "cancel_form": CancelForm(),
            "is_coordinator": members.is_coordinator(request.user),
            "signups": shift.signups.select_related("user__profile"),
        },
    )


@require_POST
@member_required
def signup(request, pk: int):
    _attempt(
        request,
        lambda: once(request.user, _key(request), lambda: services.sign_up(pk, request.user)),
        _("You are signed up. Thank you!"),
    )
    return _back(request, reverse("shifts:shift", args=[pk]))


@require_POST
@member_required
def withdraw(request, pk: int):
    _attempt(request, lambda: services.withdraw(pk, request.user), _("You have withdrawn."))
    return _back(request, reverse("shifts:shift", args=[pk]))


@require_POST
@member_required
def done(request, pk: int):
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if not form.is_valid():
        messages.error(request, _("The note is too long."))
    else:
        _attempt(
            request,
            lambda: once(
                request.user, _key(request), lambda: services.check_off(pk, request.user, note)
            ),
            _("Marked done. Thank you for watering!"),
        )
    return _back(request, reverse("shifts:shift", args=[pk]))


@require_POST
@coordinator_required
def cancel(request, pk: int):
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _attempt(
        request,
        lambda: services.cancel_shift(pk, by=request.user, reason=reason),
        _("The shift is cancelled and its volunteers are told."),
    )
    return redirect("shifts:shift", pk=pk)


@coordinator_required
def shift_new(request):
    garden = members.get_garden()
    form = OneOffShiftForm(request.POST or None, garden=garden)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        shape = {f: data[f] for f in services.SHAPE_FIELDS}
        try:
            shift = services.create_one_off(
                garden, by=request.user, start=data["start"], end=data["end"], **shape
            )
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The shift was added."))
            return redirect("shifts:shift", pk=shift.pk)
    return render(request, "shifts/form.html", {"form": form, "title": _("New one-off shift")})


@coordinator_required
def missed(request):
    garden = members.get_garden()
    return render(request, "shifts/missed.html", {"shifts": services.missed_shifts(garden)})


@member_required
def roster(request):
    garden = members.get_garden()
    monday = _monday(request, garden)
    sunday = monday + dt.timedelta(days=6)
    context = {
        "monday": monday,
        "sunday": sunday,
        "previous": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
        # Plain rows, not model instances: see roster.py.
        "shifts": roster_rows.shift_rows(garden, monday, sunday),
        "tasks": roster_rows.task_rows(garden, sunday),
        "tz": garden.timezone,
    }
    return render(request, "shifts/roster.html", context)


# Schedules -------------------------------------------------------------------


@coordinator_required
def schedules(request):
    garden = members.get_garden()
    return render(
        request,
        "shifts/schedules.html",
        {"schedules": Schedule.objects.filter(garden=garden), "tz": garden.timezone},
    )


@coordinator_required
def schedule_edit(request, pk: int | None = None):
    garden = members.get_garden()
    instance = get_object_or_404(Schedule, pk=pk) if pk else None
    if instance is None:
        instance = Schedule(garden=garden, starts_on=timezone.localdate(timezone=garden.tz))
    form = ScheduleForm(request.POST or None, instance=instance, garden=garden)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_schedule(form.save(commit=False), by=request.user)
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The schedule was saved and its shifts planned."))
            return redirect("shifts:schedules")
    title = _("Edit schedule") if pk else _("New schedule")
    return render(request, "shifts/form.html", {"form": form, "title": title})


# Settings and skills ---------------------------------------------------------


@coordinator_required
def settings_page(request):
    form = SettingsForm(request.POST or None, instance=services.settings_for())
    if request.method == "POST" and form.is_valid():
        form.save()
        services.materialise()
        messages.success(request, _("Settings saved."))
        return redirect("shifts:settings")
    return render(request, "shifts/form.html", {"form": form, "title": _("Shift settings")})


@coordinator_required
def skills(request):
    garden = members.get_garden()
    form = SkillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _attempt(
            request,
            lambda: services.create_skill(
                garden, data["name"], data["description"], by=request.user
            ),
            _("Skill added."),
        ):
            return redirect("shifts:skills")
    return render(
        request,
        "shifts/skills.html",
        {
            "skills": Skill.objects.filter(garden=garden).prefetch_related("grants__user__profile"),
            "form": form,
            "grant_form": GrantForm(garden=garden),
        },
    )


@require_POST
@coordinator_required
def skill_grant(request, pk: int):
    garden = members.get_garden()
    skill = get_object_or_404(Skill, pk=pk)
    if request.POST.get("revoke"):
        user = get_object_or_404(User, pk=request.POST["revoke"])
        _attempt(
            request,
            lambda: services.revoke_skill(skill, user, by=request.user),
            _("Skill taken back."),
        )
        return redirect("shifts:skills")
    form = GrantForm(request.POST, garden=garden)
    if form.is_valid():
        _attempt(
            request,
            lambda: services.grant_skill(skill, form.cleaned_data["user"], by=request.user),
            _("Skill granted."),
        )
    else:
        messages.error(request, _("Choose a member."))
    return redirect("shifts:skills")


# Work hours ------------------------------------------------------------------


@member_required
def hours(request):
    garden = members.get_garden()
    is_coordinator = members.is_coordinator(request.user)
    form = HoursForm(request.POST or None, garden=garden) if is_coordinator else None
    if request.method == "POST":
        if not is_coordinator:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_hours(
                    garden,
                    data["user"],
                    data["hours"],
                    data["reason"],
                    by=request.user,
                    date=data["date"],
                )
            except RuleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Hours recorded."))
                return redirect("shifts:hours")
    required = services.settings_for().required_hours
    done_hours = services.hours_done(garden, request.user)
    context = {
        "balance": services.Balance(request.user, done_hours, required),
        "season_start": services.season_start(garden),
        "entries": HoursEntry.objects.filter(user=request.user)[:100],
        "form": form,
        "is_coordinator": is_coordinator,
    }
    if is_coordinator:
        # Those furthest behind first, a page at a time.
        paginator = Paginator(services.balances(garden), BALANCES_PAGE_SIZE)
        # Counting the members needs no sums: spare the database a second aggregation.
        paginator.count = members.active_members(garden).count()
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = services.as_balances(page.object_list)
        context["balances"] = page
    return render(request, "shifts/hours.html", context)


# Calendar feeds --------------------------------------------------------------


@member_required
def calendar(request):
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_feed(request.user)
            messages.success(request, _("Your calendar address is switched off."))
        else:
            services.regenerate_feed(request.user)
            messages.success(
                request, _("You have a new calendar address; the old one stops working.")
            )
        return redirect("shifts:calendar")
    feed = services.feed_for(request.user)
    return render(
        request,
        "shifts/calendar.html",
        {
            "feed_url": feed
            and request.build_absolute_uri(reverse("shifts:member_feed", args=[feed.token])),
            "garden_feed_url": request.build_absolute_uri(reverse("shifts:garden_feed")),
        },
    )


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def member_feed(request, token: str):
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not members.is_member(feed.user):
        raise Http404
    return _ics(feeds.member_feed(feed.user, members.get_garden().name), "my-shifts.ics")


def garden_feed(request):
    return _ics(feeds.cached_garden_feed(members.get_garden()), "shifts.ics")


# Tasks -----------------------------------------------------------------------


@member_required
def tasks(request):
    garden = members.get_garden()
    show = request.GET.get("show", "open")
    if show not in services.TASK_FILTERS:
        show = "open"
    return render(
        request,
        "shifts/tasks.html",
        {
            "tasks": Paginator(
                services.tasks_filtered(garden, request.user, show),
                TASKS_PAGE_SIZE,
            ).get_page(request.GET.get("page")),
            "show": show,
            "filters": [
                ("open", _("Open")),
                ("mine", _("Mine")),
                ("overdue", _("Overdue")),
                ("done", _("Done")),
                ("all", _("All")),
            ],
            "today": timezone.localdate(timezone=garden.tz),
            "is_coordinator": members.is_coordinator(request.user),
        },
    )


@coordinator_required
def task_edit(request, pk: int | None = None):
    garden = members.get_garden()
    instance = get_object_or_404(Task, pk=pk) if pk else None
    form = TaskForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        if instance is None:
            try:
                task = services.create_task(garden, by=request.user, **form.cleaned_data)
            except RuleError as error:
                form.add_error(None, error.message)
                return render(request, "shifts/form.html", {"form": form, "title": _("New task")})
        else:
            task = form.save()
            services.push_garden("tasks", {"id": task.pk})
        messages.success(request, _("The task was saved."))
        return redirect("shifts:task", pk=task.pk)
    title = _("Edit task") if pk else _("New task")
    return render(request, "shifts/form.html", {"form": form, "title": title})


@member_required
def task_detail(request, pk: int):
    task = get_object_or_404(Task.objects.prefetch_related("volunteers__profile"), pk=pk)
    return render(
        request,
        "shifts/task.html",
        {
            "task": task,
            "helping": task.volunteers.filter(pk=request.user.pk).exists(),
            "is_coordinator": members.is_coordinator(request.user),
            "note_form": NoteForm(),
            "today": timezone.localdate(timezone=task.garden.tz),
        },
    )


@require_POST
@member_required
def task_action(request, pk: int):
    action = request.POST.get("action")
    if action == "take":
        _attempt(request, lambda: services.take_task(pk, request.user), _("Thank you for helping!"))
    elif action == "leave":
        _attempt(request, lambda: services.leave_task(pk, request.user), _("You left this task."))
    elif action == "done":
        form = NoteForm(request.POST)
        if form.is_valid():
            _attempt(
                request,
                lambda: services.complete_task(pk, request.user, form.cleaned_data["note"]),
                _("The task is done. Thank you!"),
            )
        else:
            messages.error(request, _("The note is too long."))
    else:
        messages.error(request, _("Unknown action."))
    return _back(request, reverse("shifts:task", args=[pk]))
