"""Replies from the fediverse under our public offers and announcements; coordinators
hide or show them again."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from garden.core.paging import VersionedLists
from garden.members.models import Announcement
from garden.members.permissions import api_member
from garden.members.services import is_coordinator
from garden.sharing.models import Offer

from . import services
from .models import Reply

router = Router(tags=["public posts"])
lists = VersionedLists(tags=["public posts"])


class Detail(Schema):
    detail: str


class ReplyOut(Schema):
    id: int
    author_name: str
    author_handle: str
    actor_url: str
    content: str
    published: datetime | None
    hidden: bool


class HiddenIn(Schema):
    hidden: bool = True


def _replies(request, owner) -> list[Reply]:
    user = api_member(request)
    return services.replies_for(owner, user if is_coordinator(user) else None)


@lists.get(
    "/offers/{offer_id}/replies",
    ReplyOut,
    summary="Replies from the fediverse to a public offer (coordinators also see hidden ones)",
    paged_in_v1=True,
)
def offer_replies(request, offer_id: int):
    return _replies(request, get_object_or_404(Offer, pk=offer_id, origin_actor=""))


@lists.get(
    "/announcements/{pk}/replies",
    ReplyOut,
    summary="Replies from the fediverse to a public announcement",
    paged_in_v1=True,
)
def announcement_replies(request, pk: int):
    return _replies(request, get_object_or_404(Announcement, pk=pk))


@router.post(
    "/replies/{reply_id}/hide",
    response={200: ReplyOut, 403: Detail, 404: Detail},
    summary="Hide a reply (hidden=false shows it again; coordinators)",
)
def reply_hide(request, reply_id: int, payload: HiddenIn):
    user = api_member(request)
    return services.set_hidden(user, get_object_or_404(Reply, pk=reply_id), payload.hidden)
