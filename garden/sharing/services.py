"""The rules of sharing produce and lending tools, for pages, API, commands and the inbox."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, FloatField, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from garden.core.errors import RuleError
from garden.core.live import push_garden
from garden.members.notifications import notify
from garden.members.services import coordinators, get_garden, is_coordinator, is_member

from . import federate
from .models import MAX_QUANTITY, Claim, Loan, Offer, SharingSettings, Tool, Unit
from .photos import attach_photo

MAX_LOAN_DAYS = 90
OFFER_FIELDS = (
    "crop",
    "quantity",
    "unit",
    "pickup_from",
    "pickup_until",
    "pickup_place",
    "expires_at",
    "audience",
)
TOOL_FIELDS = ("name", "description", "condition", "lend_to_members", "lend_to_neighbours")


def changed(kind: str, pk: int) -> None:
    """Tell open sharing pages to refresh (after commit)."""
    push_garden("sharing", {"kind": kind, "id": pk})


def offer_scheduled(pk: int, expires_at: datetime.datetime | None) -> None:
    """An offer (ours or a copy) was stored: pages refresh, and a new end is scheduled."""
    from .tasks import schedule_expiry

    if expires_at is not None:
        schedule_expiry(expires_at)
    changed("offer", pk)


def amount(value) -> Decimal:
    """A quantity as stored: finite, two decimal places."""
    try:
        value = Decimal(str(value))
    except ArithmeticError as error:
        raise RuleError(_("The quantity must be more than 0 and at most 99999.")) from error
    if not value.is_finite():
        raise RuleError(_("The quantity must be more than 0 and at most 99999."))
    return value.quantize(Decimal("0.01"))


def _require_member(user) -> None:
    if not is_member(user):
        raise RuleError(_("Only members of this garden may do this."), status=403)


def _require_coordinator(user) -> None:
    if not is_coordinator(user):
        raise RuleError(_("Only coordinators of this garden may do this."), status=403)


def format_quantity(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- settings --------------------------------------------------------------------------------


@transaction.atomic
def set_share_radius(
    user, km: Decimal, *, hop_limit: int | None = None, claims_from_peers_only: bool | None = None
) -> SharingSettings:
    """The share radius, and (when given) how far offers travel and who may claim them."""
    _require_coordinator(user)
    km = Decimal(km)
    if not km.is_finite() or not Decimal("0") <= km <= Decimal("1000"):
        raise RuleError(_("The share radius must be between 0 and 1000 km."))
    if hop_limit is not None and hop_limit not in (0, 1):
        raise RuleError(_("Offers travel to our peers (0) or one hop further (1)."))
    settings_row = SharingSettings.load()
    settings_row.share_radius_km = km.quantize(Decimal("0.1"))
    if hop_limit is not None:
        settings_row.hop_limit = hop_limit
    if claims_from_peers_only is not None:
        settings_row.claims_from_peers_only = claims_from_peers_only
    settings_row.save()
    federate.radius_changed()
    changed("settings", 1)
    return settings_row


# --- offers ----------------------------------------------------------------------------------


def _check_offer(values: dict, *, creating: bool) -> None:
    """Refuse what no offer may be; ``creating`` also asks for an end in the future."""
    if not (values.get("crop") or "").strip():
        raise RuleError(_("Please name the crop."))
    _check_length(values["crop"], 80)
    _check_length(values.get("pickup_place", ""), 300)
    for name in ("pickup_from", "pickup_until", "expires_at"):
        values[name] = _aware(values[name])
    values["quantity"] = quantity = amount(values["quantity"])
    if not Decimal("0") < quantity <= MAX_QUANTITY:
        raise RuleError(_("The quantity must be more than 0 and at most 99999."))
    if values["pickup_until"] <= values["pickup_from"]:
        raise RuleError(_("The pickup window must end after it starts."))
    if creating and values["expires_at"] <= timezone.now():
        raise RuleError(_("The offer must end in the future."))
    if values["audience"] not in Offer.Audience.values:
        raise RuleError(_("Unknown audience."))
    if values.get("unit", Unit.KG) not in Unit.values:
        raise RuleError(_("Unknown unit."))


def _check_length(text: str, limit: int) -> None:
    if len(text) > limit:
        raise RuleError(_("Please keep texts to %(limit)s characters.") % {"limit": limit})


def _aware(value: datetime.datetime) -> datetime.datetime:
    """Times without a zone are taken as the garden's local time."""
    return timezone.make_aware(value, get_garden().tz) if timezone.is_naive(value) else value


def garden_today() -> datetime.date:
    return timezone.localdate(timezone=get_garden().tz)


def not_your_offer() -> str:
    return _("Only the person who made this offer or a coordinator may change it.")


def already_booked() -> str:
    return _("The tool is already booked for some of these days.")


def can_manage_offer(user, offer: Offer) -> bool:
    return not offer.is_remote and (offer.offered_by_id == user.pk or is_coordinator(user))


@transaction.atomic
def create_offer(user, *, photo=None, **values) -> Offer:
    _require_member(user)
    values = {name: values[name] for name in OFFER_FIELDS if name in values}
    values.setdefault("pickup_place", "")
    values.setdefault("audience", Offer.Audience.GARDEN)
    values["crop"] = values.get("crop", "").strip()
    _check_offer(values, creating=True)
    offer = Offer(offered_by=user, quantity_left=values["quantity"], **values)
    attach_photo(offer, photo)
    offer.save()
    federate.sync_offer(offer)
    offer_scheduled(offer.pk, offer.expires_at)
    return offer


@transaction.atomic
def update_offer(user, offer: Offer, *, photo=None, remove_photo: bool = False, **values) -> Offer:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if not can_manage_offer(user, offer):
        raise RuleError(not_your_offer(), status=403)
    if offer.status != Offer.Status.OPEN:
        raise RuleError(_("This offer is closed and can no longer be changed."), status=409)
    merged = {name: getattr(offer, name) for name in OFFER_FIELDS}
    merged.update({name: values[name] for name in OFFER_FIELDS if name in values})
    merged["crop"] = merged["crop"].strip()
    new_end = merged["expires_at"] != offer.expires_at
    _check_offer(merged, creating=new_end)
    claimed = offer.quantity - offer.quantity_left
    if merged["quantity"] < claimed:
        raise RuleError(
            _("%(claimed)s %(unit)s are already claimed; the quantity cannot be less.")
            % {"claimed": format_quantity(claimed), "unit": offer.get_unit_display()},
            status=409,
        )
    for name, value in merged.items():
        setattr(offer, name, value)
    offer.quantity_left = merged["quantity"] - claimed
    if offer.quantity_left == 0:
        offer.status = Offer.Status.CLAIMED
    if remove_photo:
        offer.photo = ""
    attach_photo(offer, photo)
    offer.save()
    federate.sync_offer(offer)
    offer_scheduled(offer.pk, offer.expires_at if new_end else None)
    return offer


@transaction.atomic
def withdraw_offer(user, offer: Offer) -> Offer:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if not can_manage_offer(user, offer):
        raise RuleError(not_your_offer(), status=403)
    if offer.status != Offer.Status.OPEN:
        raise RuleError(_("This offer is already closed."), status=409)
    offer.status = Offer.Status.WITHDRAWN
    offer.save(update_fields=["status", "updated_at"])
    federate.sync_offer(offer)
    changed("offer", offer.pk)
    return offer


def _offer_url(offer: Offer) -> str:
    return reverse("sharing:offer", args=[offer.pk])


def _take(offer: Offer, quantity: Decimal) -> None:
    """Take from a locked local offer; closes it when nothing is left."""
    offer.quantity_left -= quantity
    if offer.quantity_left == 0:
        offer.status = Offer.Status.CLAIMED
    offer.save(update_fields=["quantity_left", "status", "updated_at"])
    federate.sync_offer(offer)


def _check_claim_quantity(quantity: Decimal) -> None:
    if not Decimal("0") < quantity <= MAX_QUANTITY:
        raise RuleError(_("Please claim a quantity of more than 0."))


def _left_message(offer: Offer) -> str:
    return _("Only %(left)s %(unit)s are left.") % {
        "left": format_quantity(offer.quantity_left),
        "unit": offer.get_unit_display(),
    }


@transaction.atomic
def claim_offer(user, offer: Offer, quantity: Decimal) -> Claim:
    """A member claims part of an offer: decided at once here, or asked of the origin."""
    _require_member(user)
    quantity = amount(quantity)
    _check_claim_quantity(quantity)
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    if not offer.is_open:
        raise RuleError(_("This offer is no longer open."), status=409)
    if offer.offered_by_id == user.pk:
        raise RuleError(_("You cannot claim your own offer."))
    if quantity > offer.quantity_left:
        raise RuleError(_left_message(offer), status=409)
    if offer.is_remote:
        claim = Claim.objects.create(offer=offer, claimant=user, quantity=quantity)
        federate.send_claim(claim)
    else:
        claim = Claim.objects.create(
            offer=offer,
            claimant=user,
            quantity=quantity,
            status=Claim.Status.CONFIRMED,
            decided_at=timezone.now(),
        )
        _take(offer, quantity)
        _tell_offerer(offer, claim)
    changed("offer", offer.pk)
    return claim


def _tell_offerer(offer: Offer, claim: Claim, *, withdrawn: bool = False) -> None:
    """Tell the offerer of a claim made, or withdrawn."""
    if offer.offered_by is None:
        return
    message = (
        _("%(name)s (%(garden)s) withdrew their claim of %(quantity)s %(unit)s of your %(crop)s.")
        if withdrawn
        else _("%(name)s (%(garden)s) claimed %(quantity)s %(unit)s of your %(crop)s.")
    )
    notify(
        offer.offered_by,
        "sharing_claim",
        message
        % {
            "name": claim.claimant_name,
            "garden": claim.garden_name,
            "quantity": format_quantity(claim.quantity),
            "unit": offer.get_unit_display(),
            "crop": offer.crop,
        },
        url=_offer_url(offer),
    )


def check_remote_claimant(*, peered: bool, distance_km: float | None) -> None:
    """Who may claim our offers from another garden: our peers; and, unless the coordinators
    restricted it, gardens within our share radius that heard of an offer through a peer."""
    if peered:
        return
    rules = SharingSettings.load()
    if rules.claims_from_peers_only:
        raise RuleError(_("Only peered gardens may claim our offers."), status=403)
    if distance_km is None or distance_km > float(rules.share_radius_km):
        raise RuleError(_("Your garden is beyond our share radius."), status=403)


@transaction.atomic
def settle_remote_claim(
    offer_pk: int,
    *,
    remote_id: str,
    remote_actor: str,
    garden_name: str,
    claimant_name: str,
    quantity: Decimal,
) -> Claim:
    """The origin decides a neighbour's claim: confirm if it fits what is left, else decline."""
    existing = Claim.objects.filter(remote_id=remote_id).first()
    if existing is not None:
        return existing  # the same claim delivered again: decided once
    offer = Offer.objects.select_for_update().filter(pk=offer_pk, origin_actor="").first()
    claim = Claim(
        offer=offer,
        remote_id=remote_id,
        remote_actor=remote_actor,
        remote_garden_name=garden_name,
        remote_claimant_name=claimant_name,
        quantity=quantity,
        decided_at=timezone.now(),
    )
    if offer is None:
        raise RuleError(_("No such offer."), status=404)
    if not offer.is_open or offer.audience not in Offer.SHARED_WITH_NEIGHBOURS:
        claim.status, claim.reason = Claim.Status.DECLINED, _("This offer is no longer open.")
    elif quantity > offer.quantity_left:
        claim.status, claim.reason = Claim.Status.DECLINED, _left_message(offer)
    else:
        claim.status = Claim.Status.CONFIRMED
    claim.save()
    if claim.status == Claim.Status.CONFIRMED:
        _take(offer, quantity)
        _tell_offerer(offer, claim)
    federate.answer_claim(claim)
    changed("offer", offer.pk)
    return claim


def _locked_claim(pk: int) -> Claim | None:
    """Lock a claim's offer, then the claim: the order every claim path takes (claims are
    made under the offer's lock), so two of them never wait for each other crosswise."""
    offer_id = Claim.objects.filter(pk=pk).values_list("offer_id", flat=True).first()
    if offer_id is None:
        return None
    offer = Offer.objects.select_for_update().get(pk=offer_id)
    claim = Claim.objects.select_for_update().get(pk=pk)
    claim.offer = offer
    return claim


@transaction.atomic
def record_claim_answer(claim_pk: int, *, sender_actor: str, confirmed: bool, reason: str) -> None:
    """On the claimant's side: the origin confirmed or declined our claim."""
    claim = _locked_claim(claim_pk)
    if claim is None or claim.offer.origin_actor != sender_actor:
        raise RuleError(_("No such claim of ours on that garden's offers."), status=404)
    if claim.status != Claim.Status.PENDING:
        return
    claim.status = Claim.Status.CONFIRMED if confirmed else Claim.Status.DECLINED
    claim.reason = reason
    claim.decided_at = timezone.now()
    claim.save(update_fields=["status", "reason", "decided_at"])
    if claim.claimant is not None:
        offer = claim.offer
        values = {
            "quantity": format_quantity(claim.quantity),
            "unit": offer.get_unit_display(),
            "crop": offer.crop,
            "garden": offer.origin_name,
        }
        message = (
            _("%(garden)s confirmed your claim of %(quantity)s %(unit)s %(crop)s.")
            if confirmed
            else _("%(garden)s declined your claim of %(quantity)s %(unit)s %(crop)s.")
        )
        notify(claim.claimant, "sharing_claim_answer", message % values, url=_offer_url(offer))
    changed("offer", claim.offer_id)


@transaction.atomic
def mark_picked_up(user, claim: Claim) -> Claim:
    claim = _locked_claim(claim.pk)
    if not can_manage_offer(user, claim.offer):
        raise RuleError(not_your_offer(), status=403)
    if claim.status != Claim.Status.CONFIRMED:
        raise RuleError(_("Only a confirmed claim can be picked up."), status=409)
    claim.status = Claim.Status.PICKED_UP
    claim.picked_up_at = timezone.now()
    claim.save(update_fields=["status", "picked_up_at"])
    federate.claim_picked_up(claim)
    changed("offer", claim.offer_id)
    return claim


@transaction.atomic
def record_remote_pickup(claim_pk: int, *, sender_actor: str) -> None:
    claim = _locked_claim(claim_pk)
    if claim is None or claim.offer.origin_actor != sender_actor:
        raise RuleError(_("No such claim of ours on that garden's offers."), status=404)
    # The pickup may overtake the confirmation on the way; it implies it.
    if claim.status in (Claim.Status.PENDING, Claim.Status.CONFIRMED):
        claim.status = Claim.Status.PICKED_UP
        claim.decided_at = claim.decided_at or timezone.now()
        claim.picked_up_at = timezone.now()
        claim.save(update_fields=["status", "decided_at", "picked_up_at"])
        changed("offer", claim.offer_id)


# A claim can be withdrawn by its claimant until it is picked up. The origin confirms a
# neighbour's claim at once, so "confirmed" is not final: the quantity is only held for them.
WITHDRAWABLE_CLAIMS = (Claim.Status.PENDING, Claim.Status.CONFIRMED)


def _give_back(offer: Offer, quantity: Decimal) -> None:
    """A withdrawn claim's quantity returns to the locked local offer, which opens again if
    the claim had closed it (and it has not ended)."""
    offer.quantity_left += quantity
    if offer.status == Offer.Status.CLAIMED and offer.expires_at > timezone.now():
        offer.status = Offer.Status.OPEN
    offer.save(update_fields=["quantity_left", "status", "updated_at"])
    federate.sync_offer(offer)


def refused_in_state(row: Claim | Loan, message: str, status: int = 409) -> RuleError:
    """A refusal that names the claim's or loan's state (``message`` has a %(state)s)."""
    return RuleError(message % {"state": row.get_status_display().lower()}, status=status)


def claim_not_withdrawable(claim: Claim, status: int = 409) -> RuleError:
    return refused_in_state(
        claim, _("This claim is %(state)s; it can no longer be withdrawn."), status
    )


@transaction.atomic
def withdraw_claim(user, claim: Claim) -> Claim:
    """The claimant takes back a claim not yet picked up. On our own offer the quantity is
    free again at once; a neighbour's offer is told with an Undo and frees it there."""
    claim = _locked_claim(claim.pk)
    offer = claim.offer
    if claim.remote_actor or claim.claimant_id != user.pk:
        raise RuleError(_("Only the person who made this claim may withdraw it."), status=403)
    if claim.status not in WITHDRAWABLE_CLAIMS:
        raise claim_not_withdrawable(claim)
    claim.status = Claim.Status.WITHDRAWN
    claim.save(update_fields=["status"])
    if offer.is_remote:
        federate.withdraw_claim(claim)
    else:
        _give_back(offer, claim.quantity)
        _tell_offerer(offer, claim, withdrawn=True)
    changed("offer", offer.pk)
    return claim


@transaction.atomic
def withdraw_remote_claim(remote_id: str, *, sender_actor: str) -> None:
    """On the origin: the garden that sent a claim withdraws it (an Undo). Only that garden
    may; a claim already picked up stays so; the quantity is free again."""
    found = Claim.objects.filter(remote_id=remote_id).first()
    if found is None or not found.remote_actor or found.remote_actor != sender_actor:
        raise RuleError(_("No such claim from that garden."), status=404)
    claim = _locked_claim(found.pk)
    offer = claim.offer
    if claim.status in (Claim.Status.WITHDRAWN, Claim.Status.DECLINED):
        return  # delivered again, or nothing was held for it
    if claim.status not in WITHDRAWABLE_CLAIMS:
        raise claim_not_withdrawable(claim, status=422)  # final: the sender does not retry
    claim.status = Claim.Status.WITHDRAWN
    claim.save(update_fields=["status"])
    _give_back(offer, claim.quantity)
    _tell_offerer(offer, claim, withdrawn=True)
    changed("offer", offer.pk)


def expire_offers(now: datetime.datetime | None = None) -> int:
    """Close every open offer past its end, ours and copies of neighbours' (each node runs it)."""
    now = now or timezone.now()
    count = 0
    for pk in Offer.objects.filter(status=Offer.Status.OPEN, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            offer = Offer.objects.select_for_update().get(pk=pk)
            if offer.status != Offer.Status.OPEN:
                continue
            offer.status = Offer.Status.EXPIRED
            offer.save(update_fields=["status", "updated_at"])
            federate.sync_offer(offer)
            changed("offer", offer.pk)
            count += 1
    return count


def check_pickup_day(day: datetime.date) -> None:
    """A pickup day to filter by must be a real calendar day of our era (no overflow)."""
    if not 1900 <= day.year <= 9000:
        raise RuleError(_("Choose a pickup day between the years 1900 and 9000."))


@dataclass
class NearbyFilter:
    crop: str = ""
    garden: str = ""  # "", "here", or a neighbour's actor URL
    max_km: float | None = None
    min_left: Decimal | None = None
    pickup_on: datetime.date | None = None


def open_offers() -> QuerySet[Offer]:
    return Offer.objects.filter(status=Offer.Status.OPEN, expires_at__gt=timezone.now())


def nearby(filters: NearbyFilter | None = None) -> QuerySet[Offer]:
    """Open offers of this garden and its neighbours, nearest first."""
    filters = filters or NearbyFilter()
    offers = open_offers().annotate(
        km=Coalesce(F("distance_km"), Value(0.0), output_field=FloatField())
    )
    if filters.crop.strip():
        offers = offers.filter(crop__icontains=filters.crop.strip())
    if filters.garden == "here":
        offers = offers.filter(origin_actor="")
    elif filters.garden:
        offers = offers.filter(origin_actor=filters.garden)
    if filters.max_km is not None:
        offers = offers.filter(km__lte=filters.max_km)
    if filters.min_left is not None:
        offers = offers.filter(quantity_left__gte=filters.min_left)
    if filters.pickup_on is not None:
        check_pickup_day(filters.pickup_on)
        day_start = datetime.datetime.combine(
            filters.pickup_on, datetime.time.min, tzinfo=get_garden().tz
        )
        day_end = day_start + datetime.timedelta(days=1)
        offers = offers.filter(pickup_from__lt=day_end, pickup_until__gt=day_start)
    return offers.select_related("offered_by__profile").order_by("km", "expires_at", "pk")


def neighbour_gardens() -> list[tuple[str, str]]:
    """(actor URL, name) of the gardens whose offers we hold, for the garden filter."""
    rows = (
        open_offers()
        .exclude(origin_actor="")
        .values_list("origin_actor", "origin_name")
        .distinct()
        .order_by("origin_name")
    )
    return list(rows)


# --- tools and loans -------------------------------------------------------------------------


def _check_tool(values: dict) -> None:
    if not (values.get("name") or "").strip():
        raise RuleError(_("Please name the tool."))
    _check_length(values["name"], 80)
    _check_length(values.get("description", ""), 2000)
    if values.get("condition") not in Tool.Condition.values:
        raise RuleError(_("Unknown condition."))


@transaction.atomic
def create_tool(user, *, photo=None, **values) -> Tool:
    _require_coordinator(user)
    values = {name: values[name] for name in TOOL_FIELDS if name in values}
    values.setdefault("condition", Tool.Condition.GOOD)
    values["name"] = values.get("name", "").strip()
    _check_tool(values)
    tool = Tool(**values)
    attach_photo(tool, photo)
    tool.save()
    federate.sync_tool(tool)
    changed("tool", tool.pk)
    return tool


@transaction.atomic
def update_tool(user, tool: Tool, *, photo=None, remove_photo: bool = False, **values) -> Tool:
    _require_coordinator(user)
    tool = Tool.objects.select_for_update().get(pk=tool.pk, origin_actor="")
    for name in TOOL_FIELDS:
        if name in values:
            setattr(tool, name, values[name])
    tool.name = tool.name.strip()
    _check_tool({"name": tool.name, "description": tool.description, "condition": tool.condition})
    if remove_photo:
        tool.photo = ""
    attach_photo(tool, photo)
    tool.save()
    federate.sync_tool(tool)
    changed("tool", tool.pk)
    return tool


@transaction.atomic
def retire_tool(user, tool: Tool) -> Tool:
    """Take a tool out of the library; open requests for it are declined."""
    _require_coordinator(user)
    tool = Tool.objects.select_for_update().get(pk=tool.pk, origin_actor="")
    if tool.loans.filter(status=Loan.Status.LENT).exists():
        raise RuleError(_("The tool is lent out; mark it returned first."), status=409)
    tool.active = False
    tool.save(update_fields=["active", "updated_at"])
    for loan in tool.loans.filter(status__in=[Loan.Status.REQUESTED, Loan.Status.APPROVED]):
        _set_loan_state(loan, Loan.Status.DECLINED, reason=_("The tool left the library."))
    federate.sync_tool(tool)
    changed("tool", tool.pk)
    return tool


def library() -> QuerySet[Tool]:
    """Tools a member here may see: ours and neighbours' (lendable to us), nearest first."""
    return Tool.objects.filter(active=True).order_by(
        Coalesce(F("distance_km"), Value(0.0), output_field=FloatField()), "name", "pk"
    )


def with_bookings(tools: QuerySet[Tool]) -> QuerySet[Tool]:
    """The tools with their booked loans read in one query (for booked_periods of a list)."""
    booked = Loan.objects.filter(status__in=Loan.BOOKED).order_by("start_date")
    return tools.prefetch_related(Prefetch("loans", queryset=booked, to_attr="booked_loans"))


def _overlapping(tool: Tool, start: datetime.date, end: datetime.date) -> QuerySet[Loan]:
    return tool.loans.filter(status__in=Loan.BOOKED, start_date__lte=end, end_date__gte=start)


def _check_dates(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise RuleError(_("The loan must end on or after its first day."))
    if start < garden_today():
        raise RuleError(_("A loan cannot start in the past."))
    if (end - start).days + 1 > MAX_LOAN_DAYS:
        raise RuleError(_("A loan can last at most %(days)s days.") % {"days": MAX_LOAN_DAYS})


@transaction.atomic
def request_loan(user, tool: Tool, *, start_date, end_date, note: str = "") -> Loan:
    _require_member(user)
    tool = Tool.objects.select_for_update().get(pk=tool.pk)
    if not tool.active or (not tool.is_remote and not tool.lend_to_members):
        raise RuleError(_("This tool cannot be borrowed."), status=409)
    _check_dates(start_date, end_date)
    if tool.is_remote:
        if _busy(tool.remote_busy, start_date, end_date):
            raise RuleError(already_booked(), status=409)
    elif _overlapping(tool, start_date, end_date).exists():
        raise RuleError(already_booked(), status=409)
    loan = Loan.objects.create(
        tool=tool, borrower=user, start_date=start_date, end_date=end_date, note=note.strip()[:500]
    )
    if tool.is_remote:
        federate.send_loan_request(loan)
    else:
        _tell_coordinators_of_request(loan)
    changed("loan", loan.pk)
    return loan


def _busy(periods: list, start: datetime.date, end: datetime.date) -> bool:
    for period in periods:
        try:
            busy_start = datetime.date.fromisoformat(period["start"])
            busy_end = datetime.date.fromisoformat(period["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if busy_start <= end and busy_end >= start:
            return True
    return False


def _tell_coordinators_of_request(loan: Loan) -> None:
    message = _("%(name)s (%(garden)s) asks to borrow %(tool)s from %(start)s to %(end)s.") % {
        "name": loan.borrower_name,
        "garden": loan.garden_name,
        "tool": loan.tool.name,
        "start": loan.start_date,
        "end": loan.end_date,
    }
    for membership in coordinators():
        notify(membership.user, "sharing_loan_request", message, url=reverse("sharing:loans"))


@transaction.atomic
def receive_loan_request(
    tool_pk: int,
    *,
    remote_id: str,
    remote_actor: str,
    garden_name: str,
    borrower_name: str,
    start_date: datetime.date,
    end_date: datetime.date,
    note: str,
) -> Loan:
    """A neighbour garden asks to borrow one of our tools."""
    existing = Loan.objects.filter(remote_id=remote_id).first()
    if existing is not None:
        return existing
    tool = Tool.objects.select_for_update().filter(pk=tool_pk, origin_actor="").first()
    if tool is None:
        raise RuleError(_("No such tool."), status=404)
    if end_date < start_date:
        raise RuleError(_("The loan must end on or after its first day."))
    loan = Loan.objects.create(
        tool=tool,
        remote_id=remote_id,
        remote_actor=remote_actor,
        remote_garden_name=garden_name,
        remote_borrower_name=borrower_name,
        start_date=start_date,
        end_date=end_date,
        note=note,
    )
    if not (tool.active and tool.lend_to_neighbours):
        _set_loan_state(loan, Loan.Status.DECLINED, reason=_("This tool cannot be borrowed."))
    elif _overlapping(tool, start_date, end_date).exists():
        _set_loan_state(loan, Loan.Status.DECLINED, reason=already_booked())
    else:
        _tell_coordinators_of_request(loan)
    changed("loan", loan.pk)
    return loan


_NEXT = {
    Loan.Status.APPROVED: {Loan.Status.REQUESTED},
    Loan.Status.DECLINED: {Loan.Status.REQUESTED, Loan.Status.APPROVED},
    Loan.Status.LENT: {Loan.Status.APPROVED},
    Loan.Status.RETURNED: {Loan.Status.LENT},
    Loan.Status.CANCELLED: {Loan.Status.REQUESTED, Loan.Status.APPROVED},
}
_STAMPS = {
    Loan.Status.APPROVED: "decided_at",
    Loan.Status.DECLINED: "decided_at",
    Loan.Status.LENT: "lent_at",
    Loan.Status.RETURNED: "returned_at",
}


def _set_loan_state(loan: Loan, status: str, *, reason: str = "", return_note: str = "") -> Loan:
    """Move a loan one step on (caller holds the lock), tell the borrower, keep peers in step."""
    if loan.status not in _NEXT[status]:
        raise step_refused(loan)
    loan.status = status
    loan.reason = reason[:300]
    loan.return_note = return_note[:500] or loan.return_note
    stamp = _STAMPS.get(status)
    if stamp:
        setattr(loan, stamp, timezone.now())
    loan.save()
    if not loan.tool.is_remote:
        federate.loan_state_changed(loan)
        if loan.tool.lend_to_neighbours and status != Loan.Status.LENT:
            # Neighbours see the new availability; a fresh stamp keeps them from
            # taking this Update for a stale one.
            loan.tool.updated_at = timezone.now()
            Tool.objects.filter(pk=loan.tool_id).update(updated_at=loan.tool.updated_at)
            federate.sync_tool(loan.tool)
    _tell_borrower(loan)
    changed("loan", loan.pk)
    return loan


def _tell_borrower(loan: Loan) -> None:
    if loan.borrower is None or loan.status == Loan.Status.CANCELLED:
        return
    values = {"tool": loan.tool.name, "start": loan.start_date, "end": loan.end_date}
    messages = {
        Loan.Status.APPROVED: _("Your loan of %(tool)s (%(start)s–%(end)s) was approved."),
        Loan.Status.DECLINED: _("Your loan request for %(tool)s (%(start)s–%(end)s) was declined."),
        Loan.Status.LENT: _("%(tool)s is lent to you until %(end)s."),
        Loan.Status.RETURNED: _("%(tool)s was marked returned. Thank you!"),
    }
    notify(
        loan.borrower, "sharing_loan", messages[loan.status] % values, url=reverse("sharing:loans")
    )


def _locked_local_loan(loan: Loan) -> Loan:
    Tool.objects.select_for_update().get(pk=loan.tool_id)  # serialises bookings per tool
    loan = Loan.objects.select_for_update().select_related("tool").get(pk=loan.pk)
    if loan.tool.is_remote:
        raise RuleError(_("The garden that owns this tool decides on this loan."), status=403)
    return loan


@transaction.atomic
def decide_loan(user, loan: Loan, *, approve: bool, reason: str = "") -> Loan:
    _require_coordinator(user)
    loan = _locked_local_loan(loan)
    if approve:
        if loan.status == Loan.Status.REQUESTED and (
            _overlapping(loan.tool, loan.start_date, loan.end_date).exclude(pk=loan.pk).exists()
        ):
            raise RuleError(already_booked(), status=409)
        return _set_loan_state(loan, Loan.Status.APPROVED)
    return _set_loan_state(loan, Loan.Status.DECLINED, reason=reason)


@transaction.atomic
def mark_lent(user, loan: Loan) -> Loan:
    _require_coordinator(user)
    return _set_loan_state(_locked_local_loan(loan), Loan.Status.LENT)


@transaction.atomic
def mark_returned(user, loan: Loan, *, condition_note: str = "", condition: str = "") -> Loan:
    _require_coordinator(user)
    loan = _locked_local_loan(loan)
    if condition:
        if condition not in Tool.Condition.values:
            raise RuleError(_("Unknown condition."))
        Tool.objects.filter(pk=loan.tool_id).update(condition=condition)
        loan.tool.condition = condition
    return _set_loan_state(loan, Loan.Status.RETURNED, return_note=condition_note.strip())


@transaction.atomic
def cancel_loan(user, loan: Loan) -> Loan:
    """The borrower takes back a request or booking of one of our own tools, or withdraws a
    request for a neighbour's tool that garden has not answered yet (it is told with an Undo).
    """
    Tool.objects.select_for_update().get(pk=loan.tool_id)  # serialises bookings per tool
    loan = Loan.objects.select_for_update().select_related("tool").get(pk=loan.pk)
    if loan.borrower_id != user.pk:
        raise RuleError(_("Only the borrower may cancel this loan."), status=403)
    if not loan.tool.is_remote:
        return _set_loan_state(loan, Loan.Status.CANCELLED)
    if loan.status == Loan.Status.APPROVED:
        raise RuleError(
            _("%(garden)s already approved this loan; please ask them to cancel it.")
            % {"garden": loan.tool.origin_name},
            status=409,
        )
    if loan.status != Loan.Status.REQUESTED:
        raise step_refused(loan)
    _set_loan_state(loan, Loan.Status.CANCELLED)
    federate.withdraw_loan_request(loan)
    return loan


def step_refused(loan: Loan, status: int = 409) -> RuleError:
    return refused_in_state(
        loan, _("This loan is %(state)s; that step is not possible now."), status
    )


@transaction.atomic
def withdraw_remote_loan(remote_id: str, *, sender_actor: str) -> None:
    """On the owner's side: the borrowing garden withdraws its request (an Undo). Only that
    garden may, and only while the request waits for our answer."""
    found = Loan.objects.filter(remote_id=remote_id).first()
    if found is None or not found.remote_actor or found.remote_actor != sender_actor:
        raise RuleError(_("No such loan request from that garden."), status=404)
    loan = _locked_local_loan(found)
    if loan.status in (Loan.Status.CANCELLED, Loan.Status.DECLINED):
        return  # delivered again, or already answered with no
    if loan.status != Loan.Status.REQUESTED:
        raise step_refused(loan, status=422)  # final: the sender's outbox does not retry
    _set_loan_state(loan, Loan.Status.CANCELLED)
    message = _("%(name)s (%(garden)s) withdrew their request to borrow %(tool)s.") % {
        "name": loan.borrower_name,
        "garden": loan.garden_name,
        "tool": loan.tool.name,
    }
    for membership in coordinators():
        notify(membership.user, "sharing_loan_request", message, url=reverse("sharing:loans"))


_PROGRESS = [Loan.Status.REQUESTED, Loan.Status.APPROVED, Loan.Status.LENT, Loan.Status.RETURNED]


@transaction.atomic
def record_loan_step(
    loan_pk: int, *, sender_actor: str, status: str, reason: str = "", return_note: str = ""
) -> None:
    """On the borrower's side: the owning garden moved our loan on.

    Deliveries may overtake each other, so a later step is applied even if the one
    before it has not arrived yet, and an earlier step arriving late is ignored."""
    loan = Loan.objects.select_for_update().select_related("tool").filter(pk=loan_pk).first()
    if loan is None or loan.tool.origin_actor != sender_actor:
        raise RuleError(_("No such loan of ours on that garden's tools."), status=404)
    if loan.status not in _PROGRESS or status == loan.status:
        return  # declined or cancelled stays so
    if status in _PROGRESS and _PROGRESS.index(status) < _PROGRESS.index(loan.status):
        return
    loan.status = status
    loan.reason = reason[:300]
    loan.return_note = return_note[:500] or loan.return_note
    now = timezone.now()
    if status in (Loan.Status.APPROVED, Loan.Status.DECLINED):
        loan.decided_at = now
    if status in (Loan.Status.LENT, Loan.Status.RETURNED):
        loan.decided_at = loan.decided_at or now
        loan.lent_at = loan.lent_at or now
    if status == Loan.Status.RETURNED:
        loan.returned_at = now
    loan.save()
    _tell_borrower(loan)
    changed("loan", loan.pk)


def send_overdue_reminders(today: datetime.date | None = None) -> int:
    """Remind borrowers (and, for our tools, coordinators) once a day about overdue loans."""
    today = today or garden_today()
    overdue = Loan.objects.filter(status=Loan.Status.LENT, end_date__lt=today).filter(
        Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)
    )
    count = 0
    for loan in overdue.select_related("tool", "borrower"):
        values = {"tool": loan.tool.name, "end": loan.end_date}
        url = reverse("sharing:loans")
        if loan.borrower is not None:
            notify(
                loan.borrower,
                "sharing_overdue",
                _("%(tool)s was due back on %(end)s. Please return it.") % values,
                url=url,
            )
        if not loan.tool.is_remote:
            message = _("%(tool)s is overdue since %(end)s (borrowed by %(name)s, %(garden)s).") % {
                **values,
                "name": loan.borrower_name,
                "garden": loan.garden_name,
            }
            for membership in coordinators():
                notify(membership.user, "sharing_overdue", message, url=url)
        Loan.objects.filter(pk=loan.pk).update(reminded_on=today)
        count += 1
    return count


def upcoming_bookings(tool: Tool) -> list[dict]:
    """Booked periods from today on, for showing availability."""
    today = garden_today()
    periods = []
    for period in federate.booked_periods(tool):
        try:
            start = datetime.date.fromisoformat(period["start"])
            end = datetime.date.fromisoformat(period["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if end >= today:
            periods.append({"start": start, "end": end})
    return sorted(periods, key=lambda p: p["start"])
