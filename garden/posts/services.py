"""Publishing offers and announcements to the garden's followers, and their replies.

Mastodon shows a ``Note`` in full (it ignores ``Offer`` and shortens ``Article``), so a public
post is ``Create{Note}`` to as:Public, cc our followers collection; ``Update`` when it
changes, ``Delete`` when it is withdrawn, expires, is fully claimed or deleted. Every
function that publishes runs inside the transaction of the change (transactional outbox).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from federation import followers
from federation.actors import PUBLIC, actor_id, followers_url
from garden.core.errors import RuleError
from garden.members.models import Announcement
from garden.members.notifications import notify
from garden.members.services import coordinators, get_garden, is_coordinator
from garden.sharing.models import Offer

from .models import PublicPost, Reply


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.ALLMENDE_URL}{url}"


def post_page(post: PublicPost) -> str:
    """The Note's id: a browser gets the public page there, a server the Note."""
    return post.note_id


def _moment(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _offer_html(offer: Offer, link: str) -> str:
    """Small HTML (p, a, br), every value escaped; names the garden, never the member."""
    amount = f"{offer.quantity_left.normalize():f}"  # what is left to claim
    lines = [
        format_html(
            "<p>{}</p>",
            _("%(garden)s shares %(amount)s %(unit)s of %(crop)s.")
            % {
                "garden": get_garden().name,
                "amount": amount,
                "unit": offer.get_unit_display(),
                "crop": offer.crop,
            },
        ),
        format_html(
            "<p>{}<br>{}</p>",
            _("Pick up between %(start)s and %(end)s")
            % {"start": _moment(offer.pickup_from), "end": _moment(offer.pickup_until)},
            offer.pickup_place or get_garden().address,
        ),
        format_html('<p><a href="{}">{}</a></p>', link, link),
    ]
    return "".join(lines)


def _announcement_html(announcement: Announcement, link: str) -> str:
    paragraphs = [part for part in announcement.body.split("\n\n") if part.strip()]
    body = format_html_join("", "<p>{}</p>", ((_linebreaks(part.strip()),) for part in paragraphs))
    return format_html(
        '<p>{}</p>{}<p><a href="{}">{}</a></p>', announcement.title, body, link, link
    )


def _linebreaks(text: str) -> str:
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in text.split("\n")))


def note(post: PublicPost) -> dict:
    """The post as an ActivityStreams Note, in the garden's language and time zone."""
    garden = get_garden()
    link = post_page(post)
    with translation.override(garden.default_language), timezone.override(garden.tz):
        if post.offer_id:
            offer = post.offer
            content = _offer_html(offer, link)
            updated = offer.updated_at
        else:
            announcement = post.announcement
            content = _announcement_html(announcement, link)
            updated = announcement.created_at
    data = {
        "id": post.note_id,
        "type": "Note",
        "attributedTo": actor_id(),
        "content": content,
        "url": link,
        "published": post.created_at.isoformat(),
        "updated": max(updated, post.created_at).isoformat(),
        "to": [PUBLIC],
        "cc": [followers_url()],
    }
    if post.offer_id and post.offer.photo:
        with translation.override(garden.default_language):
            alt = _("Photo of the offered %(crop)s") % {"crop": post.offer.crop}
        data["attachment"] = [
            {
                "type": "Image",
                "mediaType": _media_type(post.offer.photo.name),
                "url": _absolute(post.offer.photo.url),
                "name": alt,
            }
        ]
    return data


def _media_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower()
    return {"png": "image/png", "webp": "image/webp", "gif": "image/gif"}.get(
        extension, "image/jpeg"
    )


def tombstone(post: PublicPost) -> dict:
    return {"id": post.note_id, "type": "Tombstone"}


def _send(kind: str, post: PublicPost) -> None:
    obj = note(post) if kind != "Delete" else tombstone(post)
    followers.publish_to_followers({"type": kind, "object": obj})


def _sync(post: PublicPost | None, wanted: bool, **owner) -> None:
    if wanted and post is None:
        post = PublicPost.objects.create(**owner)
        _send("Create", post)
    elif wanted and not post.live:
        post.live = True
        post.save(update_fields=["live", "updated_at"])
        _send("Create", post)
    elif wanted:
        post.save(update_fields=["updated_at"])
        _send("Update", post)
    elif post is not None and post.live:
        post.live = False
        post.save(update_fields=["live", "updated_at"])
        _send("Delete", post)


def _post_of(**owner) -> PublicPost | None:
    return PublicPost.objects.select_for_update().filter(**owner).first()


def sync_offer(offer: Offer) -> None:
    """Called wherever an offer changes (sharing/federate.sync_offer): Create, Update or
    Delete the followers' copy."""
    if offer.is_remote:
        return
    wanted = offer.audience == Offer.Audience.PUBLIC and offer.status == Offer.Status.OPEN
    with transaction.atomic():
        _sync(_post_of(offer=offer), wanted, offer=offer)


def announcement_posted(announcement: Announcement) -> None:
    if announcement.public:
        with transaction.atomic():
            _sync(_post_of(announcement=announcement), True, announcement=announcement)


def announcement_deleted(announcement: Announcement) -> None:
    """Before the row goes: followers are told to delete their copy."""
    with transaction.atomic():
        _sync(_post_of(announcement=announcement), False, announcement=announcement)


# Replies.


def visible_replies(post: PublicPost | None) -> QuerySet[Reply]:
    if post is None:
        return Reply.objects.none()
    return post.replies.filter(hidden=False)


def visible_replies_of(path: str) -> Prefetch:
    """Prefetch the visible replies of ``<path>`` (a PublicPost), for lists of posts."""
    return Prefetch(f"{path}__replies", queryset=Reply.objects.filter(hidden=False))


def replies_for(owner: Offer | Announcement, user=None) -> list[Reply]:
    """Replies shown under an offer or announcement; coordinators also see hidden ones."""
    post = PublicPost.objects.filter(**{_owner_field(owner): owner}).first()
    if post is None:
        return []
    rows = post.replies.all()
    if user is None or not is_coordinator(user):
        rows = rows.filter(hidden=False)
    return list(rows)


def _owner_field(owner) -> str:
    return "offer" if isinstance(owner, Offer) else "announcement"


def set_hidden(user, reply: Reply, hidden: bool = True) -> Reply:
    if not is_coordinator(user):
        raise RuleError(_("Only coordinators may hide replies."), status=403)
    Reply.objects.filter(pk=reply.pk).update(hidden=hidden)
    reply.hidden = hidden
    return reply


def page_of(post: PublicPost) -> str:
    """Where members see the post: the offer's page or the announcements."""
    if post.offer_id:
        return reverse("sharing:offer", args=[post.offer_id])
    return reverse("announcements")


def tell_coordinators_of_mention(author: str, post: PublicPost | None) -> None:
    message = _("%(name)s mentioned your garden on the fediverse.") % {"name": author}
    url = page_of(post) if post else reverse("federation:followers-page")
    for membership in coordinators():
        notify(membership.user, "mention", message[:500], url=url)
