"""The rules of shifts, tasks and work hours, shared by pages, API and commands."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from garden.core.errors import RuleError
from garden.core.live import push_garden
from garden.members import services as members
from garden.members.models import Garden, Membership
from garden.members.notifications import notify
from garden.plots.models import Plot

from .feeds import forget_garden_feed
from .models import (
    CalendarFeed,
    HoursEntry,
    Schedule,
    Shift,
    ShiftSettings,
    Signup,
    Skill,
    SkillGrant,
    Task,
)

URGENT_WINDOW = dt.timedelta(hours=48)


def settings_for() -> ShiftSettings:
    return ShiftSettings.load()


def _push_shift(shift: Shift) -> None:
    push_garden("shifts", {"id": shift.pk})


def _push_task(task: Task) -> None:
    push_garden("tasks", {"id": task.pk})


def _require_member(user) -> None:
    if not members.is_member(user):
        raise RuleError(_("Only members of this garden may do this."), status=403)


def _require_coordinator(user) -> None:
    if not members.is_coordinator(user):
        raise RuleError(_("Only coordinators of this garden may do this."), status=403)


# Recurrence -----------------------------------------------------------------


def local_datetime(day: dt.date, time: dt.time, tz) -> dt.datetime:
    """The aware instant of a wall-clock time on a day in tz.

    A time that does not exist (skipped by the spring change) moves forward by the gap,
    as a person's clock would show it; an ambiguous one takes the first occurrence.
    """
    naive = dt.datetime.combine(day, time)
    aware = naive.replace(tzinfo=tz, fold=0)
    return aware.astimezone(dt.UTC).astimezone(tz)


def schedule_dates(schedule: Schedule, first: dt.date, last: dt.date) -> list[dt.date]:
    first = max(first, schedule.starts_on)
    if schedule.ends_on:
        last = min(last, schedule.ends_on)
    days = set(schedule.weekday_numbers)
    span = (last - first).days + 1
    return [
        first + dt.timedelta(days=n)
        for n in range(max(span, 0))
        if (first + dt.timedelta(days=n)).weekday() in days
    ]


def materialise(garden: Garden | None = None, *, today: dt.date | None = None) -> int:
    """Make the shifts of every active schedule for the coming weeks; returns how many are new.

    Safe to run any number of times: (schedule, start) is unique and existing rows are kept.
    """
    garden = garden or members.get_garden()
    tz = garden.tz
    today = today or timezone.localdate(timezone=tz)
    last = today + dt.timedelta(weeks=settings_for().weeks_ahead)
    now = timezone.now()
    created = 0
    for schedule in Schedule.objects.filter(garden=garden, active=True):
        rows = []
        for day in schedule_dates(schedule, today, last):
            start = local_datetime(day, schedule.start_time, tz)
            end = local_datetime(day, schedule.end_time, tz)
            if end <= now:
                continue
            rows.append(
                Shift(
                    garden=garden,
                    schedule=schedule,
                    start=start,
                    end=end,
                    **{f: getattr(schedule, f) for f in SHAPE_FIELDS},
                )
            )
        before = Shift.objects.filter(schedule=schedule).count()
        Shift.objects.bulk_create(rows, ignore_conflicts=True)
        created += Shift.objects.filter(schedule=schedule).count() - before
    if created:
        forget_garden_feed()  # bulk_create sends no signals
        push_garden("shifts", {"materialised": created})
    return created


SHAPE_FIELDS = (
    "title",
    "description",
    "min_volunteers",
    "max_volunteers",
    "required_skill",
    "hours",
)


def _check_shape(min_volunteers: int, max_volunteers: int) -> None:
    if max_volunteers < min_volunteers:
        raise RuleError(_("The maximum must not be lower than the number of volunteers needed."))


@transaction.atomic
def save_schedule(schedule: Schedule, *, by) -> Schedule:
    """Create or change a schedule and re-plan its future shifts that nobody took yet."""
    _require_coordinator(by)
    _check_shape(schedule.min_volunteers, schedule.max_volunteers)
    if not schedule.weekdays or any(d not in "0123456" for d in schedule.weekdays):
        raise RuleError(_("Choose at least one weekday."))
    if schedule.end_time <= schedule.start_time:
        raise RuleError(_("A shift must end after it starts."))
    if schedule.ends_on and schedule.ends_on < schedule.starts_on:
        raise RuleError(_("The last day must not be before the first day."))
    schedule.weekdays = "".join(sorted(set(schedule.weekdays)))
    schedule.save()
    Shift.objects.filter(
        schedule=schedule, start__gt=timezone.now(), status=Shift.Status.OPEN
    ).annotate(taken=Count("signups")).filter(taken=0).delete()
    materialise(schedule.garden)
    push_garden("shifts", {"schedule": schedule.pk})
    return schedule


@transaction.atomic
def create_one_off(garden: Garden, *, by, start: dt.datetime, end: dt.datetime, **shape) -> Shift:
    _require_coordinator(by)
    if end <= start:
        raise RuleError(_("A shift must end after it starts."))
    if end <= timezone.now():
        raise RuleError(_("This shift would already be over."))
    _check_shape(shape.get("min_volunteers", 1), shape.get("max_volunteers", 2))
    shift = Shift.objects.create(garden=garden, start=start, end=end, **shape)
    _push_shift(shift)
    return shift


@transaction.atomic
def cancel_shift(shift_id: int, *, by, reason: str = "") -> Shift:
    """Cancel a shift and tell everyone who had signed up."""
    _require_coordinator(by)
    shift = _locked_shift(shift_id)
    if shift.is_cancelled:
        raise RuleError(_("This shift is already cancelled."), status=409)
    if shift.end <= timezone.now():
        raise RuleError(_("This shift is already over."), status=409)
    shift.status = Shift.Status.CANCELLED
    shift.cancel_reason = reason.strip()[:300]
    shift.save(update_fields=["status", "cancel_reason"])
    when = format_when(shift)
    for signup in shift.signups.select_related("user"):
        message = _("The shift “%(title)s” on %(when)s is cancelled.") % {
            "title": shift.title,
            "when": when,
        }
        if shift.cancel_reason:
            message += " " + shift.cancel_reason
        notify(signup.user, "shift_cancelled", message, url=shift_url(shift))
    _push_shift(shift)
    return shift


def format_when(shift: Shift) -> str:
    tz = shift.garden.tz
    start = shift.start.astimezone(tz)
    return f"{start:%Y-%m-%d %H:%M}–{shift.end.astimezone(tz):%H:%M}"


def shift_url(shift: Shift) -> str:
    return reverse("shifts:shift", args=[shift.pk])


# Sign-up ---------------------------------------------------------------------


def _locked_shift(shift_id: int) -> Shift:
    shift = Shift.objects.select_for_update().filter(pk=shift_id).first()
    if shift is None:
        raise RuleError(_("There is no such shift."), status=404)
    return shift


def has_skill(user, skill_id: int | None) -> bool:
    return skill_id is None or SkillGrant.objects.filter(skill_id=skill_id, user=user).exists()


@transaction.atomic
def sign_up(shift_id: int, user) -> Signup:
    """Take a place on a shift. The shift row is locked, so the count cannot race."""
    _require_member(user)
    # One member's sign-ups are serialised too, so two overlapping shifts cannot both win.
    Membership.objects.select_for_update().filter(user=user).first()
    shift = _locked_shift(shift_id)
    if shift.is_cancelled:
        raise RuleError(_("This shift is cancelled."), status=409)
    if shift.start <= timezone.now():
        raise RuleError(_("This shift has already started."), status=409)
    signups = list(shift.signups.all())
    if any(s.user_id == user.pk for s in signups):
        raise RuleError(_("You are already signed up for this shift."), status=409)
    if len(signups) >= shift.max_volunteers:
        raise RuleError(_("This shift is full."), status=409)
    if (
        shift.required_skill_id
        and len(signups) == shift.max_volunteers - 1
        and not has_skill(user, shift.required_skill_id)
        and not SkillGrant.objects.filter(
            skill_id=shift.required_skill_id, user_id__in=[s.user_id for s in signups]
        ).exists()
    ):
        raise RuleError(
            _("The last place is kept for a volunteer with the skill “%(skill)s”.")
            % {"skill": shift.required_skill.name},
            status=409,
        )
    overlapping = Signup.objects.filter(
        user=user,
        shift__status=Shift.Status.OPEN,
        shift__start__lt=shift.end,
        shift__end__gt=shift.start,
    ).select_related("shift")
    clash = overlapping.first()
    if clash is not None:
        raise RuleError(
            _("You are already on a shift at that time (%(when)s).")
            % {"when": format_when(clash.shift)},
            status=409,
        )
    signup = Signup.objects.create(shift=shift, user=user)
    _push_shift(shift)
    return signup


@transaction.atomic
def withdraw(shift_id: int, user) -> Shift:
    _require_member(user)
    shift = _locked_shift(shift_id)
    signup = shift.signups.filter(user=user).first()
    if signup is None:
        raise RuleError(_("You are not signed up for this shift."), status=409)
    if signup.done_at:
        raise RuleError(_("You have already marked this shift done."), status=409)
    cutoff = settings_for().withdraw_cutoff_hours
    if not shift.is_cancelled and timezone.now() > shift.start - dt.timedelta(hours=cutoff):
        raise RuleError(
            _(
                "It is too late to withdraw: the garden asks for %(hours)s hours' notice. "
                "Please ask someone to take over or tell a coordinator."
            )
            % {"hours": cutoff},
            status=409,
        )
    signup.delete()
    _push_shift(shift)
    return shift


def withdraw_deadline(shift: Shift) -> dt.datetime:
    return shift.start - dt.timedelta(hours=settings_for().withdraw_cutoff_hours)


@transaction.atomic
def check_off(shift_id: int, user, note: str = "") -> Signup:
    """A volunteer marks their shift done; their hours are credited."""
    _require_member(user)
    shift = _locked_shift(shift_id)
    signup = shift.signups.filter(user=user).first()
    if signup is None:
        raise RuleError(_("Only volunteers of this shift can mark it done."), status=403)
    if shift.is_cancelled:
        raise RuleError(_("This shift is cancelled."), status=409)
    if shift.start > timezone.now():
        raise RuleError(_("This shift has not started yet."), status=409)
    if signup.done_at:
        raise RuleError(_("You have already marked this shift done."), status=409)
    signup.done_at = timezone.now()
    signup.note = note.strip()[:500]
    signup.save(update_fields=["done_at", "note"])
    if shift.hours:
        HoursEntry.objects.create(
            user=user,
            hours=shift.hours,
            date=shift.start.astimezone(shift.garden.tz).date(),
            source=HoursEntry.Source.SHIFT,
            reason=f"{shift.title} {format_when(shift)}",
            signup=signup,
        )
    _push_shift(shift)
    return signup


# Coverage --------------------------------------------------------------------


@dataclass
class ShiftView:
    shift: Shift
    filled: int
    volunteers: list
    mine: bool
    my_signup: Signup | None
    now: dt.datetime

    @property
    def short(self) -> bool:
        return not self.shift.is_cancelled and self.filled < self.shift.min_volunteers

    @property
    def missing(self) -> int:
        return max(self.shift.min_volunteers - self.filled, 0)

    @property
    def full(self) -> bool:
        return self.filled >= self.shift.max_volunteers

    @property
    def urgent(self) -> bool:
        return self.short and self.now < self.shift.start <= self.now + URGENT_WINDOW

    @property
    def upcoming(self) -> bool:
        return self.shift.start > self.now

    @property
    def started(self) -> bool:
        return self.shift.start <= self.now

    @property
    def done(self) -> bool:
        return any(s.done_at for s in self.shift.signups.all())


def shift_views(shifts, user) -> list[ShiftView]:
    shifts = shifts.select_related("garden", "required_skill").prefetch_related(
        "signups__user__profile"
    )
    return shift_views_of(shifts, user, timezone.now())


def shift_views_of(shifts, user, now: dt.datetime) -> list[ShiftView]:
    """Views of shifts fetched with their sign-ups (prefetched, so no query per shift)."""
    views = []
    for shift in shifts:
        signups = list(shift.signups.all())
        mine = next((s for s in signups if s.user_id == user.pk), None)
        views.append(
            ShiftView(
                shift=shift,
                filled=len(signups),
                volunteers=[s.user for s in signups],
                mine=mine is not None,
                my_signup=mine,
                now=now,
            )
        )
    return views


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def shifts_between(garden: Garden, first: dt.date, last: dt.date):
    """Shifts whose local day lies in [first, last]."""
    tz = garden.tz
    start = local_datetime(first, dt.time(0), tz)
    end = local_datetime(last + dt.timedelta(days=1), dt.time(0), tz)
    return Shift.objects.filter(garden=garden, start__gte=start, start__lt=end)


def week(garden: Garden, monday: dt.date, user) -> list[tuple[dt.date, list[ShiftView]]]:
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    by_day = {day: [] for day in days}
    tz = garden.tz
    for view in shift_views(shifts_between(garden, days[0], days[-1]), user):
        by_day[view.shift.start.astimezone(tz).date()].append(view)
    return list(by_day.items())


def missed_shifts(garden: Garden, *, weeks: int = 8):
    """Past shifts nobody marked done: either nobody came or nobody checked off."""
    now = timezone.now()
    return (
        Shift.objects.filter(
            garden=garden,
            status=Shift.Status.OPEN,
            end__lt=now,
            start__gte=now - dt.timedelta(weeks=weeks),
        )
        .exclude(signups__done_at__isnull=False)
        .order_by("-start")
        .prefetch_related("signups__user__profile")
    )


# Skills ----------------------------------------------------------------------


@transaction.atomic
def create_skill(garden: Garden, name: str, description: str = "", *, by) -> Skill:
    _require_coordinator(by)
    name = name.strip()
    if not name:
        raise RuleError(_("Give the skill a name."))
    if Skill.objects.filter(garden=garden, name__iexact=name).exists():
        raise RuleError(_("This skill already exists."), status=409)
    return Skill.objects.create(garden=garden, name=name, description=description.strip())


@transaction.atomic
def grant_skill(skill: Skill, user, *, by) -> SkillGrant:
    _require_coordinator(by)
    if not members.is_member(user):
        raise RuleError(_("Skills can only be given to active members."))
    grant, _created = SkillGrant.objects.get_or_create(
        skill=skill, user=user, defaults={"granted_by": by}
    )
    return grant


@transaction.atomic
def revoke_skill(skill: Skill, user, *, by) -> None:
    _require_coordinator(by)
    SkillGrant.objects.filter(skill=skill, user=user).delete()


# Tasks -----------------------------------------------------------------------


def tasks_filtered(garden: Garden, user, show: str):
    tasks = (
        Task.objects.filter(garden=garden)
        .select_related("plot")
        .prefetch_related("volunteers__profile")
    )
    today = timezone.localdate(timezone=garden.tz)
    if show == "mine":
        return tasks.filter(volunteers=user, status=Task.Status.OPEN)
    if show == "overdue":
        return tasks.filter(status=Task.Status.OPEN, due_date__lt=today)
    if show == "done":
        return tasks.filter(status=Task.Status.DONE).order_by("-done_at")
    if show == "all":
        return tasks
    return tasks.filter(status=Task.Status.OPEN)


TASK_FILTERS = ("open", "mine", "overdue", "done", "all")


@transaction.atomic
def create_task(garden: Garden, *, by, **fields) -> Task:
    _require_coordinator(by)
    if not str(fields.get("title", "")).strip():
        raise RuleError(_("Give the task a title."))
    plot_id = fields.pop("plot_id", None)
    if plot_id is not None:
        fields["plot"] = Plot.objects.filter(pk=plot_id).first()
        if fields["plot"] is None:
            raise RuleError(_("There is no such plot."))
    task = Task.objects.create(garden=garden, created_by=by, **fields)
    _push_task(task)
    return task


def _locked_task(task_id: int) -> Task:
    task = Task.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise RuleError(_("There is no such task."), status=404)
    return task


@transaction.atomic
def take_task(task_id: int, user) -> Task:
    _require_member(user)
    task = _locked_task(task_id)
    if task.status == Task.Status.DONE:
        raise RuleError(_("This task is already done."), status=409)
    if task.volunteers.filter(pk=user.pk).exists():
        raise RuleError(_("You are already helping with this task."), status=409)
    task.volunteers.add(user)
    _push_task(task)
    return task


@transaction.atomic
def leave_task(task_id: int, user) -> Task:
    _require_member(user)
    task = _locked_task(task_id)
    if task.status == Task.Status.DONE:
        raise RuleError(_("This task is already done."), status=409)
    if not task.volunteers.filter(pk=user.pk).exists():
        raise RuleError(_("You are not helping with this task."), status=409)
    task.volunteers.remove(user)
    _push_task(task)
    return task


@transaction.atomic
def complete_task(task_id: int, user, note: str = "") -> Task:
    """Mark a task done and credit its hours to everyone who helped."""
    _require_member(user)
    task = _locked_task(task_id)
    helpers = list(task.volunteers.all())
    if not members.is_coordinator(user) and user not in helpers:
        raise RuleError(
            _("Only the volunteers of this task or a coordinator can mark it done."), status=403
        )
    if task.status == Task.Status.DONE:
        raise RuleError(_("This task is already done."), status=409)
    task.status = Task.Status.DONE
    task.done_at = timezone.now()
    task.done_note = note.strip()[:500]
    task.save(update_fields=["status", "done_at", "done_note"])
    today = timezone.localdate(timezone=task.garden.tz)
    if task.hours:
        HoursEntry.objects.bulk_create(
            HoursEntry(
                user=helper,
                hours=task.hours,
                date=today,
                source=HoursEntry.Source.TASK,
                reason=task.title[:300],
                task=task,
                created_by=user,
            )
            for helper in helpers
        )
    _push_task(task)
    return task


# Work hours ------------------------------------------------------------------


def season_start(garden: Garden, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate(timezone=garden.tz)
    month = settings_for().season_start_month
    year = today.year if today.month >= month else today.year - 1
    return dt.date(year, month, 1)


def hours_done(garden: Garden, user) -> Decimal:
    total = HoursEntry.objects.filter(user=user, date__gte=season_start(garden)).aggregate(
        total=Sum("hours")
    )["total"]
    return total or Decimal("0")


@dataclass
class Balance:
    user: object
    done: Decimal
    required: Decimal

    @property
    def missing(self) -> Decimal:
        return max(self.required - self.done, Decimal("0"))

    @property
    def behind(self) -> bool:
        return self.done < self.required


def balances(garden: Garden) -> QuerySet:
    """Every active member's hours this season (``done``), those furthest behind first.

    Sorted by the database, so a page of a long list is cut there; ``as_balances`` turns
    the rows of a page into ``Balance``s."""
    start = season_start(garden)
    name = Coalesce(NullIf("user__profile__display_name", Value("")), "user__username")
    # A sum per member in a subquery: joining every entry to the member rows and grouping
    # by them was 20 ms at 300 members and 14,000 entries.
    season_sum = (
        HoursEntry.objects.filter(user=OuterRef("user"), date__gte=start)
        .values("user")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return (
        members.active_members(garden)
        .annotate(
            done=Coalesce(
                Subquery(season_sum),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=8, decimal_places=2),
            )
        )
        .select_related("user__profile")
        .order_by("done", Lower(name), "pk")
    )


def as_balances(memberships) -> list[Balance]:
    required = settings_for().required_hours
    return [Balance(m.user, m.done, required) for m in memberships]


@transaction.atomic
def add_hours(garden: Garden, user, hours: Decimal, reason: str, *, by, date=None) -> HoursEntry:
    """A coordinator credits or corrects (negative hours) someone's hours, with a reason."""
    _require_coordinator(by)
    if not members.is_member(user):
        raise RuleError(_("Hours can only be credited to active members."))
    if not hours:
        raise RuleError(_("Enter a number of hours other than zero."))
    if abs(hours) > 1000:
        raise RuleError(_("That is more hours than a season has room for."))
    if not reason.strip():
        raise RuleError(_("Say why, so the member understands the change."))
    entry = HoursEntry.objects.create(
        user=user,
        hours=hours,
        date=date or timezone.localdate(timezone=garden.tz),
        source=HoursEntry.Source.MANUAL,
        reason=reason.strip()[:300],
        created_by=by,
    )
    notify(
        user,
        "hours_changed",
        _("A coordinator changed your work hours by %(hours)s: %(reason)s")
        % {"hours": f"{hours:+g}", "reason": entry.reason},
        url=reverse("shifts:hours"),
    )
    return entry


# Calendar feeds --------------------------------------------------------------


def feed_for(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


@transaction.atomic
def regenerate_feed(user) -> CalendarFeed:
    _require_member(user)
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)


def revoke_feed(user) -> None:
    CalendarFeed.objects.filter(user=user).delete()


# Reminders -------------------------------------------------------------------


def send_day_before_reminders(garden: Garden | None = None, *, now=None) -> int:
    """Remind each volunteer once of tomorrow's shifts (local day)."""
    garden = garden or members.get_garden()
    now = now or timezone.now()
    tomorrow = now.astimezone(garden.tz).date() + dt.timedelta(days=1)
    shifts = shifts_between(garden, tomorrow, tomorrow).filter(
        status=Shift.Status.OPEN, start__gt=now
    )
    sent = 0
    with transaction.atomic():
        due = (
            Signup.objects.select_for_update(of=("self",))
            .filter(shift__in=shifts, reminded_at__isnull=True)
            .select_related("shift__garden", "user")
        )
        for signup in due:
            notify(
                signup.user,
                "shift_reminder",
                _("Reminder: you are on “%(title)s” tomorrow, %(when)s.")
                % {"title": signup.shift.title, "when": format_when(signup.shift)},
                url=shift_url(signup.shift),
            )
            signup.reminded_at = now
            signup.save(update_fields=["reminded_at"])
            sent += 1
    return sent


def send_help_calls(garden: Garden | None = None, *, now=None) -> int:
    """Ask members to help with short shifts in the next 48 h; once per shift."""
    garden = garden or members.get_garden()
    now = now or timezone.now()
    calls = 0
    with transaction.atomic():
        shifts = (
            Shift.objects.select_for_update()
            .filter(
                garden=garden,
                status=Shift.Status.OPEN,
                help_call_sent_at__isnull=True,
                start__gt=now,
                start__lte=now + URGENT_WINDOW,
            )
            .select_related("garden")
        )
        for shift in shifts:
            on_it = set(shift.signups.values_list("user_id", flat=True))
            if len(on_it) >= shift.min_volunteers:
                continue
            message = _(
                "Help wanted: “%(title)s” on %(when)s needs %(missing)s more volunteer(s)."
            ) % {
                "title": shift.title,
                "when": format_when(shift),
                "missing": shift.min_volunteers - len(on_it),
            }
            for membership in members.active_members(garden):
                if membership.user_id not in on_it:
                    notify(membership.user, "shift_help", message, url=shift_url(shift))
            Shift.objects.filter(pk=shift.pk).update(help_call_sent_at=now)
            calls += 1
    return calls
