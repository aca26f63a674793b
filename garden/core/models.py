from django.db import models


class PeriodicRun(models.Model):
    """When a periodic job was last enqueued (see garden/core/periodic.py)."""

    name = models.CharField(max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
