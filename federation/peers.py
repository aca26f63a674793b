"""Peering: asking a neighbour garden, answering its request, ending, blocking.

Peering is mutual: once a Follow is accepted both nodes deliver to each other.
"""

import math
import re
from urllib.parse import quote, urlsplit

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from . import signals
from .actors import (
    check_actor_document,
    fetch_actor,
    location_of,
    plain_text,
    remember_actor,
)
from .errors import FederationError, FetchError
from .http import fetch_json, insecure_allowed
from .models import Delivery, FederationSettings, Peer
from .outbox import publish
from .registry import local_actor

HANDLE = re.compile(r"^@?(?P<user>[^@\s/]+)@(?P<host>[^@\s/]+)$")
DOMAIN = re.compile(r"^[A-Za-z0-9.-]+(:\d+)?/?$")
EARTH_RADIUS_KM = 6371.0088


class PeeringError(FederationError):
    """A peering step that is not possible now; the message says why."""


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_from_here(latitude: float | None, longitude: float | None) -> float | None:
    me = local_actor()
    if None in (latitude, longitude, me.latitude, me.longitude):
        return None
    return distance_km(me.latitude, me.longitude, latitude, longitude)


def accepted_peers() -> QuerySet[Peer]:
    return Peer.objects.filter(state=Peer.State.ACCEPTED)


def peers_within(km: float) -> list[Peer]:
    """Accepted peers whose distance from us is known and at most ``km``."""
    return [
        peer for peer in accepted_peers() if peer.distance_km is not None and peer.distance_km <= km
    ]


def reachable(actor_url: str) -> Peer | None:
    """Where to send an answer to a garden: our accepted peer, or — for one we do not peer
    with but heard from (a claim on an offer that reached it through a peer) — an unsaved
    ``Peer`` made from its actor document as last fetched. None if blocked or never heard of."""
    from .actors import cached_actor

    peer = Peer.objects.filter(actor_url=actor_url).first()
    if peer is not None and peer.state == Peer.State.ACCEPTED:
        return peer
    if peer is not None and peer.state == Peer.State.BLOCKED:
        return None
    document = cached_actor(actor_url)
    if document is None:
        return None
    return update_from_document(
        peer or Peer(actor_url=actor_url, state=Peer.State.REJECTED), document
    )


def resolve_address(address: str) -> dict:
    """Find a garden's actor document from what a person would type: ``@name@host`` (or
    ``name@host``, ``acct:name@host``), a domain, the site's URL, or the actor URL."""
    address = (address or "").strip()
    if address.lower().startswith("acct:"):
        address = address[5:]
    match = HANDLE.match(address)
    try:
        if match:
            return _by_webfinger(match["host"], f"acct:{match['user']}@{match['host']}")
        if "://" not in address and DOMAIN.match(address):
            address = f"{_scheme_for(address)}://{address}/"
        try:
            parts = urlsplit(address)
        except ValueError:  # "http://[::1": not a URL at all
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise PeeringError(_("Enter the garden's web address or its @name@host address."))
        return _by_url(address)
    except FetchError as exc:
        reason = {"reason": exc.message}
        raise PeeringError(_("Could not reach that garden: %(reason)s") % reason) from exc


def _scheme_for(host: str) -> str:
    return "http" if insecure_allowed() and _is_local(host) else "https"


def _by_webfinger(host: str, resource: str) -> dict:
    jrd = fetch_json(
        f"{_scheme_for(host)}://{host}/.well-known/webfinger?resource={quote(resource, safe='')}",
        accept="application/jrd+json, application/json",
    )
    links = jrd.get("links") if isinstance(jrd.get("links"), list) else []
    for link in links:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and isinstance(link.get("href"), str)
        ):
            return fetch_actor(link["href"])
    raise PeeringError(_("That address does not name a garden."))


def _by_url(address: str) -> dict:
    """The URL is the actor; else the site asks WebFinger about itself; else ``/actor``."""
    try:
        return check_actor_document(fetch_json(address))
    except FetchError:
        pass
    host = urlsplit(address).netloc
    try:
        return _by_webfinger(host, address)
    except (FetchError, PeeringError):
        pass
    parts = urlsplit(address)
    return fetch_actor(f"{parts.scheme}://{parts.netloc}/actor")


def _is_local(host: str) -> bool:
    hostname = host.rsplit(":", 1)[0].strip("[]")
    return hostname in {"127.0.0.1", "localhost", "::1"}


def update_from_document(peer: Peer, document: dict) -> Peer:
    """Copy what we show about a peer from its (verified) actor document."""
    peer.name = plain_text(document.get("name"), 200)
    peer.summary = plain_text(document.get("summary"), 1000)
    peer.inbox_url = document["inbox"]
    outbox = document.get("outbox")
    peer.outbox_url = outbox if isinstance(outbox, str) else ""
    peer.latitude, peer.longitude = location_of(document)
    username = plain_text(document.get("preferredUsername"), 100)
    if username:
        peer.handle = f"{username}@{urlsplit(document['id']).netloc}"[:300]
    return peer


def _peer_for(document: dict) -> Peer:
    peer = Peer.objects.select_for_update().filter(actor_url=document["id"]).first()
    if peer is None:
        peer = Peer(actor_url=document["id"], state=Peer.State.REJECTED)
    return update_from_document(peer, document)


def request_peering(address: str) -> Peer:
    """Ask another garden to peer: a signed Follow to its inbox."""
    from .actors import actor_id

    # Fetch before the transaction: no lock is held while the network answers.
    document = resolve_address(address)
    if document["id"] == actor_id():
        raise PeeringError(_("That is this garden itself."))
    return _request_peering(document)


@transaction.atomic
def _request_peering(document: dict) -> Peer:
    remember_actor(document)
    peer = _peer_for(document)
    if peer.state == Peer.State.BLOCKED:
        raise PeeringError(_("This garden is blocked. Unblock it first."), status=409)
    if peer.state == Peer.State.ACCEPTED:
        raise PeeringError(_("You are already peered with this garden."), status=409)
    if peer.state == Peer.State.PENDING:
        peer.save()
        return accept(peer)
    peer.state = Peer.State.REQUESTED
    peer.follow_by_us = True
    peer.save()
    follow = publish({"type": "Follow", "object": peer.actor_url}, to=[peer], public=False)
    peer.follow_id = follow.activity_id
    peer.save(update_fields=["follow_id"])
    return peer


def _follow_reference(peer: Peer) -> dict:
    """The Follow an Accept/Reject/Undo answers, embedded so the receiver can match it."""
    from .actors import actor_id

    if peer.follow_by_us:
        return {
            "id": peer.follow_id,
            "type": "Follow",
            "actor": actor_id(),
            "object": peer.actor_url,
        }
    return {"id": peer.follow_id, "type": "Follow", "actor": peer.actor_url, "object": actor_id()}


def _locked(peer: Peer) -> Peer:
    return Peer.objects.select_for_update().get(pk=peer.pk)


def _answer(peer: Peer, allowed: tuple[str, ...], refusal: str, new_state: str, kind: str) -> Peer:
    """Move a peer to ``new_state`` and tell it with an activity about the Follow."""
    peer = _locked(peer)
    if peer.state not in allowed:
        raise PeeringError(refusal, status=409)
    peer.state = new_state
    peer.save(update_fields=["state", "updated_at"])
    publish({"type": kind, "object": _follow_reference(peer)}, to=[peer], public=False)
    return peer


@transaction.atomic
def accept(peer: Peer) -> Peer:
    """Accept a garden's request; by hand, automatically within the radius, or when both asked.
    Every way sends peering_accepted, so domain apps can welcome the new peer."""
    refusal = _("There is no open request from this garden.")
    peer = _answer(peer, (Peer.State.PENDING,), refusal, Peer.State.ACCEPTED, "Accept")
    signals.peering_accepted.send(Peer, peer=peer)
    return peer


@transaction.atomic
def reject(peer: Peer) -> Peer:
    refusal = _("There is no open request from this garden.")
    return _answer(peer, (Peer.State.PENDING,), refusal, Peer.State.REJECTED, "Reject")


@transaction.atomic
def end(peer: Peer) -> Peer:
    """Stop peering: Undo our Follow, or Reject theirs (as fediverse software does)."""
    kind = "Undo" if peer.follow_by_us else "Reject"
    allowed = (Peer.State.ACCEPTED, Peer.State.REQUESTED)
    refusal = _("You are not peered with this garden.")
    return _answer(peer, allowed, refusal, Peer.State.REJECTED, kind)


@transaction.atomic
def block(peer: Peer) -> Peer:
    """Refuse the peer's messages (403) and stop delivering to it."""
    peer = _locked(peer)
    peer.state = Peer.State.BLOCKED
    peer.save(update_fields=["state", "updated_at"])
    Delivery.objects.filter(
        peer=peer, state__in=[Delivery.State.QUEUED, Delivery.State.SENDING]
    ).update(state=Delivery.State.FAILED, last_error="blocked")
    return peer


@transaction.atomic
def unblock(peer: Peer) -> Peer:
    peer = _locked(peer)
    if peer.state != Peer.State.BLOCKED:
        raise PeeringError(_("This garden is not blocked."), status=409)
    peer.state = Peer.State.REJECTED
    peer.save(update_fields=["state", "updated_at"])
    return peer


def received_follow(activity: dict, document: dict) -> Peer:
    """Another garden asks to peer (inside the inbox transaction)."""
    peer = _peer_for(document)
    peer.follow_id = activity["id"]
    peer.follow_by_us = False
    if peer.state == Peer.State.ACCEPTED or peer.state == Peer.State.REQUESTED:
        # Both asked at once, or they lost our Accept: peer and confirm.
        peer.state = Peer.State.PENDING
        peer.save()
        return accept(peer)
    peer.state = Peer.State.PENDING
    peer.save()
    radius = FederationSettings.current().auto_accept_km
    if radius is not None and peer.distance_km is not None and peer.distance_km <= radius:
        return accept(peer)
    signals.peering_requested.send(Peer, peer=peer)
    return peer


def received_answer(activity: dict, peer: Peer) -> None:
    """Accept/Reject/Undo of a Follow between us and ``peer``."""
    peer = _locked(peer)
    kind = activity["type"]
    if kind == "Accept" and peer.state == Peer.State.REQUESTED:
        peer.state = Peer.State.ACCEPTED
        peer.save(update_fields=["state", "updated_at"])
        signals.peering_accepted.send(Peer, peer=peer)
    elif kind in ("Reject", "Undo") and peer.state != Peer.State.BLOCKED:
        was = peer.state
        peer.state = Peer.State.REJECTED
        peer.save(update_fields=["state", "updated_at"])
        if was != Peer.State.REJECTED:
            signals.peering_ended.send(Peer, peer=peer)
