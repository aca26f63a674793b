from ninja import Router, Schema, Status

from . import services
from .models import Membership

router = Router(tags=["garden"])


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


class JoinIn(Schema):
    accept_rules: bool = False
    invite_code: str = ""


class MembershipOut(Schema):
    role: str
    status: str
    joined_at: str


class MeOut(Schema):
    username: str
    display_name: str
    email: str
    language: str
    membership: MembershipOut | None


class Detail(Schema):
    detail: str


def _membership_out(membership: Membership | None) -> dict | None:
    if membership is None:
        return None
    return {
        "role": membership.role,
        "status": membership.status,
        "joined_at": membership.joined_at.isoformat(),
    }


@router.get("/garden", response=GardenOut, auth=None, summary="The garden this node runs")
def garden_detail(request):
    garden = services.get_garden()
    return {
        **{f: getattr(garden, f) for f in GardenOut.model_fields if f != "members"},
        "members": services.active_members(garden).count(),
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
    return Status(status, _membership_out(membership))


@router.get("/me", response=MeOut, summary="Who I am here")
def me(request):
    user = request.auth
    profile = user.profile
    return {
        "username": user.get_username(),
        "display_name": profile.name,
        "email": user.email,
        "language": profile.language or "",
        "membership": _membership_out(services.membership_of(user)),
    }
