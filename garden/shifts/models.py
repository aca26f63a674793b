"""Watering shifts, their schedules, sign-ups, tasks and the work hours they earn."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from garden.core.models import OneRowSettings
from garden.members.models import Garden

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class ShiftSettings(OneRowSettings):
    """The garden's rules for shifts and common work: one row (a node runs one garden)."""

    garden = models.OneToOneField(Garden, on_delete=models.CASCADE, related_name="shift_settings")
    required_hours = models.DecimalField(
        _("required work hours per season"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    season_start_month = models.PositiveSmallIntegerField(
        _("season starts in month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Hours are counted from the first day of this month (1 = January)."),
    )
    withdraw_cutoff_hours = models.PositiveSmallIntegerField(
        _("no withdrawing later than (hours before the shift)"),
        default=12,
        validators=[MaxValueValidator(24 * 14)],
    )
    weeks_ahead = models.PositiveSmallIntegerField(
        _("plan shifts this many weeks ahead"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )

    class Meta:
        verbose_name = _("shift settings")

    def __str__(self) -> str:
        return str(self.garden)

    @classmethod
    def first_row_defaults(cls) -> dict:
        return {"garden": Garden.objects.get_current()}


class Skill(models.Model):
    """Something a coordinator vouches for: key holder, trained on the pump …"""

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["garden", "name"], name="shifts_skill_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SkillGrant(models.Model):
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["skill", "user"], name="shifts_skillgrant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.skill}"


class ShiftShape(models.Model):
    """What a schedule and the shifts made from it share."""

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=120, default=_("Watering"))
    description = models.TextField(
        _("description"), blank=True, help_text=_("Which beds, where the key is, what to watch.")
    )
    min_volunteers = models.PositiveSmallIntegerField(
        _("volunteers needed"), default=1, validators=[MinValueValidator(1)]
    )
    max_volunteers = models.PositiveSmallIntegerField(
        _("at most volunteers"), default=2, validators=[MinValueValidator(1)]
    )
    required_skill = models.ForeignKey(
        Skill,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("needs one volunteer with"),
        help_text=_("One place is kept for a volunteer with this skill."),
    )
    hours = models.DecimalField(
        _("work hours credited"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )

    class Meta:
        abstract = True


class Schedule(ShiftShape):
    """A recurring shift: weekdays and a local time in the garden's time zone."""

    weekdays = models.CharField(
        _("weekdays"), max_length=7, help_text=_("Digits 0 (Monday) … 6 (Sunday).")
    )
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="shifts_schedule_end"
            ),
            models.CheckConstraint(
                condition=Q(max_volunteers__gte=models.F("min_volunteers")),
                name="shifts_schedule_max_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.start_time:%H:%M}"

    @property
    def weekday_numbers(self) -> list[int]:
        return sorted({int(d) for d in self.weekdays})

    @property
    def weekday_names(self) -> list[str]:
        names = dict(WEEKDAYS)
        return [str(names[d]) for d in self.weekday_numbers]


class Shift(ShiftShape):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CANCELLED = "cancelled", _("Cancelled")

    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )
    start = models.DateTimeField(_("starts"), db_index=True)
    end = models.DateTimeField(_("ends"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    help_call_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "start"],
                condition=Q(schedule__isnull=False),
                name="shifts_shift_once_per_schedule_start",
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="shifts_shift_end"),
            models.CheckConstraint(
                condition=Q(max_volunteers__gte=models.F("min_volunteers")),
                name="shifts_shift_max_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Signup(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_signups"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["shift", "user"], name="shifts_signup_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.shift}"


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    plot = models.ForeignKey(
        "plots.Plot",
        verbose_name=_("plot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    where = models.CharField(
        _("where"), max_length=160, blank=True, help_text=_("A plot, the shed, the compost …")
    )
    hours = models.DecimalField(
        _("work hours credited to each volunteer"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    volunteers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shift_tasks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["status", models.F("due_date").asc(nulls_last=True), "pk"]

    def __str__(self) -> str:
        return self.title


class HoursEntry(models.Model):
    """One credit (or correction) of common-work hours to a member."""

    class Source(models.TextChoices):
        SHIFT = "shift", _("Shift")
        TASK = "task", _("Task")
        MANUAL = "manual", _("Added by a coordinator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_hours"
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    date = models.DateField(_("date"))
    source = models.CharField(max_length=8, choices=Source.choices)
    reason = models.CharField(_("reason"), max_length=300)
    signup = models.OneToOneField(
        Signup, null=True, blank=True, on_delete=models.SET_NULL, related_name="hours_entry"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="hours_entries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name_plural = _("hours entries")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "user"],
                condition=Q(task__isnull=False),
                name="shifts_hours_once_per_task",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.hours} h"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A member's private calendar address; regenerating it revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} feed"
