"""``/api/v1/peers``: coordinators list, add and answer neighbour gardens."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from . import discovery
from . import peers as services
from .errors import FederationError
from .models import Delivery, Peer, Suggestion
from .registry import is_admin


class Detail(Schema):
    detail: str


ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}

router = Router(tags=["federation"])

# federation does not import garden.core; the same declaration as its DateTimeText.
DateTimeAnswer = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class PeerOut(Schema):
    id: int
    actor_url: Annotated[str, Field(json_schema_extra={"format": "uri"})]
    name: str
    handle: str
    state: str
    distance_km: float | None
    last_success_at: DateTimeAnswer | None
    failing_since: DateTimeAnswer | None
    queued: int
    failed: int


class PeerIn(Schema):
    model_config = ConfigDict(extra="forbid")  # like every request body (docs/api.md)

    address: Annotated[
        str,
        Field(
            min_length=1,
            max_length=2048,
            description="The garden's web address (https://…) or its @name@host",
        ),
    ]


def _admin(request):
    if not is_admin(request.auth):
        raise HttpError(403, "Only coordinators of this garden may manage peers.")
    return request.auth


def _out(peer: Peer) -> dict:
    counts = {
        state: peer.deliveries.filter(state=state).count()
        for state in (Delivery.State.QUEUED, Delivery.State.SENDING, Delivery.State.FAILED)
    }
    distance = peer.distance_km
    return {
        "id": peer.pk,
        "actor_url": peer.actor_url,
        "name": peer.name,
        "handle": peer.handle,
        "state": peer.state,
        "distance_km": round(distance, 1) if distance is not None else None,
        "last_success_at": peer.last_success_at.isoformat() if peer.last_success_at else None,
        "failing_since": peer.failing_since.isoformat() if peer.failing_since else None,
        "queued": counts[Delivery.State.QUEUED] + counts[Delivery.State.SENDING],
        "failed": counts[Delivery.State.FAILED],
    }


def _act(request, peer_id: int, service):
    _admin(request)
    peer = get_object_or_404(Peer, pk=peer_id)
    try:
        return _out(service(peer))
    except FederationError as exc:
        raise HttpError(409 if exc.status in (400, 422) else exc.status, exc.message) from exc


# GET /peers: registered by garden/api.py (an array in v1, paged in v2).
def list_peers(request) -> list[dict]:
    """The neighbour gardens, in every state."""
    _admin(request)
    return [_out(peer) for peer in Peer.objects.all()]


@router.post("/peers", response={201: PeerOut})
def add_peer(request, payload: PeerIn):
    _admin(request)
    try:
        peer = services.request_peering(payload.address)
    except FederationError as exc:
        # Reachable or not, the address was well-formed: a refusal is a 409 (docs/api.md).
        raise HttpError(
            exc.status if exc.status not in (400, 422) and exc.status < 500 else 409, exc.message
        ) from exc
    return Status(201, _out(peer))


@router.post("/peers/{peer_id}/accept", response=PeerOut)
def accept_peer(request, peer_id: int):
    return _act(request, peer_id, services.accept)


@router.post("/peers/{peer_id}/reject", response=PeerOut)
def reject_peer(request, peer_id: int):
    return _act(request, peer_id, services.reject)


@router.post("/peers/{peer_id}/block", response=PeerOut)
def block_peer(request, peer_id: int):
    return _act(request, peer_id, services.block)


@router.post("/peers/{peer_id}/unblock", response=PeerOut)
def unblock_peer(request, peer_id: int):
    return _act(request, peer_id, services.unblock)


@router.post("/peers/{peer_id}/end", response=PeerOut)
def end_peer(request, peer_id: int):
    return _act(request, peer_id, services.end)


class SuggestionOut(Schema):
    id: int
    actor_url: str
    name: str
    latitude: float | None
    longitude: float | None
    distance_km: float | None
    known_by: int = Field(..., ge=0, description="how many of our peers list this garden")
    introduced_by: str


class SuggestionPage(Schema):
    items: list[SuggestionOut]
    count: int


class IntroductionIn(Schema):
    peer_id: int = Field(..., ge=1, le=2**31 - 1)
    to_peer_id: int = Field(..., ge=1, le=2**31 - 1)


def suggestion_out(suggestion: Suggestion) -> dict:
    distance = suggestion.distance_km
    return {
        "id": suggestion.pk,
        "actor_url": suggestion.actor_url,
        "name": suggestion.name,
        "latitude": suggestion.latitude,
        "longitude": suggestion.longitude,
        "distance_km": round(distance, 1) if distance is not None else None,
        "known_by": len(suggestion.known_by or []),
        "introduced_by": suggestion.introduced_by,
    }


@router.get("/suggestions", response={200: SuggestionPage, 403: Detail})
def list_suggestions(
    request,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=2**31 - 1),
    refresh: bool = False,
):
    """Gardens near you: listed by our peers (or introduced by one), not peered, not blocked;
    nearest first. ``refresh=true`` reads the peers' lists now."""
    _admin(request)
    if refresh:
        discovery.refresh()
    rows = discovery.open_suggestions()
    return {"items": [suggestion_out(s) for s in rows[offset : offset + limit]], "count": len(rows)}


def _open_suggestion(suggestion_id: int) -> Suggestion:
    return get_object_or_404(Suggestion, pk=suggestion_id, state=Suggestion.State.OPEN)


@router.post("/suggestions/{suggestion_id}/peer", response={201: PeerOut, **ERRORS})
def peer_with_suggestion(request, suggestion_id: int):
    """One click: send the suggested garden a peering request."""
    _admin(request)
    try:
        peer = discovery.peer_with(_open_suggestion(suggestion_id))
    except FederationError as exc:
        raise HttpError(exc.status if exc.status < 500 else 400, exc.message) from exc
    return Status(201, _out(peer))


@router.post("/suggestions/{suggestion_id}/dismiss", response={200: SuggestionOut, **ERRORS})
def dismiss_suggestion(request, suggestion_id: int):
    _admin(request)
    return suggestion_out(discovery.dismiss(_open_suggestion(suggestion_id)))


@router.post("/peers/introduce", response={204: None, **ERRORS})
def introduce_peers(request, payload: IntroductionIn):
    """Recommend two of our peers to each other."""
    _admin(request)
    first = get_object_or_404(Peer, pk=payload.peer_id)
    second = get_object_or_404(Peer, pk=payload.to_peer_id)
    try:
        discovery.introduce(first, second)
    except FederationError as exc:
        raise HttpError(exc.status, exc.message) from exc
    return Status(204, None)
