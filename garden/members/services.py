"""The rules of membership, in one place for pages, API and commands."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from garden.core import live
from garden.core.errors import RuleError

from .models import Announcement, Garden, Invite, Membership, Profile
from .notifications import email_later, notify


class MembershipError(RuleError):
    """A join or role change the garden's rules do not allow; the message says why."""


LAST_COORDINATOR = gettext_lazy(
    "The garden needs at least one coordinator. Appoint another one first."
)


# The garden, read once per request: nearly every page and API row asks for it (its name,
# time zone, language), and a list of 500 loans would otherwise read it 1,500 times.
# Set by RequestGardenMiddleware for the length of one request; None outside requests
# (services, tasks and tests then read the row each time). Emptied when a Garden is saved.
_request_garden: ContextVar[dict | None] = ContextVar("request_garden", default=None)


def get_garden() -> Garden:
    cache = _request_garden.get()
    if cache is None:
        return Garden.objects.get_current()
    if "garden" not in cache:
        cache["garden"] = Garden.objects.get_current()
    return cache["garden"]


@contextmanager
def garden_read_once() -> Iterator[None]:
    """Within the block, get_garden() reads the database at most once (until a save)."""
    token = _request_garden.set({})
    try:
        yield
    finally:
        _request_garden.reset(token)


def forget_cached_garden() -> None:
    cache = _request_garden.get()
    if cache is not None:
        cache.clear()


def membership_of(user) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def is_member(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.is_active


def is_coordinator(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.is_coordinator


def display_name(user) -> str:
    """The name shown for a person on this node's pages (the username if they set none).
    Activities to other gardens use the display name only; see garden/sharing."""
    try:
        profile = user.profile  # loaded with the user when the query select_related it
    except Profile.DoesNotExist:
        return user.get_username()
    return profile.name


def active_members(garden: Garden | None = None):
    garden = garden or get_garden()
    return garden.memberships.filter(status=Membership.Status.ACTIVE).select_related("user")


def coordinators(garden: Garden | None = None):
    return active_members(garden).filter(role=Membership.Role.COORDINATOR)


def _use_invite(garden: Garden, code: str) -> bool:
    """Spend one use of a valid invite; the UPDATE settles races between joiners."""
    if not code:
        return False
    return bool(
        Invite.objects.filter(
            garden=garden, code=code, uses__lt=F("max_uses"), expires_at__gt=timezone.now()
        ).update(uses=F("uses") + 1)
    )


@transaction.atomic
def join(user: AbstractBaseUser, *, accept_rules: bool, invite_code: str = "") -> Membership:
    """Join the garden under its join policy; returns the (maybe pending) membership."""
    garden = lock_garden()
    existing = membership_of(user)
    if existing is not None and existing.status != Membership.Status.DECLINED:
        raise MembershipError(_("You have already joined this garden."), status=409)
    if garden.rules and not accept_rules:
        raise MembershipError(_("Please accept the garden rules to join."))

    status = Membership.Status.ACTIVE
    if garden.join_policy != Garden.JoinPolicy.OPEN:
        invited = _use_invite(garden, invite_code)
        if garden.join_policy == Garden.JoinPolicy.APPROVAL and not invited:
            status = Membership.Status.PENDING
        elif garden.join_policy == Garden.JoinPolicy.INVITE and not invited:
            message = (
                _("This invite link has expired or has been used up. Please ask for a new one.")
                if invite_code
                else _("This garden can only be joined with an invite link from a coordinator.")
            )
            raise MembershipError(message, status=403)

    membership, _created = Membership.objects.update_or_create(
        user=user,
        defaults={
            "garden": garden,
            "status": status,
            "role": Membership.Role.MEMBER,
            "rules_accepted_at": timezone.now() if accept_rules else None,
            "joined_at": timezone.now(),
            "decided_by": None,
        },
    )
    live.push_garden("members", {"id": membership.pk})
    if status == Membership.Status.PENDING:
        for coordinator in coordinators(garden):
            notify(
                coordinator.user,
                "membership_request",
                _("%(name)s asks to join the garden.") % {"name": display_name(user)},
                url="/members/",
            )
    return membership


@transaction.atomic
def decide(membership: Membership, *, approve: bool, by) -> Membership:
    """A coordinator approves or declines a pending membership."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.PENDING:
        raise MembershipError(_("This request has already been decided."), status=409)
    membership.status = Membership.Status.ACTIVE if approve else Membership.Status.DECLINED
    membership.decided_by = by
    membership.save(update_fields=["status", "decided_by"])
    live.push_garden("members", {"id": membership.pk})
    notify(
        membership.user,
        "membership_decided",
        _("Welcome! Your membership was approved.")
        if approve
        else _("Your request to join the garden was declined."),
        url="/",
    )
    return membership


@transaction.atomic
def set_role(membership: Membership, role: str, *, by) -> Membership:
    """Make someone coordinator or member; a garden always keeps one coordinator."""
    if role not in Membership.Role.values:
        raise MembershipError(_("Unknown role."))
    garden = lock_garden(membership.garden_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise MembershipError(_("Only active members can be given a role."), status=409)
    if role != Membership.Role.COORDINATOR:
        ensure_other_coordinator(garden, membership, LAST_COORDINATOR)
    membership.role = role
    membership.decided_by = by
    membership.save(update_fields=["role", "decided_by"])
    live.push_garden("members", {"id": membership.pk})
    return membership


@transaction.atomic
def remove(membership: Membership, *, by) -> None:
    """End a membership (a coordinator removing someone, or someone leaving)."""
    garden = lock_garden(membership.garden_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    ensure_other_coordinator(garden, membership, LAST_COORDINATOR)
    membership.delete()
    live.push_garden("members", {"id": membership.pk})


def lock_garden(garden_id: int | None = None) -> Garden:
    return Garden.objects.select_for_update().get(pk=garden_id or get_garden().pk)


def ensure_other_coordinator(garden: Garden, membership: Membership | None, message) -> None:
    """Refuse a change that would leave the garden without an active coordinator."""
    if membership is not None and membership.is_coordinator:
        if not coordinators(garden).exclude(pk=membership.pk).exists():
            raise MembershipError(message, status=409)


@transaction.atomic
def appoint_coordinator(user) -> Membership:
    """Make a user an active coordinator, whatever their membership was (operators' command)."""
    garden = lock_garden()
    membership, _created = Membership.objects.update_or_create(
        user=user,
        defaults={
            "garden": garden,
            "role": Membership.Role.COORDINATOR,
            "status": Membership.Status.ACTIVE,
        },
    )
    return membership


GARDEN_SETTINGS = (
    "name",
    "description",
    "address",
    "latitude",
    "longitude",
    "timezone",
    "default_language",
    "rules",
    "join_policy",
)


@transaction.atomic
def update_garden(changes: dict) -> Garden:
    """Change the garden profile; every field is validated before anything is saved."""
    unknown = set(changes) - set(GARDEN_SETTINGS)
    if unknown:
        raise RuleError(_("Unknown setting: %(names)s") % {"names": ", ".join(sorted(unknown))})
    empty = sorted(
        k for k, v in changes.items() if v is None and not Garden._meta.get_field(k).null
    )
    if empty:  # full_clean lets None through on blank fields; the database would refuse it
        raise RuleError(_("These settings cannot be null: %(names)s") % {"names": ", ".join(empty)})
    garden = lock_garden()
    for field, value in changes.items():
        setattr(garden, field, value)
    try:
        garden.full_clean(exclude=["created_at"])
    except ValidationError as error:
        raise RuleError(_validation_message(error)) from error
    garden.save()
    live.push_garden("garden", {"id": garden.pk})
    return garden


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


INVITE_MAX_DAYS = 90
INVITE_MAX_USES = 500


def create_invite(*, by, days: int, max_uses: int) -> Invite:
    if not 1 <= days <= INVITE_MAX_DAYS:
        raise RuleError(
            _("An invite link is valid for 1 to %(max)d days.") % {"max": INVITE_MAX_DAYS}
        )
    if not 1 <= max_uses <= INVITE_MAX_USES:
        raise RuleError(
            _("An invite link may be used by 1 to %(max)d people.") % {"max": INVITE_MAX_USES}
        )
    return Invite.objects.create(
        garden=get_garden(),
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
        max_uses=max_uses,
    )


def invite_url(invite: Invite) -> str:
    return f"{settings.ALLMENDE_URL}{reverse('join')}?invite={invite.code}"


def revoke_invite(invite: Invite) -> None:
    invite.delete()


@transaction.atomic
def post_announcement(*, author, title: str, body: str, public: bool = False) -> Announcement:
    """Publish an announcement and email it to members who asked for that; a public one
    also goes to the garden's followers (naming the garden, not the author)."""
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise RuleError(_("An announcement needs a title and a text."))
    if len(title) > Announcement._meta.get_field("title").max_length:
        raise RuleError(_("The title is too long."))
    garden = get_garden()
    announcement = Announcement.objects.create(
        garden=garden, author=author, title=title, body=body, public=public
    )
    from garden.posts import services as posts

    posts.announcement_posted(announcement)
    recipients = (
        active_members(garden)
        .filter(user__profile__email_announcements=True, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    subject = f"[{garden.name}] {title}"
    text = f"{body}\n\n— {display_name(author)}\n{settings.ALLMENDE_URL}{reverse('home')}"
    for address in recipients:
        # One message each, so members never see each other's addresses.
        email_later([address], subject, text)
    live.push_garden("announcements", {"id": announcement.pk})
    return announcement


@transaction.atomic
def delete_announcement(announcement: Announcement) -> None:
    from garden.posts import services as posts

    announcement_id = announcement.pk
    posts.announcement_deleted(announcement)
    announcement.delete()
    live.push_garden("announcements", {"id": announcement_id})
