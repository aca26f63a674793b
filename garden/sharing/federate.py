"""What sharing sends to neighbour gardens, through the federation core's outbox.

Every function here is called inside the transaction of the change it reports
(transactional outbox). The vocabulary is documented in docs/sharing.md.
Activities name people by display name only.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from garden.core.errors import RuleError
from garden.members.models import Profile

from .models import Claim, Loan, Offer, SharingSettings, Tool


def _context() -> list:
    """ActivityStreams plus the sharing terms ActivityStreams lacks, so that a JSON-LD
    processor keeps them (tests/federation/test_jsonld.py checks every activity)."""
    from federation.contexts import ACTIVITY_CONTEXT, vocabulary

    terms = vocabulary(
        "Produce",
        "Tool",
        "Claim",
        "Loan",
        "quantity",
        "quantityLeft",
        "unit",
        "pickupPlace",
        "condition",
        "conditionNote",
        "status",
        "offeredBy",
        "claimant",
        "borrower",
        "start",
        "end",
        "hopLimit",
        "radiusKm",
        pickupFrom={"@type": "xsd:dateTime"},
        pickupUntil={"@type": "xsd:dateTime"},
        expires={"@type": "xsd:dateTime"},
        busy={"@container": "@list"},
    )
    return [*ACTIVITY_CONTEXT, terms]


def _outbox():
    from federation import outbox

    return outbox


def _peers():
    from federation import peers

    return peers


def object_url(kind: str, pk) -> str:
    return _outbox().local_object_id(kind, pk)


def radius_km() -> float:
    return float(SharingSettings.load().share_radius_km)


def neighbours() -> list:
    """Accepted peers within this garden's share radius."""
    return list(_peers().peers_within(radius_km()))


def every_peer() -> list:
    return list(_peers().accepted_peers())


def peer_for(actor_url: str):
    from federation.models import Peer

    return Peer.objects.filter(actor_url=actor_url, state="accepted").first()


# Sent to other nodes, so not translated for the person who happens to cause the send.
ANONYMOUS_NAME = "A gardener"


def public_name(user) -> str:
    """The display name a person chose, and nothing else: never the username or email."""
    if user is None:
        return ANONYMOUS_NAME
    profile = Profile.objects.filter(user=user).first()
    return (profile.display_name.strip() if profile else "") or ANONYMOUS_NAME


def _neighbour_or_refuse(actor_url: str):
    peer = peer_for(actor_url)
    if peer is None:
        raise RuleError(_("This garden is no longer one of our neighbours."), status=409)
    return peer


def _origin_or_refuse(actor_url: str):
    """The garden an offer came from, peered or not: claims go to the origin directly."""
    garden = _peers().reachable(actor_url)
    if garden is None:
        raise RuleError(_("This garden can not be reached from here any more."), status=409)
    return garden


def publish(activity: dict, to) -> None:
    recipients = list(to)
    if recipients:
        _outbox().publish({"@context": _context(), **activity}, to=recipients)


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{settings.ALLMENDE_URL}{url}"


def _image(item) -> dict | None:
    if not item.photo:
        return None
    return {"type": "Image", "url": _absolute(item.photo.url)}


def _amount(value) -> str:
    return f"{value:.2f}"


def _iso(value) -> str:
    return value.isoformat()


def produce_object(offer: Offer) -> dict:
    data = {
        "id": object_url("offers", offer.pk),
        "type": "Produce",
        "name": offer.crop,
        "quantity": _amount(offer.quantity),
        "quantityLeft": _amount(offer.quantity_left),
        "unit": offer.unit,
        "pickupFrom": _iso(offer.pickup_from),
        "pickupUntil": _iso(offer.pickup_until),
        "pickupPlace": offer.pickup_place,
        "expires": _iso(offer.expires_at),
        "offeredBy": {"type": "Person", "name": public_name(offer.offered_by)},
        "updated": _iso(offer.updated_at),
        # Our peers pass it on (hopLimit 1) to their peers within radiusKm of us.
        "hopLimit": SharingSettings.load().hop_limit,
        "radiusKm": radius_km(),
    }
    image = _image(offer)
    if image:
        data["image"] = image
    return data


def _shared_with_neighbours(offer: Offer) -> bool:
    return (
        not offer.is_remote
        and offer.audience in Offer.SHARED_WITH_NEIGHBOURS
        and offer.status == Offer.Status.OPEN
    )


def sync_offer(offer: Offer) -> None:
    """Bring the neighbours' copies in line: Offer when new to them, Update, or Delete."""
    if offer.is_remote:
        return
    wanted = _shared_with_neighbours(offer)
    if wanted and not offer.published:
        publish({"type": "Offer", "object": produce_object(offer)}, neighbours())
    elif wanted:
        publish({"type": "Update", "object": produce_object(offer)}, neighbours())
    elif offer.published:
        # Every peer, not only those in range now: the radius may have shrunk since.
        publish(
            {"type": "Delete", "object": _reference("offers", offer.pk, "Produce")},
            every_peer(),
        )
    if offer.published != wanted:
        Offer.objects.filter(pk=offer.pk).update(published=wanted)
        offer.published = wanted
    from garden.posts import services as posts

    posts.sync_offer(offer)  # the public's copy, for offers to "neighbour gardens and the public"


def send_claim(claim: Claim) -> None:
    """A member here claims part of a neighbour's offer: ask its origin."""
    offer = claim.offer
    peer = _origin_or_refuse(offer.origin_actor)
    publish(
        {
            "type": "Create",
            "object": {
                "id": object_url("claims", claim.pk),
                "type": "Claim",
                "object": offer.remote_id,
                "quantity": _amount(claim.quantity),
                "claimant": {"type": "Person", "name": public_name(claim.claimant)},
            },
        },
        [peer],
    )


def _undo(object_type: str, kind: str, pk: int, target: str, origin_actor: str) -> None:
    """Take back a request we sent to ``origin_actor`` about ``target`` (its object URL)."""
    peer = _origin_or_refuse(origin_actor)
    publish(
        {
            "type": "Undo",
            "object": {"id": object_url(kind, pk), "type": object_type, "object": target},
        },
        [peer],
    )


def withdraw_claim(claim: Claim) -> None:
    """Our member withdraws a claim on a neighbour's offer: its origin frees the quantity."""
    _undo("Claim", "claims", claim.pk, claim.offer.remote_id, claim.offer.origin_actor)


def withdraw_loan_request(loan: Loan) -> None:
    """Our member withdraws a request to borrow a neighbour's tool."""
    _undo("Loan", "loans", loan.pk, loan.tool.remote_id, loan.tool.origin_actor)


def answer_claim(claim: Claim) -> None:
    """The origin tells the claiming garden: Accept (confirmed) or Reject (declined)."""
    peer = _peers().reachable(claim.remote_actor)
    if peer is None:
        return
    kind = "Accept" if claim.status == Claim.Status.CONFIRMED else "Reject"
    activity = {
        "type": kind,
        "object": {
            "id": claim.remote_id,
            "type": "Claim",
            "object": object_url("offers", claim.offer_id),
            "quantity": _amount(claim.quantity),
        },
    }
    if claim.reason:
        activity["summary"] = claim.reason
    publish(activity, [peer])


def claim_picked_up(claim: Claim) -> None:
    peer = _peers().reachable(claim.remote_actor) if claim.remote_actor else None
    if peer is None:
        return
    publish(
        {
            "type": "Update",
            "object": {"id": claim.remote_id, "type": "Claim", "status": "picked_up"},
        },
        [peer],
    )


def booked_periods(tool: Tool) -> list[dict]:
    if tool.is_remote:
        return list(tool.remote_busy)
    loans = getattr(tool, "booked_loans", None)  # prefetched by services.with_bookings()
    if loans is None:
        loans = tool.loans.filter(status__in=Loan.BOOKED).order_by("start_date")
    return [{"start": str(loan.start_date), "end": str(loan.end_date)} for loan in loans]


def tool_object(tool: Tool) -> dict:
    data = {
        "id": object_url("tools", tool.pk),
        "type": "Tool",
        "name": tool.name,
        "summary": tool.description,
        "condition": tool.condition,
        "busy": booked_periods(tool),
        "updated": _iso(tool.updated_at),
    }
    image = _image(tool)
    if image:
        data["image"] = image
    return data


def sync_tool(tool: Tool) -> None:
    if tool.is_remote:
        return
    wanted = tool.active and tool.lend_to_neighbours
    if wanted:
        kind = "Update" if tool.published else "Create"
        publish({"type": kind, "object": tool_object(tool)}, neighbours())
    elif tool.published:
        publish(
            {"type": "Delete", "object": _reference("tools", tool.pk, "Tool")},
            every_peer(),
        )
    if tool.published != wanted:
        Tool.objects.filter(pk=tool.pk).update(published=wanted)
        tool.published = wanted


def send_loan_request(loan: Loan) -> None:
    tool = loan.tool
    peer = _neighbour_or_refuse(tool.origin_actor)
    publish(
        {
            "type": "Create",
            "object": {
                "id": object_url("loans", loan.pk),
                "type": "Loan",
                "object": tool.remote_id,
                "startTime": str(loan.start_date),
                "endTime": str(loan.end_date),
                "content": loan.note,
                "borrower": {"type": "Person", "name": public_name(loan.borrower)},
            },
        },
        [peer],
    )


def loan_state_changed(loan: Loan) -> None:
    """Owner's side: tell the borrowing garden each step (Accept, Reject, Update)."""
    if not loan.remote_actor or loan.status == Loan.Status.CANCELLED:
        return  # only the borrowing garden cancels (an Undo), and it knows
    peer = peer_for(loan.remote_actor)
    if peer is None:
        return
    inner = {"id": loan.remote_id, "type": "Loan", "object": object_url("tools", loan.tool_id)}
    if loan.status == Loan.Status.APPROVED:
        activity = {"type": "Accept", "object": inner}
    elif loan.status == Loan.Status.DECLINED:
        activity = {"type": "Reject", "object": inner}
        if loan.reason:
            activity["summary"] = loan.reason
    else:
        inner["status"] = loan.status
        if loan.return_note:
            inner["conditionNote"] = loan.return_note
        activity = {"type": "Update", "object": inner}
    publish(activity, [peer])


def welcome_peer(sender, peer, **kwargs) -> None:
    """A garden just peered with us: if it is in range, send what we share right now."""
    from django.db import transaction

    if peer.distance_km is None or peer.distance_km > radius_km():
        return
    with transaction.atomic():
        for offer in _published_offers():
            publish({"type": "Offer", "object": produce_object(offer)}, [peer])
        for tool in Tool.objects.filter(origin_actor="", published=True):
            publish({"type": "Create", "object": tool_object(tool)}, [peer])


def _published_offers():
    from django.utils import timezone

    return Offer.objects.filter(
        origin_actor="", published=True, status=Offer.Status.OPEN, expires_at__gt=timezone.now()
    )


def radius_changed() -> None:
    """The share radius changed: gardens now in range get our copies, the others lose them."""
    in_range = neighbours()
    near = {peer.pk for peer in in_range}
    far = [peer for peer in every_peer() if peer.pk not in near]
    for offer in _published_offers():
        publish({"type": "Update", "object": produce_object(offer)}, in_range)
        publish({"type": "Delete", "object": _reference("offers", offer.pk, "Produce")}, far)
    for tool in Tool.objects.filter(origin_actor="", published=True):
        publish({"type": "Update", "object": tool_object(tool)}, in_range)
        publish({"type": "Delete", "object": _reference("tools", tool.pk, "Tool")}, far)


def _reference(kind: str, pk, object_type: str) -> dict:
    return {"id": object_url(kind, pk), "type": object_type}
