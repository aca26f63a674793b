"""Gardens find each other without a central server.

Each garden publishes the gardens it peers with (``/neighbours``, unless its coordinators
switch that off), listing only those that agreed (``discoverable`` in their actor document).
A garden reads its peers' lists (a periodic job, and on demand) and suggests the gardens
within a distance that it neither peers with nor blocks, with how many of its peers know each.
A coordinator can also introduce two peers to each other: a signed ``Offer`` of one garden
(an ``Organization``) to the other, which the recipient sees as a suggestion from that peer.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from .actors import (
    AS_CONTEXT,
    actor_id,
    cached_actor,
    check_actor_document,
    location_of,
    origin,
    plain_text,
    remember_actor,
)
from .errors import FederationError, FetchError
from .http import fetch_json
from .models import FederationSettings, Peer, Suggestion
from .outbox import publish
from .peers import PeeringError, accepted_peers, distance_from_here, request_peering

try:
    from django.tasks import task  # Django 6
except ImportError:  # Django 5.2 with the django-tasks backport
    from django_tasks import task

log = logging.getLogger(__name__)

MAX_LISTED = 500
# Peers in these states are not suggested: we peer, asked, were asked, or blocked them.
NOT_SUGGESTED = [
    Peer.State.ACCEPTED,
    Peer.State.REQUESTED,
    Peer.State.PENDING,
    Peer.State.BLOCKED,
]


def neighbours_url() -> str:
    from django.conf import settings

    return f"{settings.ALLMENDE_URL}/neighbours"


def is_listable(document: dict | None) -> bool:
    """Whether a garden agreed to appear in its peers' lists (its actor document says so)."""
    return bool(document) and document.get("discoverable") is True


def _place(peer: Peer) -> dict | None:
    if peer.latitude is None or peer.longitude is None:
        return None
    return {"type": "Place", "latitude": peer.latitude, "longitude": peer.longitude}


def neighbours_document() -> dict | None:
    """Our published list of peers (None when the coordinators keep it private)."""
    if not FederationSettings.current().publish_peers:
        return None
    items = []
    for peer in accepted_peers().order_by("name", "pk"):
        if not is_listable(cached_actor(peer.actor_url)):
            continue
        item = {"id": peer.actor_url, "type": "Organization", "name": peer.name}
        place = _place(peer)
        if place:
            item["location"] = place
        items.append(item)
    return {
        "@context": AS_CONTEXT,
        "id": neighbours_url(),
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }


def suggestion_radius_km() -> float | None:
    """How far we look: the coordinators' setting, else the radius the garden shares within."""
    from .registry import default_suggestion_km

    chosen = FederationSettings.current().suggest_within_km
    return float(chosen) if chosen is not None else default_suggestion_km()


def _listed_by(peer: Peer) -> list[dict]:
    """The gardens one peer lists (fetched from the peer; nothing if it publishes none)."""
    try:
        document = check_actor_document(fetch_json(peer.actor_url), expected_id=peer.actor_url)
        remember_actor(document)
        url = document.get("neighbours")
        if not isinstance(url, str) or origin(url) != origin(peer.actor_url):
            return []
        listing = fetch_json(url)
    except FetchError as exc:
        log.info("could not read the neighbours of %s: %s", peer.actor_url, exc.message)
        return []
    items = listing.get("orderedItems") or listing.get("items") or []
    return [item for item in items[:MAX_LISTED] if isinstance(item, dict)]


def _candidate(item: dict) -> dict | None:
    actor = item.get("id")
    if not isinstance(actor, str) or not actor.startswith(("https://", "http://")):
        return None
    if len(actor) > 500:
        return None
    latitude, longitude = location_of(item)
    return {
        "actor_url": actor,
        "name": plain_text(item.get("name"), 200),
        "latitude": latitude,
        "longitude": longitude,
    }


def refresh(peers: Iterable[Peer] | None = None) -> int:
    """Read our peers' lists and bring the suggestions up to date; returns how many are open."""
    found: dict[str, dict] = {}
    for peer in list(peers if peers is not None else accepted_peers()):
        for item in _listed_by(peer):
            candidate = _candidate(item)
            if candidate is None:
                continue
            entry = found.setdefault(candidate["actor_url"], {**candidate, "known_by": []})
            if peer.actor_url not in entry["known_by"]:
                entry["known_by"].append(peer.actor_url)
    _store(found)
    return len(open_suggestions())


@transaction.atomic
def _store(found: dict[str, dict]) -> None:
    radius = suggestion_radius_km()
    excluded = set(Peer.objects.filter(state__in=NOT_SUGGESTED).values_list("actor_url", flat=True))
    excluded.add(actor_id())
    kept = []
    for actor, entry in found.items():
        distance = distance_from_here(entry["latitude"], entry["longitude"])
        if actor in excluded or distance is None or (radius is not None and distance > radius):
            continue
        Suggestion.objects.update_or_create(actor_url=actor, defaults=entry)
        kept.append(actor)
    # Gardens no peer lists (near enough) any more are no longer suggested, unless introduced.
    stale = Suggestion.objects.exclude(actor_url__in=kept)
    stale.filter(introduced_by="").delete()
    stale.update(known_by=[])


def open_suggestions() -> list[Suggestion]:
    """Open suggestions we still neither peer with nor block, nearest first."""
    excluded = Peer.objects.filter(state__in=NOT_SUGGESTED).values_list("actor_url", flat=True)
    rows = list(
        Suggestion.objects.filter(state=Suggestion.State.OPEN).exclude(actor_url__in=excluded)
    )
    return sorted(rows, key=lambda s: (s.distance_km is None, s.distance_km or 0, s.name))


@task(queue_name="federation")
def refresh_suggestions() -> int:
    """The periodic job: read every peer's list."""
    return refresh()


def peer_with(suggestion: Suggestion) -> Peer:
    """One click: ask the suggested garden to peer (its actor document is fetched afresh)."""
    peer = request_peering(suggestion.actor_url)
    Suggestion.objects.filter(pk=suggestion.pk).delete()
    return peer


def dismiss(suggestion: Suggestion) -> Suggestion:
    suggestion.state = Suggestion.State.DISMISSED
    suggestion.save(update_fields=["state", "updated_at"])
    return suggestion


def _introduction(peer: Peer) -> dict:
    item = {"id": peer.actor_url, "type": "Organization", "name": peer.name}
    place = _place(peer)
    if place:
        item["location"] = place
    return item


@transaction.atomic
def introduce(first: Peer, second: Peer) -> None:
    """Recommend two of our peers to each other (each gets a signed Offer of the other)."""
    if first.pk == second.pk:
        raise PeeringError(_("Choose two different gardens."), status=400)
    for peer in (first, second):
        if peer.state != Peer.State.ACCEPTED:
            raise PeeringError(_("Only gardens we peer with can be introduced."), status=409)
    publish({"type": "Offer", "object": _introduction(second)}, to=[first], public=False)
    publish({"type": "Offer", "object": _introduction(first)}, to=[second], public=False)


def received_introduction(activity: dict, sender: Peer) -> None:
    """A peer recommends a garden to us (inside the inbox transaction)."""
    candidate = _candidate(activity.get("object") or {})
    if candidate is None:
        raise FederationError("The introduction names no garden.", 400)
    actor = candidate["actor_url"]
    if (
        actor == actor_id()
        or Peer.objects.filter(actor_url=actor, state__in=NOT_SUGGESTED).exists()
    ):
        return
    suggestion = Suggestion.objects.select_for_update().filter(actor_url=actor).first()
    if suggestion is None:
        suggestion = Suggestion(actor_url=actor, known_by=[])
    suggestion.name = candidate["name"] or suggestion.name
    suggestion.latitude = candidate["latitude"]
    suggestion.longitude = candidate["longitude"]
    suggestion.introduced_by = sender.display_name[:200]
    suggestion.state = Suggestion.State.OPEN
    suggestion.save()
