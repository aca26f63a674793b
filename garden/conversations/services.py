"""The rules of threads: who writes, edits and hides, who is told, and the batched emails."""

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from garden.core import live
from garden.core.errors import RuleError
from garden.members import services as members
from garden.members.models import Profile
from garden.members.notifications import email_later, notify

from .models import MAX_BODY, MAX_HIDE_REASON, Follow, Message, Thread
from .targets import target, target_url

EMAIL_INTERVAL = dt.timedelta(minutes=15)
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def _require_member(user) -> None:
    if not members.is_member(user):
        raise RuleError(_("Only members of this garden may do this."), status=403)


def find_thread(kind: str, object_id: int) -> Thread | None:
    return Thread.objects.filter(kind=kind, object_id=object_id).first()


def subject_of(kind: str, object_id: int):
    """The object under which the thread hangs; 404 when it does not exist."""
    obj = target(kind, object_id)
    if obj is None:
        raise RuleError(_("There is nothing to talk about here."), status=404)
    return obj


def _clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise RuleError(_("Write a message first."))
    if len(body) > MAX_BODY:
        raise RuleError(_("A message may be at most %(max)d characters long.") % {"max": MAX_BODY})
    return body


def mentioned(body: str, exclude=None) -> list[User]:
    """Active members named as @username in the text."""
    names = set(MENTION.findall(body))
    if not names:
        return []
    people = members.active_members().filter(user__username__in=names).exclude(user=exclude)
    return [membership.user for membership in people]


def _tell_mentioned(message: Message, people: list[User]) -> None:
    subject = str(subject_of(message.thread.kind, message.thread.object_id))
    url = target_url(message.thread.kind, message.thread.object_id)
    author = members.display_name(message.author)
    for person in people:
        notify(
            person,
            "mention",
            _("%(name)s mentioned you in “%(subject)s”.") % {"name": author, "subject": subject},
            url=url,
        )


@transaction.atomic
def post(kind: str, object_id: int, author, body: str) -> Message:
    _require_member(author)
    subject_of(kind, object_id)
    body = _clean_body(body)
    thread, _created = Thread.objects.get_or_create(kind=kind, object_id=object_id)
    message = Message.objects.create(thread=thread, author=author, body=body)
    Follow.objects.get_or_create(thread=thread, user=author)
    Follow.objects.filter(thread=thread, pending_since__isnull=True).exclude(user=author).update(
        pending_since=message.created_at
    )
    _tell_mentioned(message, mentioned(body, exclude=author))
    live.push_garden("threads", {"kind": kind, "id": object_id})
    return message


def _locked_message(message_id: int) -> Message:
    message = Message.objects.select_for_update().select_related("thread").filter(pk=message_id)
    if not message:
        raise RuleError(_("No such message."), status=404)
    return message[0]


@transaction.atomic
def edit(message_id: int, user, body: str) -> Message:
    _require_member(user)
    message = _locked_message(message_id)
    if message.author_id != user.pk:
        raise RuleError(_("Only the author can edit a message."), status=403)
    if message.hidden:
        raise RuleError(_("A hidden message cannot be edited."), status=409)
    body = _clean_body(body)
    if body == message.body:
        return message
    before = {person.pk for person in mentioned(message.body, exclude=user)}
    message.body, message.edited_at = body, timezone.now()
    message.save(update_fields=["body", "edited_at"])
    _tell_mentioned(message, [p for p in mentioned(body, exclude=user) if p.pk not in before])
    live.push_garden("threads", {"kind": message.thread.kind, "id": message.thread.object_id})
    return message


@transaction.atomic
def hide(message_id: int, coordinator, reason: str) -> Message:
    if not members.is_coordinator(coordinator):
        raise RuleError(_("Only coordinators may hide messages."), status=403)
    reason = reason.strip()
    if not reason:
        raise RuleError(_("Say why the message is hidden."))
    if len(reason) > MAX_HIDE_REASON:
        raise RuleError(_("The reason is too long."))
    message = _locked_message(message_id)
    message.hidden_at, message.hidden_by, message.hidden_reason = (
        timezone.now(),
        coordinator,
        reason,
    )
    message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    live.push_garden("threads", {"kind": message.thread.kind, "id": message.thread.object_id})
    return message


@transaction.atomic
def set_following(kind: str, object_id: int, user, follow: bool) -> bool:
    _require_member(user)
    subject_of(kind, object_id)
    thread, _created = Thread.objects.get_or_create(kind=kind, object_id=object_id)
    if follow:
        Follow.objects.get_or_create(thread=thread, user=user)
    else:
        Follow.objects.filter(thread=thread, user=user).delete()
    return follow


def is_following(kind: str, object_id: int, user) -> bool:
    return Follow.objects.filter(thread__kind=kind, thread__object_id=object_id, user=user).exists()


def send_batched_emails(now: dt.datetime | None = None) -> int:
    """One email per follower and thread with what is new, at most one per 15 minutes."""
    now = now or timezone.now()
    due = Follow.objects.filter(pending_since__isnull=False).filter(
        Q(last_emailed_at__isnull=True) | Q(last_emailed_at__lte=now - EMAIL_INTERVAL)
    )
    return sum(_email_one(pk, now) for pk in due.values_list("pk", flat=True))


@transaction.atomic
def _email_one(follow_id: int, now: dt.datetime) -> int:
    follow = (
        Follow.objects.select_for_update()
        .select_related("thread", "user")
        .filter(pk=follow_id, pending_since__isnull=False)
        .first()
    )
    if follow is None:  # another worker sent it
        return 0
    if follow.last_emailed_at and follow.last_emailed_at > now - EMAIL_INTERVAL:
        return 0
    since = follow.pending_since
    follow.pending_since, follow.last_emailed_at = None, now
    follow.save(update_fields=["pending_since", "last_emailed_at"])
    user, thread = follow.user, follow.thread
    profile = Profile.objects.filter(user=user).first()
    wants = profile is None or profile.email_notifications
    new = list(
        thread.messages.filter(created_at__gte=since, hidden_at__isnull=True)
        .exclude(author=user)
        .select_related("author__profile")
    )
    obj = target(thread.kind, thread.object_id)
    if not (new and wants and user.email and members.is_member(user) and obj is not None):
        return 0
    with translation.override((profile and profile.language) or None):
        subject = _("[Allmende] New messages about “%(subject)s”") % {"subject": str(obj)[:60]}
        lines = [f"{members.display_name(m.author) if m.author else '—'}: {m.body}" for m in new]
        url = f"{settings.ALLMENDE_URL}{target_url(thread.kind, thread.object_id)}"
        footer = _("Read and answer: %(url)s") % {"url": url}
    email_later([user.email], subject, "\n\n".join([*lines, footer]))
    return 1


def export(user) -> list[dict]:
    return list(
        Message.objects.filter(author=user).values(
            "thread__kind", "thread__object_id", "body", "created_at", "edited_at"
        )
    )
