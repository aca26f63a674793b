"""The garden's side of federation: who our actor is, and telling coordinators about peers."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.text import slugify

from federation import registry, signals
from federation.models import Follower, Peer
from garden.core import live
from garden.members import services
from garden.members.models import Garden
from garden.members.notifications import notify

PEERS_URL = "/federation/peers/"
FOLLOWERS_URL = "/federation/followers/"


def local_actor() -> registry.LocalActor:
    garden = services.get_garden()
    return registry.LocalActor(
        name=garden.name,
        summary=garden.description,
        latitude=garden.latitude,
        longitude=garden.longitude,
        preferred_username=slugify(garden.name)[:60] or "garden",
    )


def _tell_coordinators(kind: str, peer: Peer | Follower, url: str = PEERS_URL) -> None:
    live.push_garden("federation", {"kind": kind})
    message = signals.MESSAGES[kind] % {"name": peer.display_name}
    for membership in services.coordinators():
        notify(membership.user, kind, message, url=url)


@receiver(signals.peering_requested, sender=Peer)
def peering_requested(sender, peer: Peer, **kwargs) -> None:
    _tell_coordinators("peering_request", peer)


@receiver(signals.peering_accepted, sender=Peer)
def peering_accepted(sender, peer: Peer, **kwargs) -> None:
    _tell_coordinators("peering_accepted", peer)


@receiver(signals.peering_ended, sender=Peer)
def peering_ended(sender, peer: Peer, **kwargs) -> None:
    _tell_coordinators("peering_ended", peer)


@receiver(signals.follow_requested, sender=Follower)
def follow_requested(sender, follower: Follower, **kwargs) -> None:
    _tell_coordinators("follow_request", follower, url=FOLLOWERS_URL)


@receiver(post_save, sender=Garden)
def announce_garden_change(sender, instance: Garden, created: bool, **kwargs) -> None:
    """Peers show our name and distance; tell them when either changes."""
    if created or not Peer.objects.filter(state=Peer.State.ACCEPTED).exists():
        return
    from federation.actors import local_actor_document
    from federation.outbox import publish

    document = local_actor_document()
    publish({"type": "Update", "object": document})


def connect() -> None:
    registry.set_local_actor_provider(local_actor)
