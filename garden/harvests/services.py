"""The rules of the harvest log, shared by pages, API, import and demo."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from garden.core.errors import RuleError
from garden.core.live import push_garden
from garden.members.models import Garden
from garden.members.services import get_garden, is_coordinator, is_member
from garden.plots.models import Plot

from .models import Crop, HarvestLog, Unit

MAX_QUANTITY = Decimal("99999.999")
GRAMS_PER_UNIT = {Unit.KG: Decimal(1000), Unit.G: Decimal(1)}
LOG_FIELDS = ("crop", "quantity", "unit", "date", "plot_label", "note", "donated_to")


def today(garden: Garden | None = None) -> datetime.date:
    """Today in the garden's own time zone."""
    return timezone.localdate(timezone=(garden or get_garden()).tz)


def normalise(quantity: Decimal, unit: str) -> dict[str, int]:
    """Split a quantity into grams, pieces and bunches: exactly one of them is non-zero.
    Raises RuleError for amounts that make no sense."""
    try:
        quantity = Decimal(quantity)
    except (InvalidOperation, TypeError, ValueError):
        raise RuleError(_("The quantity must be a number.")) from None
    if unit not in Unit.values:
        raise RuleError(_("Unknown unit. Use kg, g, pieces or bunches."))
    if not quantity.is_finite() or quantity <= 0:
        raise RuleError(_("The quantity must be more than zero."))
    if quantity > MAX_QUANTITY:
        raise RuleError(_("The quantity is too large."))
    if unit in GRAMS_PER_UNIT:
        grams = int((quantity * GRAMS_PER_UNIT[unit]).to_integral_value(ROUND_HALF_UP))
        if grams < 1:
            raise RuleError(_("The quantity must be at least one gram."))
        return {"grams": grams, "pieces": 0, "bunches": 0}
    if quantity != quantity.to_integral_value():
        raise RuleError(_("Pieces and bunches are counted in whole numbers."))
    return {
        "grams": 0,
        "pieces": int(quantity) if unit == Unit.PIECES else 0,
        "bunches": int(quantity) if unit == Unit.BUNCHES else 0,
    }


def check_date(date: datetime.date, garden: Garden) -> None:
    if date > today(garden):
        raise RuleError(_("A harvest cannot be in the future."))
    if date.year < 1900:
        raise RuleError(_("That date is too far in the past."))


def crops(garden: Garden | None = None):
    return Crop.objects.filter(garden=garden or get_garden())


def find_crop(name: str, garden: Garden | None = None) -> Crop | None:
    return crops(garden).filter(name__iexact=name.strip()).first()


def clean_crop_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise RuleError(_("Please give the crop a name."))
    if len(name) > 80:
        raise RuleError(_("A crop name can have at most 80 characters."))
    return name


def add_crop(user, name: str) -> Crop:
    """A member adds a crop to the garden's list; names are unique regardless of case."""
    if not is_member(user):
        raise RuleError(_("Only members of this garden may do this."), status=403)
    garden = get_garden()
    name = clean_crop_name(name)
    if find_crop(name, garden) is not None:
        raise RuleError(_("%(name)s is already on the crop list.") % {"name": name}, status=409)
    try:
        with transaction.atomic():
            crop = Crop.objects.create(garden=garden, name=name, created_by=user)
    except IntegrityError:  # someone added it at the same moment
        raise RuleError(
            _("%(name)s is already on the crop list.") % {"name": name}, status=409
        ) from None
    push_garden("harvests", {"crop": crop.pk})
    return crop


def get_or_add_crop(user, name: str, garden: Garden) -> Crop:
    try:
        return add_crop(user, name)
    except RuleError as error:
        if error.status != 409:
            raise
        return find_crop(name, garden)


def _clean_log(garden: Garden, data: dict, plots: dict | None = None) -> dict:
    crop = data["crop"]
    if crop.garden_id != garden.pk:
        raise RuleError(_("This crop is not on the garden's list."))
    check_date(data["date"], garden)
    cleaned = {field: data.get(field, "") for field in LOG_FIELDS}
    for field, limit in (("plot_label", 40), ("note", 500), ("donated_to", 120)):
        cleaned[field] = (cleaned[field] or "").strip()
        if len(cleaned[field]) > limit:
            raise RuleError(
                _("%(field)s can have at most %(limit)d characters.")
                % {"field": HarvestLog._meta.get_field(field).verbose_name, "limit": limit}
            )
    cleaned.update(normalise(data["quantity"], data["unit"]))
    cleaned["plot"] = _plot_for(cleaned["plot_label"], plots)
    return cleaned


def plots_by_label() -> dict[str, Plot]:
    return {plot.label.lower(): plot for plot in Plot.objects.all()}


def _plot_for(label: str, plots: dict[str, Plot] | None) -> Plot | None:
    if not label:
        return None
    if plots is not None:
        return plots.get(label.lower())
    return Plot.objects.filter(label__iexact=label).first()


def build_log(user, garden: Garden, plots: dict | None = None, **data) -> HarvestLog:
    """An unsaved, checked log (used by the import to check every row first;
    `plots` maps lower-case labels to plots so a large file costs no query per row)."""
    log = HarvestLog(garden=garden, harvested_by=user, **_clean_log(garden, data, plots))
    return log.set_derived()


def log_harvest(user, **data) -> HarvestLog:
    """A member logs a harvest of their own."""
    if not is_member(user):
        raise RuleError(_("Only members of this garden may do this."), status=403)
    log = build_log(user, get_garden(), **data)
    log.save()
    push_garden("harvests", {"id": log.pk})
    return log


def can_change(user, log: HarvestLog) -> bool:
    """Its author or a coordinator may change or delete a log."""
    if not is_member(user):
        return False
    return log.harvested_by_id == user.pk or is_coordinator(user)


def _check_can_change(user, log: HarvestLog) -> None:
    if not can_change(user, log):
        raise RuleError(
            _("Only the person who logged this harvest or a coordinator may change it."),
            status=403,
        )


@transaction.atomic
def update_log(user, log: HarvestLog, **changes) -> HarvestLog:
    log = HarvestLog.objects.select_for_update().select_related("crop").get(pk=log.pk)
    _check_can_change(user, log)
    data = {field: getattr(log, field) for field in LOG_FIELDS}
    data.update({k: v for k, v in changes.items() if k in LOG_FIELDS})
    for field, value in _clean_log(log.garden, data).items():
        setattr(log, field, value)
    log.save()
    push_garden("harvests", {"id": log.pk})
    return log


def delete_log(user, log: HarvestLog) -> None:
    _check_can_change(user, log)
    pk = log.pk
    log.delete()
    push_garden("harvests", {"id": pk, "deleted": True})


def export_for_user(user) -> list[dict]:
    """The member's own logs for their data download."""
    return [
        {
            "date": log.date.isoformat(),
            "crop": log.crop.name,
            "quantity": str(log.quantity),
            "unit": log.unit,
            "plot": log.plot_label,
            "donated_to": log.donated_to,
            "note": log.note,
            "logged_at": log.created_at.isoformat(),
        }
        for log in HarvestLog.objects.filter(harvested_by=user).select_related("crop")
    ]
