"""The rules of membership, in one place for pages, API and commands."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from garden.core.errors import RuleError

from .models import Garden, Invite, Membership, Profile


class MembershipError(RuleError):
    """A join or role change the garden's rules do not allow; the message says why."""


def get_garden() -> Garden:
    return Garden.objects.get_current()


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
    """The only personal detail that may leave this node."""
    profile = Profile.objects.filter(user=user).first()
    return profile.name if profile else user.get_username()


def active_members(garden: Garden | None = None):
    garden = garden or get_garden()
    return garden.memberships.filter(status=Membership.Status.ACTIVE).select_related("user")


def coordinators(garden: Garden | None = None):
    return active_members(garden).filter(role=Membership.Role.COORDINATOR)


@transaction.atomic
def join(user: AbstractBaseUser, *, accept_rules: bool, invite_code: str = "") -> Membership:
    """Join the garden under its join policy; returns the (maybe pending) membership."""
    garden = Garden.objects.select_for_update().get(pk=get_garden().pk)
    existing = membership_of(user)
    if existing is not None and existing.status != Membership.Status.DECLINED:
        raise MembershipError(_("You have already joined this garden."), status=409)
    if garden.rules and not accept_rules:
        raise MembershipError(_("Please accept the garden rules to join."))

    status = Membership.Status.ACTIVE
    if garden.join_policy == Garden.JoinPolicy.APPROVAL:
        status = Membership.Status.PENDING
    elif garden.join_policy == Garden.JoinPolicy.INVITE:
        used = Invite.objects.filter(
            garden=garden,
            code=invite_code or "",
            uses__lt=F("max_uses"),
            expires_at__gt=timezone.now(),
        ).update(uses=F("uses") + 1)
        if not used:
            raise MembershipError(
                _("This garden can only be joined with a valid invite link."), status=403
            )

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
    if status == Membership.Status.PENDING:
        from .notifications import notify

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
    from .notifications import notify

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
    garden = Garden.objects.select_for_update().get(pk=membership.garden_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise MembershipError(_("Only active members can be given a role."), status=409)
    if (
        membership.role == Membership.Role.COORDINATOR
        and role != Membership.Role.COORDINATOR
        and coordinators(garden).count() <= 1
    ):
        raise MembershipError(
            _("The garden needs at least one coordinator. Appoint another one first."),
            status=409,
        )
    membership.role = role
    membership.decided_by = by
    membership.save(update_fields=["role", "decided_by"])
    return membership


@transaction.atomic
def remove(membership: Membership, *, by) -> None:
    """End a membership (a coordinator removing someone, or someone leaving)."""
    garden = Garden.objects.select_for_update().get(pk=membership.garden_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.is_coordinator and coordinators(garden).count() <= 1:
        raise MembershipError(
            _("The garden needs at least one coordinator. Appoint another one first."),
            status=409,
        )
    membership.delete()
