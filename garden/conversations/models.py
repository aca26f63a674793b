"""Threads of plain-text messages under the garden's things (proposals, plots, shifts …).

A thread is named by a kind and the id of its object (see `targets.py`), made when the
first message is written. Messages are plain text; links are made clickable when shown.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_BODY = 5000
MAX_HIDE_REASON = 300


class Kind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    PLOT = "plot", _("Plot")
    SHIFT = "shift", _("Shift")
    TASK = "task", _("Task")
    OFFER = "offer", _("Offer")
    TOOL = "tool", _("Tool")


class Thread(models.Model):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="conversations_one_thread")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="thread_messages",
    )
    body = models.TextField(_("message"), max_length=MAX_BODY)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_reason = models.CharField(_("reason"), max_length=MAX_HIDE_REASON, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class Follow(models.Model):
    """Someone who gets an email about new messages, at most one per thread per 15 minutes."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_follows"
    )
    # The first message not yet emailed arrived then; None: nothing waiting.
    pending_since = models.DateTimeField(null=True, blank=True, db_index=True)
    last_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="conversations_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.thread}"
