"""Reminders by Web Push (per device) and by email (per person)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PushSubscription(models.Model):
    """One device (browser) that receives push messages for a person, with what it wants."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    # What this device is told about (each one a choice of its owner).
    shift_reminder = models.BooleanField(_("my next shift"), default=True)
    reminder_hours = models.PositiveSmallIntegerField(
        _("hours before the shift"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
    )
    shift_help = models.BooleanField(_("help needed on a shift soon"), default=True)
    offer_claimed = models.BooleanField(_("someone claimed my offer"), default=True)
    claim_answered = models.BooleanField(_("my claim was confirmed or declined"), default=True)
    loans = models.BooleanField(_("loan requests and answers"), default=True)
    plot_offered = models.BooleanField(_("a plot is offered to me from the waitlist"), default=True)
    announcements = models.BooleanField(_("announcements"), default=False)

    KINDS = (
        "shift_reminder",
        "shift_help",
        "offer_claimed",
        "claim_answered",
        "loans",
        "plot_offered",
        "announcements",
    )

    class Meta:
        indexes = [models.Index(fields=["user"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.endpoint[:60]}"


class ShiftPushReminder(models.Model):
    """A shift reminder pushed to a device: each (device, sign-up) once."""

    subscription = models.ForeignKey(PushSubscription, on_delete=models.CASCADE, related_name="+")
    signup = models.ForeignKey("shifts.Signup", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "signup"], name="reminders_push_once")
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} · {self.signup_id}"


class EmailReminders(models.Model):
    """A person's reminder emails: "tomorrow" (on unless turned off) and the weekly digest of
    offers nearby (off unless turned on); the last day each was sent, so it is sent once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_reminders"
    )
    tomorrow = models.BooleanField(
        _("an email the day before I have a shift, task or pickup"), default=True
    )
    offers_digest = models.BooleanField(_("a weekly email of offers nearby"), default=False)
    tomorrow_sent_on = models.DateField(null=True, blank=True)
    digest_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.user)
