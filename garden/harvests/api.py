"""/api/v1/harvests: list, log, change and sum up harvests; import CSV."""

import datetime
from decimal import Decimal
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from garden.core.errors import RuleError
from garden.core.paging import VersionedLists
from garden.core.schemas import (
    BodyId,
    Bool,
    Date,
    DecimalNumber,
    Id,
    Input,
    Int,
    of,
    optional,
)
from garden.members.permissions import api_member
from garden.members.services import get_garden, is_coordinator

from . import csvio, services, totals
from .models import Crop, HarvestLog

router = Router(tags=["harvests"])
lists = VersionedLists(tags=["harvests"])


class Detail(Schema):
    detail: str


class CropOut(Schema):
    id: int
    name: str


class CropIn(Input):
    name: of(Crop, "name")


class HarvestOut(Schema):
    id: int
    crop_id: int
    crop: str
    date: datetime.date
    quantity: Decimal
    unit: str
    grams: int
    pieces: int
    bunches: int
    plot: str
    plot_id: int | None
    donated_to: str
    note: str
    harvested_by: str | None
    mine: bool


# More than zero, at most services.MAX_QUANTITY; grams are rounded to whole grams.
Quantity = DecimalNumber(3, Decimal("0.001"), services.MAX_QUANTITY)
Season = Int(1900, 9000, body=False)


class HarvestIn(Input):
    """Name the crop by ``crop_id`` or by ``crop`` (a name on the crop list)."""

    crop_id: BodyId | None = None
    crop: of(Crop, "name") | None = None
    quantity: Quantity
    unit: of(HarvestLog, "unit")
    date: Date | None = None
    plot: of(HarvestLog, "plot_label") = ""
    donated_to: of(HarvestLog, "donated_to") = ""
    note: of(HarvestLog, "note") = ""


class HarvestPatch(Input):
    """Only the fields sent change."""

    crop_id: BodyId = optional()
    crop: of(Crop, "name") = optional()
    quantity: Quantity = optional()
    unit: of(HarvestLog, "unit") = optional()
    date: Date = optional()
    plot: of(HarvestLog, "plot_label") = optional()
    donated_to: of(HarvestLog, "donated_to") = optional()
    note: of(HarvestLog, "note") = optional()


class HarvestFilter(Schema):
    scope: Literal["mine", "garden"] = "mine"
    season: Season | None = None
    crop_id: Id | None = None
    date_from: Date | None = None
    date_to: Date | None = None
    donated: Bool | None = None


class TotalsOut(Schema):
    key: str | int
    label: str
    kg: float
    grams: int
    pieces: int
    bunches: int
    logs: int
    donated_kg: float
    donated_pieces: int
    donated_bunches: int


class SummaryOut(Schema):
    by: str
    season: int | None
    total: TotalsOut
    rows: list[TotalsOut]


class RowErrorOut(Schema):
    line: int
    message: str


class ImportOut(Schema):
    imported: int
    new_crops: list[str]


class ImportRejectedOut(Schema):
    detail: str
    errors: list[RowErrorOut]
    unknown_crops: list[str]


def _out(log: HarvestLog, user) -> dict:
    author = log.harvested_by
    return {
        "id": log.pk,
        "crop_id": log.crop_id,
        "crop": log.crop.name,
        "date": log.date,
        "quantity": log.quantity,
        "unit": log.unit,
        "grams": log.grams,
        "pieces": log.pieces,
        "bunches": log.bunches,
        "plot": log.plot_label,
        "plot_id": log.plot_id,
        "donated_to": log.donated_to,
        "note": log.note,
        "harvested_by": author.profile.name if author else None,
        "mine": log.harvested_by_id == user.pk,
    }


def _crop(crop_id: int | None, name: str | None) -> Crop:
    if crop_id is not None:
        crop = services.crops().filter(pk=crop_id).first()
        if crop is None:
            raise RuleError(_("No crop with this id on the garden's list."))
        return crop
    if name:
        crop = services.find_crop(name)
        if crop is None:
            raise RuleError(
                _("“%(crop)s” is not on the crop list; add it with POST /harvests/crops.")
                % {"crop": name}
            )
        return crop
    raise RuleError(_("Give crop_id or crop (a name from the crop list)."))


@lists.get("/harvests/crops", CropOut, summary="The garden's crop list")
def crop_list(request):
    api_member(request)
    return services.crops().values("id", "name")


@router.post(
    "/harvests/crops",
    response={201: CropOut, 400: Detail, 403: Detail, 409: Detail},
    summary="Add a crop to the list (names are unique regardless of case)",
)
def crop_add(request, payload: CropIn):
    crop = services.add_crop(api_member(request), payload.name)
    return Status(201, {"id": crop.pk, "name": crop.name})


@lists.get(
    "/harvests",
    HarvestOut,
    summary="Harvest logs: mine, or with scope=garden (coordinators) the whole garden's",
    paged_in_v1=True,
)
def harvest_list(request, filters: Query[HarvestFilter]):
    user = api_member(request)
    if filters.scope == "garden" and not is_coordinator(user):
        raise RuleError(_("Only coordinators may list the whole garden's harvests."), status=403)
    logs = totals.logs_in(
        get_garden(), filters.season, user if filters.scope == "mine" else None
    ).select_related("crop", "harvested_by__profile")
    if filters.crop_id is not None:
        logs = logs.filter(crop_id=filters.crop_id)
    if filters.date_from is not None:
        logs = logs.filter(date__gte=filters.date_from)
    if filters.date_to is not None:
        logs = logs.filter(date__lte=filters.date_to)
    if filters.donated is not None:
        logs = logs.filter(donated=filters.donated)
    return _LazyOut(logs, user)


class _LazyOut:
    """Turns only the requested page of logs into dicts (the paginator slices this)."""

    def __init__(self, logs, user):
        self.logs, self.user = logs, user

    def count(self) -> int:
        return self.logs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice):
        return [_out(log, self.user) for log in self.logs[window]]


@router.post(
    "/harvests",
    response={201: HarvestOut, 400: Detail, 403: Detail},
    summary="Log a harvest of my own",
)
def harvest_create(request, payload: HarvestIn):
    user = api_member(request)
    log = services.log_harvest(
        user,
        crop=_crop(payload.crop_id, payload.crop),
        quantity=payload.quantity,
        unit=payload.unit,
        date=payload.date or services.today(),
        plot_label=payload.plot,
        donated_to=payload.donated_to,
        note=payload.note,
    )
    return Status(201, _out(log, user))


@router.get(
    "/harvests/summary",
    response={200: SummaryOut, 400: Detail, 403: Detail},
    summary="Garden totals by crop or by month (kilograms, pieces and bunches apart)",
)
def harvest_summary(request, by: Literal["crop", "month"] = "crop", season: Season | None = None):
    api_member(request)
    garden = get_garden()
    rows = (totals.by_crop if by == "crop" else totals.by_month)(garden, season)
    return {
        "by": by,
        "season": season,
        "total": totals.overall(rows).as_dict(),
        "rows": [row.as_dict() for row in rows],
    }


@router.post(
    "/harvests/import",
    response={201: ImportOut, 409: ImportRejectedOut, 403: Detail, 413: Detail},
    summary="Import my past harvests from CSV (all rows or none)",
)
def harvest_import(request, file: File[UploadedFile], add_unknown_crops: Bool = False):
    user = api_member(request)
    if file.size > csvio.MAX_IMPORT_BYTES:
        raise RuleError(
            _("The file is too large (at most %(size)d MB).")
            % {"size": csvio.MAX_IMPORT_BYTES // (1024 * 1024)},
            status=413,
        )
    try:
        result = csvio.import_csv(user, file.read(), add_unknown_crops=add_unknown_crops)
    except csvio.ImportRejected as rejected:
        return Status(
            409,
            {
                "detail": rejected.message,
                "errors": [{"line": e.line, "message": e.message} for e in rejected.errors],
                "unknown_crops": rejected.unknown_crops,
            },
        )
    return Status(201, {"imported": result.imported, "new_crops": result.new_crops})


def _log_for(request, harvest_id: int) -> tuple:
    user = api_member(request)
    log = get_object_or_404(
        HarvestLog.objects.select_related("crop", "harvested_by__profile"), pk=harvest_id
    )
    if log.harvested_by_id != user.pk and not is_coordinator(user):
        raise RuleError(
            _("Only the person who logged this harvest or a coordinator may see it."), 403
        )
    return user, log


@router.get("/harvests/{int:harvest_id}", response={200: HarvestOut, 403: Detail, 404: Detail})
def harvest_detail(request, harvest_id: int):
    user, log = _log_for(request, harvest_id)
    return _out(log, user)


@router.patch(
    "/harvests/{int:harvest_id}",
    response={200: HarvestOut, 400: Detail, 403: Detail, 404: Detail},
    summary="Change a harvest (its author or a coordinator)",
)
def harvest_update(request, harvest_id: int, payload: HarvestPatch):
    user, log = _log_for(request, harvest_id)
    changes = payload.dict(exclude_unset=True)
    if "crop_id" in changes or "crop" in changes:
        changes["crop"] = _crop(changes.pop("crop_id", None), changes.pop("crop", None))
    if "plot" in changes:
        changes["plot_label"] = changes.pop("plot")
    log = services.update_log(user, log, **changes)
    log = HarvestLog.objects.select_related("crop", "harvested_by__profile").get(pk=log.pk)
    return _out(log, user)


@router.delete(
    "/harvests/{int:harvest_id}",
    response={204: None, 403: Detail, 404: Detail},
    summary="Delete a harvest (its author or a coordinator)",
)
def harvest_delete(request, harvest_id: int):
    user, log = _log_for(request, harvest_id)
    services.delete_log(user, log)
    return Status(204, None)
