"""Activities from neighbour gardens, as handed over by the federation inbox.

Everything in an activity is untrusted: it is parsed into plain, length-limited
values here and then goes through the same rules in services.py as local changes.
Each handler gets (activity: dict, sender: federation.models.Peer).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from functools import wraps
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from garden.core.errors import RuleError

from . import federate, services
from .models import MAX_QUANTITY, Loan, Offer, Tool, Unit

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class BadActivity(ValueError):
    pass


def text(value, limit: int, *, required: bool = False) -> str:
    """Plain text: a string, control characters removed, cut to the limit."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadActivity("expected a string")
    value = _CONTROL.sub("", value).strip()[:limit]
    if required and not value:
        raise BadActivity("a required text is empty")
    return value


def quantity(value, *, allow_zero: bool = False) -> Decimal:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise BadActivity("quantity must be a number")
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise BadActivity("quantity must be a number") from error
    if not (Decimal("0") <= number <= MAX_QUANTITY) or (number == 0 and not allow_zero):
        raise BadActivity("quantity out of range")
    return number


def moment(value) -> datetime.datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise BadActivity("expected an ISO 8601 date-time with zone")
    return parsed


def day(value) -> datetime.date:
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise BadActivity("expected an ISO 8601 date")
    return parsed


def url(value, limit: int = 500) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise BadActivity("expected a URL")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadActivity("expected an http(s) URL")
    return value


def owned_by(object_id, sender) -> str:
    """An object a peer tells us about must live on that peer's own host."""
    object_id = url(object_id)
    if urlsplit(object_id).netloc != urlsplit(sender.actor_url).netloc:
        raise BadActivity("the object does not belong to the sending garden")
    return object_id


def local_pk(object_id, kind: str) -> int:
    """The primary key of one of our own objects, from its URL (which must be ours)."""
    object_id = url(object_id)
    tail = object_id.rstrip("/").rsplit("/", 1)[-1]
    if not tail.isdigit() or federate.object_url(kind, int(tail)) != object_id:
        raise RuleError(f"not one of our {kind}", status=404)
    return int(tail)


def photo_link(image) -> str:
    """A neighbour's photo is shown as a link only, never fetched or embedded."""
    if isinstance(image, dict):
        image = image.get("url")
    if isinstance(image, list) and image:
        image = image[0] if isinstance(image[0], str) else None
    try:
        return url(image) if image else ""
    except BadActivity:
        return ""


def _inner(activity: dict) -> dict:
    obj = activity.get("object")
    if not isinstance(obj, dict):
        raise BadActivity("the activity's object must be embedded")
    return obj


def _name_of(obj: dict, key: str) -> str:
    person = obj.get(key)
    return text(person.get("name") if isinstance(person, dict) else None, 80) or "?"


def handler(function):
    """Turn rule refusals and malformed input into the federation's 4xx refusal."""

    @wraps(function)
    def wrapped(activity: dict, sender) -> None:
        from federation.errors import ActivityRejected

        try:
            with transaction.atomic():
                function(activity, sender)
        except RuleError as error:
            raise ActivityRejected(error.message, status=error.status) from error
        except (BadActivity, KeyError, TypeError, ValueError, AttributeError) as error:
            raise ActivityRejected(f"malformed {function.__name__}: {error}", status=400) from error

    return wrapped


def _origin(sender) -> dict:
    return {
        "origin_actor": sender.actor_url,
        "origin_name": text(getattr(sender, "name", ""), 120) or urlsplit(sender.actor_url).netloc,
        "distance_km": getattr(sender, "distance_km", None),
    }


def _stale(row, updated) -> bool:
    return bool(updated and row.remote_updated and updated <= row.remote_updated)


# --- offers ----------------------------------------------------------------------------------


@handler
def offer_arrived(activity: dict, sender) -> None:
    """`Offer` or `Update` of a Produce: store or refresh our copy."""
    obj = _inner(activity)
    remote_id = owned_by(obj.get("id"), sender)
    values = {
        "crop": text(obj.get("name"), 80, required=True),
        "quantity": quantity(obj.get("quantity")),
        "quantity_left": quantity(obj.get("quantityLeft"), allow_zero=True),
        "unit": obj.get("unit"),
        "pickup_from": moment(obj.get("pickupFrom")),
        "pickup_until": moment(obj.get("pickupUntil")),
        "pickup_place": text(obj.get("pickupPlace"), 300),
        "expires_at": moment(obj.get("expires")),
        "offered_by_name": _name_of(obj, "offeredBy"),
        "photo_url": photo_link(obj.get("image")),
        "remote_updated": moment(obj["updated"]) if obj.get("updated") else None,
        "audience": Offer.Audience.NEIGHBOURS,
        **_origin(sender),
    }
    if values["unit"] not in Unit.values:
        raise BadActivity("unknown unit")
    if values["quantity_left"] > values["quantity"]:
        raise BadActivity("more left than offered")
    if values["pickup_until"] <= values["pickup_from"]:
        raise BadActivity("the pickup window ends before it starts")
    values["status"] = Offer.Status.OPEN if values["quantity_left"] else Offer.Status.CLAIMED
    hop_limit, radius = _reach(obj)
    relay = getattr(sender, "relayed_by", None)
    if relay is not None and (sender.distance_km is None or sender.distance_km > radius):
        return  # passed on to us though we are beyond the origin's radius: not for us
    offer = Offer.objects.select_for_update().filter(remote_id=remote_id).first()
    if offer is None:
        relayed_by = relay.actor_url if relay is not None else ""
        offer = Offer.objects.create(remote_id=remote_id, relayed_by=relayed_by, **values)
        services.offer_scheduled(offer.pk, offer.expires_at)
    elif offer.status in (Offer.Status.WITHDRAWN, Offer.Status.EXPIRED):
        return  # an offer, once gone, does not come back from a late delivery
    elif not _stale(offer, values["remote_updated"]):
        Offer.objects.filter(pk=offer.pk).update(**values)
        new_end = values["expires_at"] != offer.expires_at
        services.offer_scheduled(offer.pk, values["expires_at"] if new_end else None)
    if relay is None and hop_limit >= 1:
        _pass_on(activity, sender, offer, radius)


def _reach(obj: dict) -> tuple[int, float]:
    """How far the origin lets its offer travel: hops beyond its peers (0 or 1; anything else
    is 0) and its share radius in km."""
    hop_limit = obj.get("hopLimit")
    radius = obj.get("radiusKm")
    if not isinstance(radius, int | float) or isinstance(radius, bool) or radius < 0:
        return 0, 0.0
    return (1 if hop_limit == 1 else 0), float(radius)


def _pass_on(activity: dict, origin, offer: Offer, radius: float) -> None:
    """Forward the origin's own signed activity to our peers within its radius of it."""
    from federation import relay

    relay.forward(activity, origin, radius)
    if offer.relay_radius_km != radius:
        Offer.objects.filter(pk=offer.pk).update(relay_radius_km=radius)


@handler
def offer_deleted(activity: dict, sender) -> None:
    obj = activity.get("object")
    remote_id = owned_by(obj.get("id") if isinstance(obj, dict) else obj, sender)
    offer = Offer.objects.select_for_update().filter(remote_id=remote_id).first()
    if offer is None or offer.origin_actor != sender.actor_url:
        return
    if getattr(sender, "relayed_by", None) is None and offer.relay_radius_km is not None:
        _pass_on(activity, sender, offer, offer.relay_radius_km)
    if offer.status == Offer.Status.OPEN or offer.status == Offer.Status.CLAIMED:
        offer.status = (
            Offer.Status.EXPIRED if offer.expires_at <= timezone.now() else Offer.Status.WITHDRAWN
        )
        offer.save(update_fields=["status", "updated_at"])
        services.changed("offer", offer.pk)


@handler
def claim_arrived(activity: dict, sender) -> None:
    """`Create` of a Claim on one of our offers: we alone decide."""
    obj = _inner(activity)
    services.check_remote_claimant(
        peered=bool(sender.pk) and sender.state == "accepted", distance_km=sender.distance_km
    )
    services.settle_remote_claim(
        local_pk(obj.get("object"), "offers"),
        remote_id=owned_by(obj.get("id"), sender),
        remote_actor=sender.actor_url,
        garden_name=_origin(sender)["origin_name"],
        claimant_name=_name_of(obj, "claimant"),
        quantity=quantity(obj.get("quantity")),
    )


def _claim_answer(activity: dict, sender, *, confirmed: bool) -> None:
    obj = _inner(activity)
    services.record_claim_answer(
        local_pk(obj.get("id"), "claims"),
        sender_actor=sender.actor_url,
        confirmed=confirmed,
        reason=text(activity.get("summary"), 300),
    )


@handler
def claim_accepted(activity: dict, sender) -> None:
    _claim_answer(activity, sender, confirmed=True)


@handler
def claim_rejected(activity: dict, sender) -> None:
    _claim_answer(activity, sender, confirmed=False)


@handler
def claim_updated(activity: dict, sender) -> None:
    obj = _inner(activity)
    if obj.get("status") == "picked_up":
        claim_pk = local_pk(obj.get("id"), "claims")
        services.record_remote_pickup(claim_pk, sender_actor=sender.actor_url)


@handler
def claim_undone(activity: dict, sender) -> None:
    """`Undo` of a Claim: the garden that sent it withdraws it (only that garden: the claim's
    URL must be on the sender's host and the claim must have come from the sender)."""
    obj = _inner(activity)
    services.withdraw_remote_claim(owned_by(obj.get("id"), sender), sender_actor=sender.actor_url)


# --- tools and loans -------------------------------------------------------------------------


def _busy(periods) -> list[dict]:
    if not isinstance(periods, list):
        return []
    cleaned = []
    for period in periods[:200]:
        if isinstance(period, dict):
            start, end = day(period.get("start")), day(period.get("end"))
            cleaned.append({"start": str(start), "end": str(end)})
    return cleaned


@handler
def tool_arrived(activity: dict, sender) -> None:
    """`Create` or `Update` of a Tool a neighbour lends to other gardens."""
    obj = _inner(activity)
    remote_id = owned_by(obj.get("id"), sender)
    values = {
        "name": text(obj.get("name"), 80, required=True),
        "description": text(obj.get("summary"), 2000),
        "condition": obj.get("condition"),
        "photo_url": photo_link(obj.get("image")),
        "remote_busy": _busy(obj.get("busy")),
        "remote_updated": moment(obj["updated"]) if obj.get("updated") else None,
        "lend_to_members": False,
        "lend_to_neighbours": True,
        "active": True,
        **_origin(sender),
    }
    if values["condition"] not in Tool.Condition.values:
        raise BadActivity("unknown condition")
    tool = Tool.objects.select_for_update().filter(remote_id=remote_id).first()
    if tool is None:
        tool = Tool.objects.create(remote_id=remote_id, **values)
    elif not _stale(tool, values["remote_updated"]):
        Tool.objects.filter(pk=tool.pk).update(**values)
    services.changed("tool", tool.pk)


@handler
def tool_deleted(activity: dict, sender) -> None:
    obj = activity.get("object")
    remote_id = owned_by(obj.get("id") if isinstance(obj, dict) else obj, sender)
    updated = Tool.objects.filter(remote_id=remote_id, origin_actor=sender.actor_url).update(
        active=False
    )
    if updated:
        services.changed("tool", 0)


@handler
def loan_arrived(activity: dict, sender) -> None:
    """`Create` of a Loan: a neighbour garden asks to borrow one of our tools."""
    obj = _inner(activity)
    services.receive_loan_request(
        local_pk(obj.get("object"), "tools"),
        remote_id=owned_by(obj.get("id"), sender),
        remote_actor=sender.actor_url,
        garden_name=_origin(sender)["origin_name"],
        borrower_name=_name_of(obj, "borrower"),
        start_date=day(obj.get("startTime")),
        end_date=day(obj.get("endTime")),
        note=text(obj.get("content"), 500),
    )


def _loan_step(activity: dict, sender, status: str) -> None:
    obj = _inner(activity)
    services.record_loan_step(
        local_pk(obj.get("id"), "loans"),
        sender_actor=sender.actor_url,
        status=status,
        reason=text(activity.get("summary"), 300),
        return_note=text(obj.get("conditionNote"), 500),
    )


@handler
def loan_accepted(activity: dict, sender) -> None:
    _loan_step(activity, sender, Loan.Status.APPROVED)


@handler
def loan_rejected(activity: dict, sender) -> None:
    _loan_step(activity, sender, Loan.Status.DECLINED)


@handler
def loan_updated(activity: dict, sender) -> None:
    status = _inner(activity).get("status")
    if status not in (Loan.Status.LENT, Loan.Status.RETURNED):
        raise BadActivity("unknown loan status")
    _loan_step(activity, sender, status)


@handler
def loan_undone(activity: dict, sender) -> None:
    """`Undo` of a Loan request, by the garden that sent it (checked as for claims)."""
    obj = _inner(activity)
    services.withdraw_remote_loan(owned_by(obj.get("id"), sender), sender_actor=sender.actor_url)


# Offers may travel one hop further (relayed by a peer); claims go straight between the
# claiming garden and the origin, peered or not (the handlers check who may).
RELAYABLE = {("Offer", "Produce"), ("Update", "Produce"), ("Delete", "Produce")}
FROM_STRANGERS = {
    ("Create", "Claim"),
    ("Accept", "Claim"),
    ("Reject", "Claim"),
    ("Update", "Claim"),
    ("Undo", "Claim"),
}

HANDLERS = [
    ("Offer", "Produce", offer_arrived),
    ("Update", "Produce", offer_arrived),
    ("Delete", "Produce", offer_deleted),
    ("Create", "Claim", claim_arrived),
    ("Accept", "Claim", claim_accepted),
    ("Reject", "Claim", claim_rejected),
    ("Update", "Claim", claim_updated),
    ("Undo", "Claim", claim_undone),
    ("Create", "Tool", tool_arrived),
    ("Update", "Tool", tool_arrived),
    ("Delete", "Tool", tool_deleted),
    ("Create", "Loan", loan_arrived),
    ("Accept", "Loan", loan_accepted),
    ("Reject", "Loan", loan_rejected),
    ("Update", "Loan", loan_updated),
    ("Undo", "Loan", loan_undone),
]


def register() -> None:
    from federation.registry import handles

    for activity_type, object_type, function in HANDLERS:
        key = (activity_type, object_type)
        handles(
            activity_type,
            object_type,
            relayable=key in RELAYABLE,
            from_strangers=key in FROM_STRANGERS,
        )(function)
