"""The printable roster's rows: the week's shifts with their volunteers, the open tasks with
theirs.

The page only prints a few fields of each, so they are read as plain rows (values()) with the
volunteers' names joined in SQL, not as ~400 model instances with prefetched people: four
queries, and the template loops over dicts. The names follow Profile.name (the display name,
else the username); a person without a profile prints as nothing, as the template did.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import formats

from garden.members.models import Garden

from . import services
from .models import Shift, Signup, Task

# A volunteer's name from a row joined through the user to the profile.
_PERSON = ("user__username", "user__profile__id", "user__profile__display_name")


def _name(username: str, profile_id: int | None, display_name: str | None) -> str:
    if profile_id is None:
        return ""
    return display_name or username


def _names_by(rows) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for owner_id, *person in rows:
        names.setdefault(owner_id, []).append(_name(*person))
    return names


def shift_rows(garden: Garden, monday: dt.date, sunday: dt.date) -> list[dict]:
    """The week's shifts that are not cancelled, in order, with the day on the first of each
    day's rows only."""
    shifts = list(
        services.shifts_between(garden, monday, sunday)
        .exclude(status=Shift.Status.CANCELLED)
        .order_by("start", "pk")
        .values("pk", "title", "start", "end", "min_volunteers")
    )
    volunteers = _names_by(
        Signup.objects.filter(shift_id__in=[shift["pk"] for shift in shifts])
        .order_by("created_at", "pk")
        .values_list("shift_id", *_PERSON)
    )
    tz = garden.tz
    rows, last_day = [], None
    for shift in shifts:
        start, end = shift["start"].astimezone(tz), shift["end"].astimezone(tz)
        names = volunteers.get(shift["pk"], [])
        missing = max(shift["min_volunteers"] - len(names), 0)
        day = start.date()
        rows.append(
            {
                "day": day if day != last_day else None,
                "time": f"{start:%H:%M}–{end:%H:%M}",
                "title": shift["title"],
                "missing": missing,  # short when above 0
                "names": ", ".join(names),
            }
        )
        last_day = day
    return rows


def task_rows(garden: Garden, sunday: dt.date) -> list[dict]:
    """The open tasks due by the week's end or without a date, with their volunteers."""
    tasks = list(
        Task.objects.filter(garden=garden, status=Task.Status.OPEN)
        .filter(Q(due_date__lte=sunday) | Q(due_date__isnull=True))
        .values("pk", "title", "due_date", "where", "plot_id", "plot__label")
    )
    volunteers = _names_by(
        Task.volunteers.through.objects.filter(task_id__in=[task["pk"] for task in tasks])
        .order_by("pk")
        .values_list("task_id", *_PERSON)
    )
    due_labels: dict[dt.date, str] = {}  # many tasks share a day: format each day once
    for task in tasks:
        due = task["due_date"]
        if due is not None and due not in due_labels:
            due_labels[due] = formats.date_format(due, "D j M")
        task["due"] = due_labels.get(due, "")
        names = volunteers.get(task["pk"])
        task["names"] = ", ".join(names) if names else "–"
    return tasks
