from typing import Any, Self

from django.db import models


class PeriodicRun(models.Model):
    """When a periodic job was last enqueued (see garden/core/periodic.py)."""

    name = models.CharField(max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class OneRowSettings(models.Model):
    """A table of settings with one row, made with its defaults on first use.

    Subclasses are ordinary models; this base adds no table. `load()` (also callable as
    `current()`) returns the row. The row is created with pk 1, so two first uses at once
    meet at the primary key and the database settles which one creates it.
    """

    class Meta:
        abstract = True

    @classmethod
    def first_row_defaults(cls) -> dict[str, Any]:
        """Field values the row needs when it is created (beyond the field defaults)."""
        return {}

    @classmethod
    def load(cls) -> Self:
        row = cls.objects.order_by("pk").first()
        if row is None:
            row, _created = cls.objects.get_or_create(pk=1, defaults=cls.first_row_defaults())
        return row

    @classmethod
    def current(cls) -> Self:
        return cls.load()


class AppliedRequest(models.Model):
    """A request a person sent with an idempotency key and that was applied: the same key
    again (a queued offline action sent twice) is recognised by the unique constraint."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_applied_request_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class Heartbeat(models.Model):
    """When a background process last proved it runs: the worker beats every minute."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
