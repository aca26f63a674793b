"""Plots, who holds them, who waits for one, what they owe, and the record of every decision."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from garden.core.models import OneRowSettings

MAP_COLUMNS = 40
MAP_ROWS = 40


class PlotPolicy(OneRowSettings):
    """The garden's allocation rules: one row, edited by coordinators."""

    plots_per_member = models.PositiveSmallIntegerField(
        _("plots per member"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    approval_required = models.BooleanField(_("a coordinator approves each claim"), default=False)
    season_end = models.DateField(
        _("season end"),
        null=True,
        blank=True,
        help_text=_("Plots not renewed by this day go back to the pool. Empty: no seasons."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("days before the season end to remind members"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    offer_days = models.PositiveSmallIntegerField(
        _("days to accept an offered plot"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    fee = models.DecimalField(
        _("fee per plot and season"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 for a free garden."),
    )
    currency = models.CharField(_("currency"), max_length=8, default="EUR")

    class Meta:
        verbose_name = _("plot policy")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class Plot(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = "available", _("available")
        OFFERED = "offered", _("offered to the waitlist")
        PENDING = "pending", _("pending approval")
        CLAIMED = "claimed", _("claimed")
        OUT_OF_USE = "out_of_use", _("out of use")

    label = models.CharField(_("label"), max_length=20, unique=True)
    area_m2 = models.DecimalField(
        _("area in m²"),
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    description = models.TextField(_("description"), blank=True)
    x = models.PositiveSmallIntegerField(
        _("left (grid units)"), default=0, validators=[MaxValueValidator(MAP_COLUMNS - 1)]
    )
    y = models.PositiveSmallIntegerField(
        _("top (grid units)"), default=0, validators=[MaxValueValidator(MAP_ROWS - 1)]
    )
    width = models.PositiveSmallIntegerField(
        _("width (grid units)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAP_COLUMNS)],
    )
    height = models.PositiveSmallIntegerField(
        _("height (grid units)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAP_ROWS)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.AVAILABLE
    )

    class Meta:
        ordering = ["label"]
        verbose_name = _("plot")

    def __str__(self) -> str:
        return self.label


class Tenancy(models.Model):
    """One person's hold on one plot, from an offer or claim to its end."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("offered")
        PENDING = "pending", _("waiting for approval")
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")
        DECLINED = "declined", _("declined")
        LAPSED = "lapsed", _("offer not taken")

    CURRENT = (Status.OFFERED, Status.PENDING, Status.ACTIVE)

    plot = models.ForeignKey(Plot, on_delete=models.CASCADE, related_name="tenancies")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tenancies"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    renewed_for = models.DateField(
        null=True, blank=True, help_text="the season end the holder renewed beyond"
    )
    reminded_for = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The database, not the code, guarantees that a plot is never double-booked.
            models.UniqueConstraint(
                fields=["plot"],
                condition=Q(status__in=["offered", "pending", "active"]),
                name="plots_one_current_tenancy_per_plot",
            )
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.plot} · {self.user} ({self.status})"

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT


class WaitlistEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        OFFERED = "offered", _("offered a plot")
        SERVED = "served", _("got a plot")
        LEFT = "left", _("left the list")
        SKIPPED = "skipped", _("skipped")

    OPEN = (Status.WAITING, Status.OFFERED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plot_waitlist"
    )
    joined_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["waiting", "offered"]),
                name="plots_one_open_waitlist_entry_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.status})"


class Fee(models.Model):
    class Method(models.TextChoices):
        CASH = "cash", _("cash")
        TRANSFER = "transfer", _("bank transfer")

    tenancy = models.ForeignKey(Tenancy, on_delete=models.CASCADE, related_name="fees")
    season_end = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    currency = models.CharField(max_length=8, default="EUR")
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=16, choices=Method.choices, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["paid_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenancy", "season_end"], name="plots_one_fee_per_tenancy_season"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class PlotEvent(models.Model):
    """The audit trail: every allocation decision, who made it, when and why."""

    class Action(models.TextChoices):
        CLAIM = "claim", _("claimed")
        APPROVE = "approve", _("claim approved")
        DECLINE = "decline", _("claim declined")
        ASSIGN = "assign", _("assigned")
        OFFER = "offer", _("offered from the waitlist")
        ACCEPT = "accept", _("offer accepted")
        REFUSE = "refuse", _("offer refused")
        SKIP = "skip", _("skipped on the waitlist")
        RELEASE = "release", _("released")
        REVOKE = "revoke", _("revoked")
        RENEW = "renew", _("renewed")
        SEASON_END = "season_end", _("returned at season end")
        OUT_OF_USE = "out_of_use", _("marked out of use")
        BACK_IN_USE = "back_in_use", _("back in use")
        WAITLIST_JOIN = "waitlist_join", _("joined the waitlist")
        WAITLIST_LEAVE = "waitlist_leave", _("left the waitlist")
        FEE_PAID = "fee_paid", _("fee marked paid")

    plot = models.ForeignKey(
        Plot, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plot_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.plot}"
