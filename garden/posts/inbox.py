"""Replies and mentions from the fediverse, handed over by the federation inbox.

Open to any actor that is not blocked (people on Mastodon are not peers). Only two things
are kept: a reply to one of our live public posts (plain text, length-limited), and a
coordinators' notification when a Note mentions the garden. Everything else is dropped.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags

from federation import followers
from federation.actors import actor_id, cached_actor, origin, plain_text

from . import services
from .models import MAX_REPLY_CHARS, PublicPost, Reply

_BREAKS = re.compile(r"<\s*(br|/p|/li)\s*/?\s*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_POST_PATH = re.compile(r"^/posts/(?P<pk>\d{1,12})$")


def as_plain_text(content, limit: int = MAX_REPLY_CHARS) -> str:
    """Remote HTML to plain text: line breaks kept, tags dropped, entities decoded."""
    if not isinstance(content, str):
        return ""
    text = html.unescape(strip_tags(_BREAKS.sub("\n", content[: limit * 4])))
    text = _CONTROL.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()[:limit]


def _our_post(url) -> PublicPost | None:
    if not isinstance(url, str) or origin(url) != origin(settings.ALLMENDE_URL):
        return None
    match = _POST_PATH.match(urlsplit(url).path)
    if match is None:
        return None
    return PublicPost.objects.filter(pk=int(match["pk"]), live=True).first()


def _mentions_us(note: dict) -> bool:
    tags = note.get("tag")
    tags = [tags] if isinstance(tags, dict) else tags if isinstance(tags, list) else []
    return any(
        isinstance(tag, dict) and tag.get("type") == "Mention" and tag.get("href") == actor_id()
        for tag in tags[:50]
    )


def _author(actor: str) -> tuple[str, str]:
    document = cached_actor(actor) or {}
    name = _CONTROL.sub("", plain_text(document.get("name"), 200)).strip()
    username = plain_text(document.get("preferredUsername"), 100)
    handle = f"{username}@{urlsplit(actor).hostname}"[:300] if username else ""
    return name, handle


def note_arrived(activity: dict, sender) -> None:
    """``Create{Note}``: a reply to one of our posts is stored; a mention is told."""
    note = activity.get("object")
    actor = activity["actor"] if isinstance(activity["actor"], str) else activity["actor"]["id"]
    if not isinstance(note, dict) or not isinstance(note.get("id"), str):
        return
    if note.get("attributedTo", actor) != actor or origin(note["id"]) != origin(actor):
        return  # someone else's note, or one not on its author's server: not stored
    post = _our_post(note.get("inReplyTo"))
    mentioned = _mentions_us(note)
    if post is None and not mentioned:
        return
    name, handle = _author(actor)
    if post is not None:
        content = as_plain_text(note.get("content"))
        if not content or len(note["id"]) > 500:
            return
        published = note.get("published")
        try:
            with transaction.atomic():
                Reply.objects.create(
                    post=post,
                    remote_id=note["id"],
                    actor_url=actor,
                    author_name=name,
                    author_handle=handle,
                    content=content,
                    published=_aware(published),
                )
        except (IntegrityError, ValueError):
            return  # the same reply again, or a date that is not one
    if mentioned:
        services.tell_coordinators_of_mention(name or handle or actor, post)


def _aware(value):
    moment = parse_datetime(value) if isinstance(value, str) else None
    return moment if moment is not None and moment.tzinfo is not None else None


def note_deleted(activity: dict, sender) -> None:
    """The author deleted its reply: so do we. An account deleted (``Delete`` of the actor
    itself, as Mastodon sends it) takes its replies and its follow along."""
    obj = activity.get("object")
    reference = obj.get("id") if isinstance(obj, dict) else obj
    actor = activity["actor"] if isinstance(activity["actor"], str) else activity["actor"]["id"]
    if reference == actor:
        Reply.objects.filter(actor_url=actor).delete()
        followers.forget(actor)
    elif isinstance(reference, str):
        Reply.objects.filter(remote_id=reference, actor_url=actor).delete()


def register() -> None:
    from federation.registry import handles

    handles("Create", "Note", from_anyone=True)(note_arrived)
    handles("Delete", "Tombstone", from_anyone=True)(note_deleted)
    handles("Delete", "Note", from_anyone=True)(note_deleted)
    handles("Delete", None, from_anyone=True)(note_deleted)  # Mastodon: object is a bare URL
