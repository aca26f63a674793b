"""``/api/v1/followers``: coordinators list and remove the people following the garden.

The rules live in federation/followers.py; this is the garden's API over them (here rather
than in federation/api.py so that it pages like every other list of this API).
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from federation import followers as services
from federation.errors import FederationError
from federation.models import Follower
from federation.registry import is_admin
from garden.core.errors import RuleError
from garden.core.paging import VersionedLists

router = Router(tags=["federation"])
lists = VersionedLists(tags=["federation"])


class Detail(Schema):
    detail: str


class FollowerOut(Schema):
    id: int
    actor_url: str
    name: str
    handle: str
    server: str
    state: Follower.State
    created_at: datetime


def _coordinator(request) -> None:
    if not is_admin(request.auth):
        raise RuleError("Only coordinators of this garden may manage followers.", status=403)


@lists.get(
    "/followers",
    FollowerOut,
    summary="People and accounts following the garden's public posts (coordinators)",
    paged_in_v1=True,
)
def follower_list(request):
    _coordinator(request)
    return Follower.objects.order_by("-created_at", "-pk")


@router.delete(
    "/followers/{follower_id}",
    response={204: None, 403: Detail, 404: Detail, 409: Detail},
    summary="Remove a follower: it is sent a Reject and gets no more posts (coordinators)",
)
def follower_remove(request, follower_id: int):
    _coordinator(request)
    follower = get_object_or_404(Follower, pk=follower_id)
    try:
        services.remove(follower)
    except FederationError as exc:
        raise RuleError(exc.message, status=exc.status) from exc
    return Status(204, None)
