"""Sharing API: offers and claims, the Nearby feed, tools and loans."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from garden.core.paging import Mapped, VersionedLists
from garden.core.schemas import Date, Input, Number, StrictBool, of, optional
from garden.members.permissions import api_member
from garden.members.services import is_coordinator

from . import services
from .models import MAX_QUANTITY, Claim, Loan, Offer, SharingSettings, Tool

router = Router(tags=["sharing"])
lists = VersionedLists(tags=["sharing"])


class Detail(Schema):
    detail: str


ERRORS = {400: Detail, 403: Detail, 404: Detail, 409: Detail}


class OfferIn(Input):
    crop: of(Offer, "crop")
    quantity: of(Offer, "quantity")
    unit: of(Offer, "unit") = "kg"
    pickup_from: of(Offer, "pickup_from")
    pickup_until: of(Offer, "pickup_until")
    pickup_place: of(Offer, "pickup_place") = ""
    expires_at: of(Offer, "expires_at")
    audience: of(Offer, "audience") = "garden"


class OfferPatch(Input):
    """Only the fields sent change."""

    crop: of(Offer, "crop") = optional()
    quantity: of(Offer, "quantity") = optional()
    unit: of(Offer, "unit") = optional()
    pickup_from: of(Offer, "pickup_from") = optional()
    pickup_until: of(Offer, "pickup_until") = optional()
    pickup_place: of(Offer, "pickup_place") = optional()
    expires_at: of(Offer, "expires_at") = optional()
    audience: of(Offer, "audience") = optional()


class OfferOut(Schema):
    id: int
    crop: str
    quantity: float
    quantity_left: float
    unit: str
    pickup_from: datetime
    pickup_until: datetime
    pickup_place: str
    expires_at: datetime
    audience: str
    status: str
    garden: str
    remote: bool
    distance_km: float | None
    offered_by: str
    photo_url: str
    mine: bool


class ClaimIn(Input):
    quantity: of(Claim, "quantity")


class ClaimOut(Schema):
    id: int
    offer_id: int
    crop: str
    quantity: float
    unit: str
    status: str
    reason: str
    claimant: str
    garden: str
    created_at: datetime


class ToolIn(Input):
    name: of(Tool, "name")
    description: of(Tool, "description") = ""
    condition: of(Tool, "condition") = "good"
    lend_to_members: of(Tool, "lend_to_members") = True
    lend_to_neighbours: of(Tool, "lend_to_neighbours") = False


class Period(Schema):
    start: date
    end: date


class ToolOut(Schema):
    id: int
    name: str
    description: str
    condition: str
    lend_to_members: bool
    lend_to_neighbours: bool
    garden: str
    remote: bool
    distance_km: float | None
    photo_url: str
    booked: list[Period]


class LoanIn(Input):
    start_date: of(Loan, "start_date")
    end_date: of(Loan, "end_date")
    note: of(Loan, "note") = ""


class LoanOut(Schema):
    id: int
    tool_id: int
    tool: str
    tool_garden: str
    borrower: str
    borrower_garden: str
    start_date: date
    end_date: date
    note: str
    status: str
    reason: str
    return_note: str
    overdue: bool


class LoanDecisionIn(Input):
    approve: StrictBool
    reason: of(Loan, "reason") = ""


class ReturnIn(Input):
    condition_note: of(Loan, "return_note") = ""
    condition: of(Tool, "condition", blank=True) = ""


class SettingsIn(Input):
    share_radius_km: of(SharingSettings, "share_radius_km")
    hop_limit: of(SharingSettings, "hop_limit") = optional()
    claims_from_peers_only: StrictBool = optional()


class SettingsOut(Schema):
    share_radius_km: float
    hop_limit: Literal[0, 1]
    claims_from_peers_only: bool


def settings_out(row: SharingSettings) -> dict:
    return {
        "share_radius_km": float(row.share_radius_km),
        "hop_limit": row.hop_limit,
        "claims_from_peers_only": row.claims_from_peers_only,
    }


def _garden_name() -> str:
    from garden.members.services import get_garden

    return get_garden().name


def _photo(request, item) -> str:
    if item.photo:
        return request.build_absolute_uri(item.photo.url)
    return item.photo_url


def offer_out(request, offer: Offer) -> dict:
    return {
        **{name: getattr(offer, name) for name in services.OFFER_FIELDS},
        "id": offer.pk,
        "quantity": float(offer.quantity),
        "quantity_left": float(offer.quantity_left),
        "status": offer.status if offer.is_open or offer.status != "open" else "expired",
        "garden": offer.origin_name if offer.is_remote else _garden_name(),
        "remote": offer.is_remote,
        "distance_km": offer.distance_km if offer.is_remote else 0.0,
        "offered_by": str(offer.offerer_name),
        "photo_url": _photo(request, offer),
        "mine": offer.offered_by_id == request.auth.pk,
    }


def claim_out(claim: Claim) -> dict:
    return {
        "id": claim.pk,
        "offer_id": claim.offer_id,
        "crop": claim.offer.crop,
        "quantity": float(claim.quantity),
        "unit": claim.offer.unit,
        "status": claim.status,
        "reason": claim.reason,
        "claimant": str(claim.claimant_name),
        "garden": claim.garden_name,
        "created_at": claim.created_at,
    }


def tool_out(request, tool: Tool) -> dict:
    return {
        **{name: getattr(tool, name) for name in services.TOOL_FIELDS},
        "id": tool.pk,
        "garden": tool.origin_name if tool.is_remote else _garden_name(),
        "remote": tool.is_remote,
        "distance_km": tool.distance_km if tool.is_remote else 0.0,
        "photo_url": _photo(request, tool),
        "booked": services.upcoming_bookings(tool),
    }


def loan_out(loan: Loan) -> dict:
    return {
        "id": loan.pk,
        "tool_id": loan.tool_id,
        "tool": loan.tool.name,
        "tool_garden": loan.tool.origin_name if loan.tool.is_remote else _garden_name(),
        "borrower": str(loan.borrower_name),
        "borrower_garden": loan.garden_name,
        "start_date": loan.start_date,
        "end_date": loan.end_date,
        "note": loan.note,
        "status": loan.status,
        "reason": loan.reason,
        "return_note": loan.return_note,
        "overdue": loan.is_overdue,
    }


# --- offers ----------------------------------------------------------------------------------


@lists.get(
    "/offers", OfferOut, errors={403: Detail}, legacy_limit=500, summary="Our garden's offers"
)
def list_offers(request, status: Literal["open", "closed", "all"] = "open"):
    """This garden's own offers; `status=open` (default), `closed` or `all`."""
    api_member(request)
    offers = Offer.objects.filter(origin_actor="")
    if status == "open":
        offers = services.open_offers().filter(origin_actor="")
    elif status == "closed":
        offers = offers.exclude(pk__in=services.open_offers().values("pk"))
    offers = offers.select_related("offered_by__profile").order_by("expires_at", "pk")
    return Mapped(offers, lambda offer: offer_out(request, offer))


@router.post("/offers", response={201: OfferOut, **ERRORS}, summary="Offer surplus")
def create_offer(request, payload: OfferIn):
    user = api_member(request)
    offer = services.create_offer(user, **payload.dict())
    return Status(201, offer_out(request, offer))


@router.get("/offers/{offer_id}", response={200: OfferOut, **ERRORS}, summary="One offer")
def get_offer(request, offer_id: int):
    api_member(request)
    return offer_out(request, get_object_or_404(Offer, pk=offer_id))


@router.patch("/offers/{offer_id}", response={200: OfferOut, **ERRORS}, summary="Change an offer")
def patch_offer(request, offer_id: int, payload: OfferPatch):
    user = api_member(request)
    offer = get_object_or_404(Offer, pk=offer_id)
    values = payload.dict(exclude_unset=True)
    return offer_out(request, services.update_offer(user, offer, **values))


@router.delete("/offers/{offer_id}", response={200: OfferOut, **ERRORS}, summary="Withdraw")
def withdraw_offer(request, offer_id: int):
    user = api_member(request)
    offer = get_object_or_404(Offer, pk=offer_id)
    return offer_out(request, services.withdraw_offer(user, offer))


@lists.get("/offers/{offer_id}/claims", ClaimOut, errors=ERRORS, summary="Claims")
def list_claims(request, offer_id: int):
    """All claims for the offerer and coordinators; one's own for everybody else."""
    user = api_member(request)
    offer = get_object_or_404(Offer, pk=offer_id)
    claims = offer.claims.select_related("offer", "claimant__profile")
    if not services.can_manage_offer(user, offer):
        claims = claims.filter(claimant=user)
    return Mapped(claims.order_by("created_at", "pk"), claim_out)


@router.post(
    "/offers/{offer_id}/claims",
    response={201: ClaimOut, 202: ClaimOut, **ERRORS},
    summary="Claim part of an offer (202: the neighbour garden decides)",
)
def create_claim(request, offer_id: int, payload: ClaimIn):
    user = api_member(request)
    offer = get_object_or_404(Offer, pk=offer_id)
    claim = services.claim_offer(user, offer, payload.quantity)
    return Status(202 if claim.status == Claim.Status.PENDING else 201, claim_out(claim))


@lists.get("/claims", ClaimOut, errors={403: Detail}, legacy_limit=500, summary="My claims")
def my_claims(request):
    user = api_member(request)
    claims = Claim.objects.filter(claimant=user).select_related("offer")
    return Mapped(claims.order_by("-created_at", "-pk"), claim_out)


@router.post(
    "/claims/{claim_id}/picked-up", response={200: ClaimOut, **ERRORS}, summary="Picked up"
)
def claim_picked_up(request, claim_id: int):
    user = api_member(request)
    claim = get_object_or_404(Claim, pk=claim_id)
    return claim_out(services.mark_picked_up(user, claim))


@router.post(
    "/claims/{claim_id}/withdraw",
    response={200: ClaimOut, **ERRORS},
    summary="Withdraw my claim (not once picked up)",
)
def claim_withdraw(request, claim_id: int):
    user = api_member(request)
    claim = get_object_or_404(Claim.objects.select_related("offer"), pk=claim_id)
    return claim_out(services.withdraw_claim(user, claim))


class NearbyQuery(Schema):
    crop: Annotated[str, Field(max_length=80)] = ""
    garden: Annotated[
        str, Field(max_length=500, description="here, or a neighbour's actor URL")
    ] = ""
    max_km: Number(0, 20000, body=False) | None = None
    min_left: Number(0, float(MAX_QUANTITY), body=False) | None = None
    pickup_on: Date | None = None


@lists.get("/nearby", OfferOut, errors={403: Detail}, legacy_limit=500, summary="Offers nearby")
def nearby(request, filters: Query[NearbyQuery]):
    """Open offers of this garden and its neighbours, nearest first. `garden` is `here`
    or a neighbour's actor URL."""
    api_member(request)
    offers = services.nearby(services.NearbyFilter(**filters.dict()))
    return Mapped(offers, lambda offer: offer_out(request, offer))


# --- tools and loans -------------------------------------------------------------------------


@lists.get("/tools", ToolOut, errors={403: Detail}, summary="The tool library")
def list_tools(request):
    """Our tools and the neighbours' tools lent to other gardens, nearest first."""
    api_member(request)
    tools = services.with_bookings(services.library())
    return Mapped(tools, lambda tool: tool_out(request, tool))


@router.post("/tools", response={201: ToolOut, **ERRORS}, summary="Add a tool (coordinators)")
def create_tool(request, payload: ToolIn):
    tool = services.create_tool(request.auth, **payload.dict())
    return Status(201, tool_out(request, tool))


@router.get("/tools/{tool_id}", response={200: ToolOut, **ERRORS}, summary="One tool")
def get_tool(request, tool_id: int):
    api_member(request)
    return tool_out(request, get_object_or_404(Tool, pk=tool_id))


@router.put("/tools/{tool_id}", response={200: ToolOut, **ERRORS}, summary="Change a tool")
def update_tool(request, tool_id: int, payload: ToolIn):
    tool = get_object_or_404(Tool, pk=tool_id, origin_actor="")
    return tool_out(request, services.update_tool(request.auth, tool, **payload.dict()))


@router.post(
    "/tools/{tool_id}/loans",
    response={201: LoanOut, 202: LoanOut, **ERRORS},
    summary="Ask to borrow a tool (202: a neighbour garden decides)",
)
def request_loan(request, tool_id: int, payload: LoanIn):
    user = api_member(request)
    tool = get_object_or_404(Tool, pk=tool_id)
    loan = services.request_loan(user, tool, **payload.dict())
    return Status(202 if tool.is_remote else 201, loan_out(loan))


@lists.get("/loans", LoanOut, errors={403: Detail}, summary="Loans", paged_in_v1=True)
def list_loans(request):
    """My loans; for coordinators also every loan of our tools. Newest first, paged."""
    user = api_member(request)
    loans = Loan.objects.select_related("tool", "borrower__profile")
    if is_coordinator(user):
        loans = loans.filter(tool__origin_actor="") | loans.filter(borrower=user)
    else:
        loans = loans.filter(borrower=user)
    return Mapped(loans.order_by("-start_date", "-pk"), loan_out)


def _loan(loan_id: int) -> Loan:
    return get_object_or_404(Loan.objects.select_related("tool"), pk=loan_id)


@router.post("/loans/{loan_id}/decision", response={200: LoanOut, **ERRORS}, summary="Decide")
def decide_loan(request, loan_id: int, payload: LoanDecisionIn):
    loan = services.decide_loan(
        request.auth, _loan(loan_id), approve=payload.approve, reason=payload.reason
    )
    return loan_out(loan)


@router.post("/loans/{loan_id}/lent", response={200: LoanOut, **ERRORS}, summary="Handed over")
def loan_lent(request, loan_id: int):
    return loan_out(services.mark_lent(request.auth, _loan(loan_id)))


@router.post("/loans/{loan_id}/returned", response={200: LoanOut, **ERRORS}, summary="Returned")
def loan_returned(request, loan_id: int, payload: ReturnIn):
    return loan_out(services.mark_returned(request.auth, _loan(loan_id), **payload.dict()))


@router.post("/loans/{loan_id}/cancel", response={200: LoanOut, **ERRORS}, summary="Cancel")
def loan_cancel(request, loan_id: int):
    user = api_member(request)
    return loan_out(services.cancel_loan(user, _loan(loan_id)))


@router.get("/sharing/settings", response={200: SettingsOut, 403: Detail}, summary="Radius")
def get_settings(request):
    api_member(request)
    return settings_out(SharingSettings.load())


@router.put("/sharing/settings", response={200: SettingsOut, **ERRORS}, summary="Set radius")
def put_settings(request, payload: SettingsIn):
    row = services.set_share_radius(
        request.auth,
        payload.share_radius_km,
        hop_limit=payload.hop_limit,
        claims_from_peers_only=payload.claims_from_peers_only,
    )
    return settings_out(row)


class MapGarden(Schema):
    name: str
    latitude: float | None
    longitude: float | None


class MapPeer(MapGarden):
    actor_url: str
    distance_km: float | None


class MapSuggestion(MapPeer):
    id: int
    known_by: int


class MapOffer(Schema):
    id: int
    crop: str
    quantity_left: float
    unit: str
    garden: str
    latitude: float | None
    longitude: float | None
    distance_km: float | None


class MapTiles(Schema):
    url: str
    attribution: str


class MapOut(Schema):
    garden: MapGarden
    peers: list[MapPeer]
    suggestions: list[MapSuggestion]
    offers: list[MapOffer]
    tiles: MapTiles


@router.get("/map", response={200: MapOut, 403: Detail}, summary="Map")
def share_map(request, crop: str = Query("", max_length=80)):
    """Our garden, our peers, gardens suggested to us (coordinators only) and the open offers
    (filtered by crop), each with its position; the tile server the map uses."""
    from .map import map_data

    user = api_member(request)
    return map_data(crop, with_suggestions=is_coordinator(user))
