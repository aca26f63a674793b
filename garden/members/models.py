"""The garden itself, the people in it and what they are told."""

import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class GardenManager(models.Manager):
    def get_current(self) -> "Garden":
        """The one garden this node runs; made with defaults on first use."""
        garden = self.order_by("pk").first()
        if garden is None:
            garden, _created = self.get_or_create(pk=1, defaults={"name": "Allmende"})
        return garden


class Garden(models.Model):
    """The garden this node serves. A node runs exactly one."""

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: anyone may join")
        APPROVAL = "approval", _("Approval by a coordinator")
        INVITE = "invite", _("Invite link only")

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_timezone]
    )
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    rules = models.TextField(_("garden rules"), blank=True)
    join_policy = models.CharField(
        _("who may join"), max_length=16, choices=JoinPolicy.choices, default=JoinPolicy.APPROVAL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GardenManager()

    class Meta:
        verbose_name = _("garden")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        COORDINATOR = "coordinator", _("Coordinator")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="memberships")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    rules_accepted_at = models.DateTimeField(_("rules accepted"), null=True, blank=True)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("membership")
        indexes = [models.Index(fields=["garden", "status", "role"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_coordinator(self) -> bool:
        return self.is_active and self.role == self.Role.COORDINATOR


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow your browser."),
    )
    email_announcements = models.BooleanField(
        _("email me the garden's announcements"), default=True
    )
    email_notifications = models.BooleanField(
        _("email me about my plots, shifts and offers"), default=True
    )

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.user.get_username()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenManager(models.Manager):
    def create_token(self, user, label: str = "") -> tuple["ApiToken", str]:
        """Make a token and return it with its secret, which is shown only once."""
        secret = "alm_" + secrets.token_urlsafe(32)
        token = self.create(user=user, label=label, digest=_hash_token(secret), prefix=secret[:10])
        return token, secret

    def user_for(self, secret: str):
        token = (
            self.select_related("user")
            .filter(digest=_hash_token(secret), user__is_active=True)
            .first()
        )
        if token is None:
            return None
        self.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    label = models.CharField(_("label"), max_length=80, blank=True)
    prefix = models.CharField(max_length=10)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenManager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.label})"


class Invite(models.Model):
    """An invite link a coordinator hands out; valid until it expires or is used up."""

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="invites")
    code = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    max_uses = models.PositiveIntegerField(_("how many people may use it"), default=1)
    uses = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.code[:8]

    @property
    def is_valid(self) -> bool:
        return self.uses < self.max_uses and self.expires_at > timezone.now()


class Announcement(models.Model):
    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Also post it to the garden's followers on Mastodon and the fediverse."),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """Something that concerns one person: listed in the app, optionally emailed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message
