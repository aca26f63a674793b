"""What the home page remembers about a person: when they last looked."""

from django.conf import settings
from django.db import models


class HomeVisit(models.Model):
    """The last two visits of a person's home page: "new since my last visit" is since
    `previous_at`, which only a real visit moves (a live refresh of the page does not)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_visit"
    )
    previous_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} · {self.last_at:%Y-%m-%d %H:%M}"
