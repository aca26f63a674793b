"""The garden's crops and what its members harvest from them."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from garden.members.models import Garden


class Crop(models.Model):
    """One entry of the garden's crop list; names are unique regardless of case."""

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="crops")
    name = models.CharField(_("name"), max_length=80)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("crop")
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(Lower("name"), "garden", name="harvests_crop_name_ci_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.TextChoices):
    KG = "kg", _("kg")
    G = "g", _("g")
    PIECES = "pieces", _("pieces")
    BUNCHES = "bunches", _("bunches")


class HarvestLog(models.Model):
    """One harvest. The quantity is kept as entered (quantity, unit) and normalised into
    exactly one of grams, pieces or bunches, so totals are plain database sums and
    pieces are never added to kilograms."""

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="harvest_logs")
    crop = models.ForeignKey(Crop, on_delete=models.PROTECT, related_name="logs")
    # Anonymised, not deleted, when the account goes: the garden's totals stay true.
    harvested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="harvest_logs",
    )
    date = models.DateField(_("date"))
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    grams = models.BigIntegerField(default=0)
    pieces = models.PositiveIntegerField(default=0)
    bunches = models.PositiveIntegerField(default=0)
    # Copies of the date's year and month, so totals group by plain indexed columns
    # (date functions are slow per row on SQLite). Kept in step by set_derived().
    season = models.PositiveSmallIntegerField(editable=False)
    month = models.PositiveSmallIntegerField(editable=False)
    donated = models.BooleanField(editable=False, default=False)
    # The plot as written; linked to the garden's plot of that label when there is one
    # (a log outlives a plot that is renamed or removed).
    plot_label = models.CharField(_("plot"), max_length=40, blank=True)
    plot = models.ForeignKey(
        "plots.Plot",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="harvest_logs",
        editable=False,
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    donated_to = models.CharField(
        _("given away to"),
        max_length=120,
        blank=True,
        help_text=_("Leave empty if you kept it. For example: the food bank."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("harvest")
        ordering = ["-date", "-pk"]
        indexes = [
            # Covers the totals query: its GROUP BY columns in order, then what it sums, so
            # the database groups while it reads the index and never visits the table.
            models.Index(
                fields=[
                    "garden",
                    "season",
                    "month",
                    "crop",
                    "donated",
                    "grams",
                    "pieces",
                    "bunches",
                ],
                name="harvests_totals",
            ),
            models.Index(
                fields=["garden", "season", "donated_to"],
                condition=models.Q(donated=True),
                name="harvests_donations",
            ),
            models.Index(fields=["garden", "date"], name="harvests_garden_date"),
            models.Index(fields=["harvested_by", "date"], name="harvests_author_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="harvests_quantity_positive"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(unit__in=["kg", "g"], grams__gt=0, pieces=0, bunches=0)
                    | models.Q(unit="pieces", grams=0, pieces__gt=0, bunches=0)
                    | models.Q(unit="bunches", grams=0, pieces=0, bunches__gt=0)
                ),
                name="harvests_one_measure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.crop} {self.quantity} {self.unit}"

    def save(self, *args, **kwargs) -> None:
        self.set_derived()
        super().save(*args, **kwargs)

    def set_derived(self) -> "HarvestLog":
        """Fill season, month and donated from date and donated_to
        (bulk_create skips save(), so bulk callers call this, and totals.logs_changed()
        after the insert, as no signal tells the cached totals)."""
        self.season, self.month = self.date.year, self.date.month
        self.donated = bool(self.donated_to)
        return self
