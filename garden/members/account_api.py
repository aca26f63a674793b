"""The API for one's own account: profile, tokens, data download, deletion."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from garden.core.paging import Mapped, VersionedLists
from garden.core.schemas import DateTimeText, Input, of, optional

from . import accounts, services
from .exports import export_user_data
from .forms import ProfileForm
from .models import ApiToken, Membership, Profile

router = Router(tags=["me"])
lists = VersionedLists(tags=["garden", "me"])  # "garden": the members router mounts this one


class Detail(Schema):
    detail: str


class ProfilePatch(Input):
    """Only the fields sent change; ``language`` "" follows the browser."""

    display_name: of(Profile, "display_name") = optional()
    language: of(Profile, "language") = optional()
    email_announcements: of(Profile, "email_announcements") = optional()
    email_notifications: of(Profile, "email_notifications") = optional()


class ProfileOut(Schema):
    display_name: str
    language: str
    email_announcements: bool
    email_notifications: bool


def _profile_out(profile) -> dict:
    return {field: getattr(profile, field) for field in ProfileOut.model_fields}


class MembershipOut(Schema):
    role: str
    status: str
    joined_at: DateTimeText


def membership_out(membership: Membership | None) -> dict | None:
    if membership is None:
        return None
    return {
        "role": membership.role,
        "status": membership.status,
        "joined_at": membership.joined_at.isoformat(),
    }


class MeOut(Schema):
    username: str
    display_name: str
    email: str
    language: str
    membership: MembershipOut | None


@router.get("/me", response=MeOut, summary="Who I am here")
def me(request):
    user = request.auth
    return {
        "username": user.get_username(),
        "display_name": user.profile.name,
        "email": user.email,
        "language": user.profile.language or "",
        "membership": membership_out(services.membership_of(user)),
    }


@router.patch("/me", response={200: ProfileOut, 409: Detail}, summary="Change my profile")
def profile_update(request, payload: ProfilePatch):
    profile = request.auth.profile
    data = {**_profile_out(profile), **payload.dict(exclude_unset=True)}
    # The same form as the profile page, so both validate alike.
    form = ProfileForm(data, instance=profile)
    if not form.is_valid():
        message = " ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
        return Status(409, {"detail": message})
    form.save()
    return _profile_out(profile)


@router.get("/me/export", summary="Everything this node holds about me (JSON)")
def data_export(request):
    return export_user_data(request.auth)


class DeleteIn(Input):
    confirmation: Annotated[str, Field(min_length=1, max_length=4096)]


@router.post(
    "/me/delete",
    response={204: None, 400: Detail, 409: Detail},
    summary="Delete my account; confirm with my password or username",
)
def account_delete(request, payload: DeleteIn):
    accounts.delete_account(request.auth, payload.confirmation)
    return Status(204, None)


class TokenIn(Input):
    label: of(ApiToken, "label") = ""


class TokenOut(Schema):
    id: int
    label: str
    prefix: str
    created_at: DateTimeText
    last_used_at: DateTimeText | None


class NewTokenOut(TokenOut):
    secret: str


def _token_out(token) -> dict:
    return {
        "id": token.pk,
        "label": token.label,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at and token.last_used_at.isoformat(),
    }


@lists.get("/me/tokens", TokenOut, summary="My API tokens")
def token_list(request):
    return Mapped(request.auth.api_tokens.order_by("-created_at", "-pk"), _token_out)


@router.post(
    "/me/tokens",
    response={201: NewTokenOut, 400: Detail},
    summary="Make an API token; its secret is in this answer only",
)
def token_create(request, payload: TokenIn):
    token, secret = accounts.create_api_token(request.auth, payload.label)
    return Status(201, {**_token_out(token), "secret": secret})


@router.delete("/me/tokens/{pk}", response={204: None, 404: Detail}, summary="Revoke a token")
def token_revoke(request, pk: int):
    get_object_or_404(request.auth.api_tokens, pk=pk).delete()
    return Status(204, None)
