from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from federation import actors
from garden.core.paging import Mapped, VersionedLists
from garden.core.schemas import (
    DateTimeText,
    Input,
    Int,
    StrictBool,
    UriText,
    choices_of,
    of,
    optional,
)

from . import services
from .account_api import MembershipOut, membership_out
from .account_api import router as account_router
from .models import Announcement, Garden, Invite, Membership
from .permissions import api_coordinator, api_member

router = Router(tags=["garden"])
lists = VersionedLists(tags=["garden"])
router.add_router("", account_router)


class GardenOut(Schema):
    name: str
    description: str
    address: str
    latitude: float | None
    longitude: float | None
    timezone: str
    default_language: str
    join_policy: str
    rules: str
    members: int
    handle: str = Field(description="The garden's fediverse address, `name@host`")
    actor: UriText = Field(description="The garden's ActivityPub actor URL")


class JoinIn(Input):
    accept_rules: StrictBool = False
    invite_code: Annotated[str, Field(max_length=43)] = ""


class Detail(Schema):
    detail: str


@router.get("/garden", response=GardenOut, auth=None, summary="The garden this node runs")
def garden_detail(request):
    garden = services.get_garden()
    computed = {"members", "handle", "actor"}
    return {
        **{f: getattr(garden, f) for f in GardenOut.model_fields if f not in computed},
        "members": services.active_members(garden).count(),
        "handle": actors.handle(),
        "actor": actors.actor_id(),
    }


@router.post(
    "/garden/join",
    response={200: MembershipOut, 202: MembershipOut, 400: Detail, 403: Detail, 409: Detail},
    summary="Join the garden (202 when a coordinator must approve)",
)
def garden_join(request, payload: JoinIn):
    membership = services.join(
        request.auth, accept_rules=payload.accept_rules, invite_code=payload.invite_code
    )
    status = 202 if membership.status == Membership.Status.PENDING else 200
    return Status(status, membership_out(membership))


class GardenPatch(Input):
    """Only the fields sent change; ``latitude``/``longitude`` may be null (no location)."""

    name: of(Garden, "name") = optional()
    description: of(Garden, "description") = optional()
    address: of(Garden, "address") = optional()
    latitude: of(Garden, "latitude") | None = optional()
    longitude: of(Garden, "longitude") | None = optional()
    timezone: of(Garden, "timezone") = optional()
    default_language: of(Garden, "default_language") = optional()
    rules: of(Garden, "rules") = optional()
    join_policy: of(Garden, "join_policy") = optional()


@router.patch(
    "/garden",
    response={200: GardenOut, 400: Detail, 403: Detail},
    summary="Change the garden profile (coordinators)",
)
def garden_update(request, payload: GardenPatch):
    api_coordinator(request)
    services.update_garden(payload.dict(exclude_unset=True))
    return garden_detail(request)


class MemberOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    status: str
    joined_at: DateTimeText


def _member_out(membership: Membership) -> dict:
    return {
        "id": membership.pk,
        "username": membership.user.get_username(),
        "display_name": services.display_name(membership.user),
        **membership_out(membership),
    }


@lists.get("/memberships", MemberOut, errors={403: Detail}, summary="All members")
def membership_list(request):
    api_coordinator(request)
    memberships = services.get_garden().memberships.select_related("user__profile")
    return Mapped(memberships.order_by("status", "joined_at", "pk"), _member_out)


class MembershipDecisionIn(Input):
    approve: StrictBool


class RoleIn(Input):
    role: choices_of(Membership, "role")


def _membership(pk: int) -> Membership:
    return get_object_or_404(Membership, pk=pk)


@router.post(
    "/memberships/{pk}/decision",
    response={200: MemberOut, 403: Detail, 404: Detail, 409: Detail},
    summary="Approve or decline a pending request (coordinators)",
)
def membership_decide(request, pk: int, payload: MembershipDecisionIn):
    by = api_coordinator(request)
    return _member_out(services.decide(_membership(pk), approve=payload.approve, by=by))


@router.post(
    "/memberships/{pk}/role",
    response={200: MemberOut, 403: Detail, 404: Detail, 409: Detail},
    summary="Make someone coordinator or member (coordinators)",
)
def membership_role(request, pk: int, payload: RoleIn):
    by = api_coordinator(request)
    return _member_out(services.set_role(_membership(pk), payload.role, by=by))


@router.delete(
    "/memberships/{pk}",
    response={204: None, 403: Detail, 404: Detail, 409: Detail},
    summary="Remove someone from the garden (coordinators)",
)
def membership_remove(request, pk: int):
    by = api_coordinator(request)
    services.remove(_membership(pk), by=by)
    return Status(204, None)


class InviteIn(Input):
    days: Int(1, services.INVITE_MAX_DAYS) = 14
    max_uses: Int(1, services.INVITE_MAX_USES) = 1


class InviteOut(Schema):
    id: int
    url: UriText
    code: str
    expires_at: DateTimeText
    max_uses: int
    uses: int
    valid: bool


def _invite_out(invite: Invite) -> dict:
    return {
        "id": invite.pk,
        "url": services.invite_url(invite),
        "code": invite.code,
        "expires_at": invite.expires_at.isoformat(),
        "max_uses": invite.max_uses,
        "uses": invite.uses,
        "valid": invite.is_valid,
    }


@lists.get("/invites", InviteOut, errors={403: Detail}, summary="Invite links")
def invite_list(request):
    api_coordinator(request)
    return Mapped(services.get_garden().invites.order_by("-created_at", "-pk"), _invite_out)


@router.post(
    "/invites", response={201: InviteOut, 400: Detail, 403: Detail}, summary="Make an invite link"
)
def invite_create(request, payload: InviteIn):
    by = api_coordinator(request)
    invite = services.create_invite(by=by, days=payload.days, max_uses=payload.max_uses)
    return Status(201, _invite_out(invite))


@router.delete(
    "/invites/{pk}", response={204: None, 403: Detail, 404: Detail}, summary="Revoke an invite"
)
def invite_revoke(request, pk: int):
    api_coordinator(request)
    services.revoke_invite(get_object_or_404(Invite, pk=pk))
    return Status(204, None)


class AnnouncementIn(Input):
    title: of(Announcement, "title")
    body: of(Announcement, "body")
    public: StrictBool = False


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    author: str
    public: bool
    created_at: DateTimeText


def _announcement_out(a: Announcement) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "body": a.body,
        "author": services.display_name(a.author) if a.author else "",
        "public": a.public,
        "created_at": a.created_at.isoformat(),
    }


@lists.get(
    "/announcements",
    AnnouncementOut,
    errors={403: Detail},
    legacy_limit=50,
    summary="Announcements",
)
def announcement_list(request):
    api_member(request)
    items = services.get_garden().announcements.select_related("author__profile")
    return Mapped(items.order_by("-created_at", "-pk"), _announcement_out)


@router.post(
    "/announcements",
    response={201: AnnouncementOut, 400: Detail, 403: Detail},
    summary="Post an announcement, emailed to members who opt in (coordinators)",
)
def announcement_create(request, payload: AnnouncementIn):
    by = api_coordinator(request)
    announcement = services.post_announcement(
        author=by, title=payload.title, body=payload.body, public=payload.public
    )
    return Status(201, _announcement_out(announcement))


@router.delete(
    "/announcements/{pk}",
    response={204: None, 403: Detail, 404: Detail},
    summary="Delete an announcement (coordinators)",
)
def announcement_delete(request, pk: int):
    api_coordinator(request)
    services.delete_announcement(get_object_or_404(Announcement, pk=pk))
    return Status(204, None)
