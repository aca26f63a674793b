"""Public posts: offers for the public and public announcements, as the fediverse sees them
(a Note whose id is on our host), and the replies people send to them.

A reply is untrusted remote text: stored as plain text, length-limited, escaped on output.
A public post names the garden, never the member who offered.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_REPLY_CHARS = 2000


class PublicPost(models.Model):
    """One offer or announcement published to the garden's followers."""

    offer = models.OneToOneField(
        "sharing.Offer", null=True, blank=True, on_delete=models.CASCADE, related_name="public_post"
    )
    announcement = models.OneToOneField(
        "members.Announcement",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="public_post",
    )
    # Followers hold a copy (Create sent, no Delete yet): changes must follow.
    live = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer__isnull=False, announcement__isnull=True)
                | models.Q(offer__isnull=True, announcement__isnull=False),
                name="posts_post_is_offer_or_announcement",
            )
        ]

    def __str__(self) -> str:
        return self.note_id

    @property
    def note_id(self) -> str:
        return f"{settings.ALLMENDE_URL}/posts/{self.pk}"


class Reply(models.Model):
    """A reply from the fediverse (a Note with inReplyTo one of our public posts)."""

    post = models.ForeignKey(PublicPost, on_delete=models.CASCADE, related_name="replies")
    remote_id = models.CharField(max_length=500, unique=True)
    actor_url = models.CharField(max_length=500, db_index=True)
    author_name = models.CharField(_("name"), max_length=200, blank=True)
    author_handle = models.CharField(_("address"), max_length=300, blank=True)
    content = models.TextField(_("text"), max_length=MAX_REPLY_CHARS)
    published = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(_("hidden"), default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return f"{self.author_handle}: {self.content[:40]}"

    @property
    def author(self) -> str:
        return self.author_name or self.author_handle or self.actor_url
