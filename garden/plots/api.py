"""/api/v1/plots and /api/v1/waitlist: the same rules as the pages, as JSON."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from garden.core.paging import VersionedLists
from garden.core.schemas import Input, of
from garden.members.permissions import api_member
from garden.members.services import is_coordinator

from . import services
from .models import Plot, PlotEvent, Tenancy

router = Router(tags=["plots"])
lists = VersionedLists(tags=["plots"])


class Detail(Schema):
    detail: str


class PlotOut(Schema):
    id: int
    label: str
    area_m2: float
    description: str
    x: int
    y: int
    width: int
    height: int
    status: str
    mine: bool
    held_by: str | None
    offer_expires_at: datetime | None


class TenancyOut(Schema):
    plot: PlotOut
    status: str
    started_at: datetime | None


class WaitlistEntryOut(Schema):
    position: int
    joined_at: datetime
    status: str
    mine: bool
    name: str | None


class WaitlistOut(Schema):
    my_position: int | None
    entries: list[WaitlistEntryOut]


class ReleaseIn(Input):
    reason: of(PlotEvent, "reason") = ""


ERRORS = {403: Detail, 404: Detail, 409: Detail}


def _plot_out(plot: Plot, user, current: Tenancy | None) -> dict:
    mine = current is not None and current.user_id == user.pk
    held_by = None
    if current is not None and current.status != Tenancy.Status.OFFERED:
        held_by = services.display_name(current.user)
    return {
        "id": plot.pk,
        "label": plot.label,
        "area_m2": float(plot.area_m2),
        "description": plot.description,
        "x": plot.x,
        "y": plot.y,
        "width": plot.width,
        "height": plot.height,
        "status": plot.status,
        "mine": mine,
        "held_by": held_by,
        "offer_expires_at": current.offer_expires_at if mine else None,
    }


@lists.get("/plots", PlotOut, errors={403: Detail}, summary="All plots")
def list_plots(request):
    user = api_member(request)
    services.expire_offers()
    current = {
        t.plot_id: t
        for t in Tenancy.objects.filter(status__in=Tenancy.CURRENT).select_related("user__profile")
    }
    return [_plot_out(plot, user, current.get(plot.pk)) for plot in Plot.objects.all()]


@router.get("/plots/{plot_id}", response={200: PlotOut, **ERRORS}, summary="One plot")
def get_plot(request, plot_id: int):
    user = api_member(request)
    plot = get_object_or_404(Plot, pk=plot_id)
    return _plot_out(plot, user, services.current_tenancy(plot))


def _tenancy_out(tenancy: Tenancy, user) -> dict:
    plot = Plot.objects.get(pk=tenancy.plot_id)
    current = services.current_tenancy(plot)
    return {
        "plot": _plot_out(plot, user, current),
        "status": tenancy.status,
        "started_at": tenancy.started_at,
    }


@router.post(
    "/plots/{plot_id}/claim",
    response={200: TenancyOut, 202: TenancyOut, **ERRORS},
    summary="Claim a free plot (or accept the plot offered to me)",
    description="200: the plot is yours. 202: a coordinator must approve. "
    "409: the plot is taken, or you hold as many plots as allowed.",
)
def claim_plot(request, plot_id: int):
    user = api_member(request)
    plot = get_object_or_404(Plot, pk=plot_id)
    if plot.tenancies.filter(user=user, status=Tenancy.Status.OFFERED).exists():
        tenancy = services.accept_offer(user, plot_id)
    else:
        tenancy = services.claim(user, plot_id)
    status = 202 if tenancy.status == Tenancy.Status.PENDING else 200
    return Status(status, _tenancy_out(tenancy, user))


@router.post(
    "/plots/{plot_id}/release",
    response={200: TenancyOut, **ERRORS},
    summary="Give my plot back (withdraws a pending claim, refuses an offer)",
)
def release_plot(request, plot_id: int, payload: ReleaseIn | None = None):
    user = api_member(request)
    plot = get_object_or_404(Plot, pk=plot_id)
    if plot.tenancies.filter(user=user, status=Tenancy.Status.OFFERED).exists():
        tenancy = services.refuse_offer(user, plot_id)
    else:
        tenancy = services.release(user, plot_id, payload.reason if payload else "")
    return _tenancy_out(tenancy, user)


def _waitlist_out(user) -> dict:
    coordinator = is_coordinator(user)
    entries = [
        {
            "position": number,
            "joined_at": entry.joined_at,
            "status": entry.status,
            "mine": entry.user_id == user.pk,
            "name": entry.user.profile.name if coordinator else None,
        }
        for number, entry in enumerate(services.open_entries(), start=1)
    ]
    mine = [e["position"] for e in entries if e["mine"]]
    return {"my_position": mine[0] if mine else None, "entries": entries}


@router.get(
    "/waitlist",
    response={200: WaitlistOut, 403: Detail},
    summary="The waitlist: positions and join dates (names for coordinators only)",
)
def get_waitlist(request):
    return _waitlist_out(api_member(request))


@router.post(
    "/waitlist",
    response={201: WaitlistOut, **ERRORS},
    summary="Join the waitlist (409 if already on it, a plot is free, or at the limit)",
)
def join_waitlist(request):
    user = api_member(request)
    services.join_waitlist(user)
    return Status(201, _waitlist_out(user))


@router.delete(
    "/waitlist",
    response={204: None, **ERRORS},
    summary="Leave the waitlist (404 if not on it)",
)
def leave_waitlist(request):
    services.leave_waitlist(api_member(request))
    return Status(204, None)
