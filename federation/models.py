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
    """A verified activity as received: stored once (the id is unique) before the inbox
    answers 202, then applied by the inbox worker (``federation.inbox_worker``).

    ``handled`` is true exactly when the state is ``applied``; a redelivery of a stored id
    is answered 202 and applied at most once.
    """

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        WAITING = "waiting", _("Waiting for its object")
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("Refused")
        PARKED = "parked", _("Parked after repeated failures")

    activity_id = models.URLField(max_length=500, unique=True)
    activity_type = models.CharField(max_length=40)
    actor_url = models.URLField(max_length=500, db_index=True)
    # The id of the object it creates, changes or deletes, so an Update or Delete can wait
    # for the activity that brought its object.
    object_id = models.URLField(max_length=500, blank=True, db_index=True)
    activity = models.JSONField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    handled = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="inbox_pending",
                condition=models.Q(state__in=["received", "waiting"]),
            )
        ]

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
    publish_peers = models.BooleanField(
        _("list the gardens we peer with"),
        default=True,
        help_text=_("Our peers read it to suggest gardens near them; only gardens that agree."),
    )
    listable = models.BooleanField(
        _("our peers may list us"),
        default=True,
        help_text=_("Gardens near our peers then see ours as a suggestion."),
    )
    suggest_within_km = models.PositiveIntegerField(
        _("suggest gardens within (km)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the share radius."),
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


class Suggestion(models.Model):
    """A garden we do not peer with that our peers list, or that a peer introduced to us."""

    class State(models.TextChoices):
        OPEN = "open", _("Suggested")
        DISMISSED = "dismissed", _("Dismissed")

    actor_url = models.URLField(max_length=500, unique=True)
    name = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Actor URLs of our peers whose published lists name it.
    known_by = models.JSONField(default=list)
    # The peer whose coordinators introduced it (display name), if one did.
    introduced_by = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "actor_url"]

    def __str__(self) -> str:
        return self.name or self.actor_url

    @property
    def distance_km(self) -> float | None:
        from .peers import distance_from_here

        return distance_from_here(self.latitude, self.longitude)


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
