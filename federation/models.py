"""Peers, the durable outbox and its deliveries, seen inbox ids, cached remote actors."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Peer(models.Model):
    """Another garden node we federate with (or that asked to, or that we asked)."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested by us")
        PENDING = "pending", _("Waiting for our answer")
        ACCEPTED = "accepted", _("Peered")
        REJECTED = "rejected", _("Rejected or ended")
        BLOCKED = "blocked", _("Blocked")

    actor_url = models.URLField(_("actor"), max_length=500, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    handle = models.CharField(_("address"), max_length=300, blank=True)
    summary = models.CharField(_("description"), max_length=1000, blank=True)
    inbox_url = models.URLField(max_length=500)
    outbox_url = models.URLField(max_length=500, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    # The Follow that started the peering (ours if we asked, theirs if they did).
    follow_id = models.URLField(max_length=500, blank=True)
    follow_by_us = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_success_at = models.DateTimeField(_("last delivery"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)

    class Meta:
        verbose_name = _("peer")
        ordering = ["name", "actor_url"]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return self.name or self.actor_url

    @property
    def distance_km(self) -> float | None:
        from .peers import distance_from_here

        return distance_from_here(self.latitude, self.longitude)

    @property
    def display_name(self) -> str:
        return self.name or self.handle or self.actor_url


class RemoteActor(models.Model):
    """A remote actor document as last fetched; its keys verify that actor's proofs."""

    actor_url = models.URLField(max_length=500, unique=True)
    document = models.JSONField()
    fetched_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.actor_url


class OutboxActivity(models.Model):
    """An activity we send, stored in the transaction of the change that caused it."""

    activity_id = models.URLField(max_length=500, unique=True)
    activity_type = models.CharField(max_length=40)
    activity = models.JSONField()
    public = models.BooleanField(default=True, help_text="listed in the actor's outbox")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.activity_type} {self.activity_id}"


class Delivery(models.Model):
    """One outbox activity on its way to one inbox."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    activity = models.ForeignKey(
        OutboxActivity, on_delete=models.CASCADE, related_name="deliveries"
    )
    peer = models.ForeignKey(
        Peer, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    inbox_url = models.URLField(max_length=500)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["activity", "inbox_url"], name="one_delivery_per_inbox")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.inbox_url} ({self.state})"


class InboxActivity(models.Model):
    """The id of every activity we applied, so a redelivery is applied once."""

    activity_id = models.URLField(max_length=500, unique=True)
    activity_type = models.CharField(max_length=40)
    actor_url = models.URLField(max_length=500, db_index=True)
    handled = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.activity_id


class FederationSettings(models.Model):
    """The garden's federation policy: one row."""

    auto_accept_km = models.PositiveIntegerField(
        _("accept peering requests automatically within (km)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to decide every request by hand."),
    )
    accept_followers = models.BooleanField(
        _("accept followers automatically"),
        default=True,
        help_text=_("People on Mastodon and other servers who follow the garden's public posts."),
    )
    # When the worker is already due to run deliver_due again (so runs are not piled up).
    next_delivery_run = models.DateTimeField(null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("federation settings")

    def __str__(self) -> str:
        return "federation settings"

    # Its own three lines rather than garden.core's OneRowSettings: federation does not
    # import the garden package.
    @classmethod
    def current(cls) -> "FederationSettings":
        row, _created = cls.objects.get_or_create(pk=1)
        return row


def new_activity_id() -> str:
    return f"{settings.ALLMENDE_URL}/activities/{uuid.uuid4()}"


class Follower(models.Model):
    """A person (or group, or any actor that is not a garden) following our public posts.

    Followers only receive public posts; peering (claims, loans) stays between gardens.
    Their names are untrusted remote text, stored plain and length-limited.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for our answer")
        ACCEPTED = "accepted", _("Following")
        BLOCKED = "blocked", _("Blocked")

    actor_url = models.URLField(_("actor"), max_length=500, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    handle = models.CharField(_("address"), max_length=300, blank=True)
    server = models.CharField(_("server"), max_length=253, db_index=True)
    inbox_url = models.URLField(max_length=500)
    # Where to deliver public posts: the server's shared inbox when the actor names one.
    delivery_inbox = models.URLField(max_length=500, db_index=True)
    follow_id = models.URLField(max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("follower")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "delivery_inbox"])]

    def __str__(self) -> str:
        return self.handle or self.actor_url

    @property
    def display_name(self) -> str:
        return self.name or self.handle or self.actor_url


class BlockedServer(models.Model):
    """A whole server whose actors may neither follow nor reply (host name, lower case)."""

    host = models.CharField(_("server"), max_length=253, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.host
