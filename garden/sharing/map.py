"""What the sharing map shows: our garden, our peers, gardens suggested to us and the open
offers, each with a position; one function for the page and the API."""

from __future__ import annotations

from django.conf import settings

from garden.members.services import get_garden

from . import services

MAX_OFFERS = 300


def tile_layer() -> dict:
    """The tile server (``MAP_TILE_URL``; empty: no tiles, markers on a plain background)."""
    return {
        "url": getattr(settings, "MAP_TILE_URL", ""),
        "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    }


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _positions() -> dict[str, tuple[float | None, float | None]]:
    """Where each garden we know of is: peers' rows, then actor documents we fetched (the
    origins of offers that reached us through a peer)."""
    from federation.actors import location_of
    from federation.models import Peer, RemoteActor

    found = {}
    for actor, document in RemoteActor.objects.values_list("actor_url", "document"):
        found[actor] = location_of(document or {})
    for actor, latitude, longitude in Peer.objects.values_list(
        "actor_url", "latitude", "longitude"
    ):
        if latitude is not None and longitude is not None:
            found[actor] = (latitude, longitude)
    return found


def map_data(crop: str = "", *, with_suggestions: bool = True) -> dict:
    from federation import discovery
    from federation.peers import accepted_peers

    garden = get_garden()
    here = {"name": garden.name, "latitude": garden.latitude, "longitude": garden.longitude}
    peers = [
        {
            "name": peer.display_name,
            "actor_url": peer.actor_url,
            "latitude": peer.latitude,
            "longitude": peer.longitude,
            "distance_km": _round(peer.distance_km),
        }
        for peer in accepted_peers()
    ]
    suggestions = [
        {
            "id": suggestion.pk,
            "name": suggestion.name or suggestion.actor_url,
            "actor_url": suggestion.actor_url,
            "latitude": suggestion.latitude,
            "longitude": suggestion.longitude,
            "distance_km": _round(suggestion.distance_km),
            "known_by": len(suggestion.known_by or []),
        }
        for suggestion in (discovery.open_suggestions() if with_suggestions else [])
    ]
    positions = _positions()
    offers = []
    for offer in services.nearby(services.NearbyFilter(crop=crop))[:MAX_OFFERS]:
        latitude, longitude = (
            positions.get(offer.origin_actor, (None, None))
            if offer.is_remote
            else (garden.latitude, garden.longitude)
        )
        offers.append(
            {
                "id": offer.pk,
                "crop": offer.crop,
                "quantity_left": float(offer.quantity_left),
                "unit": offer.unit,
                "garden": offer.origin_name if offer.is_remote else garden.name,
                "latitude": latitude,
                "longitude": longitude,
                "distance_km": _round(offer.distance_km) if offer.is_remote else 0.0,
            }
        )
    return {
        "garden": here,
        "peers": peers,
        "suggestions": suggestions,
        "offers": offers,
        "tiles": tile_layer(),
    }
