"""How domain apps plug into federation without federation importing them.

``@handles("Offer")`` registers a handler for incoming activities; the garden tells us who
this node's actor is with ``set_local_actor_provider``; ``is_admin`` asks the garden (through
``settings.FEDERATION_ADMIN_CHECK``) who may manage peers.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

Handler = Callable[[dict, "object"], None]

_handlers: dict[tuple[str, str | None], Handler] = {}
# Which handled kinds may also arrive relayed by a peer (Announce), or from a garden we do not
# peer with (the handler then decides, e.g. by distance).
_relayable: set[tuple[str, str | None]] = set()
_from_strangers: set[tuple[str, str | None]] = set()
# Handlers for activities from anyone who is not blocked (people on Mastodon replying to a
# public post), kept apart from the peers' handlers: a peered garden's activity goes to its
# peer handler when there is one, everyone else's only to these (``sender_peer`` None).
_public_handlers: dict[tuple[str, str | None], Handler] = {}


@dataclass(frozen=True)
class LocalActor:
    name: str
    summary: str = ""
    latitude: float | None = None
    longitude: float | None = None
    preferred_username: str = "garden"


def _default_provider() -> LocalActor:
    return LocalActor(name="Allmende")


_provider: Callable[[], LocalActor] = _default_provider


def handles(
    activity_type: str,
    object_type: str | None = None,
    *,
    relayable: bool = False,
    from_strangers: bool = False,
    from_anyone: bool = False,
):
    """Register ``handler(activity, sender_peer)`` for activities of that type (and, if given,
    whose object — for Undo/Delete/Update/Accept/Reject the inner object — has that type).

    ``relayable``: the activity may also reach us embedded in a peer's ``Announce``; the
    handler then gets the origin as ``sender`` (an unsaved ``Peer`` unless we peer with it)
    with ``sender.relayed_by`` set to the relaying peer. ``from_strangers``: gardens we do not
    peer with (and have not blocked) may send it; ``sender.state`` says which it is.
    ``from_anyone``: a handler for actors that are not peered gardens (people on Mastodon),
    kept apart from the gardens' handlers; it gets ``sender_peer`` None for them."""

    def register(handler: Handler) -> Handler:
        key = (activity_type, object_type)
        if from_anyone:
            _public_handlers[key] = handler
            return handler
        _handlers[key] = handler
        (_relayable.add if relayable else _relayable.discard)(key)
        (_from_strangers.add if from_strangers else _from_strangers.discard)(key)
        return handler

    return register


def _key_of(activity: dict) -> tuple[str, str | None] | None:
    activity_type = activity.get("type")
    if not isinstance(activity_type, str):
        return None
    key = (activity_type, object_type_of(activity))
    return key if key in _handlers else ((activity_type, None) if activity_type else None)


def is_relayable(activity: dict) -> bool:
    return _key_of(activity) in _relayable


def accepts_strangers(activity: dict) -> bool:
    return _key_of(activity) in _from_strangers


def unregister(activity_type: str, object_type: str | None = None) -> None:
    _handlers.pop((activity_type, object_type), None)
    _relayable.discard((activity_type, object_type))
    _from_strangers.discard((activity_type, object_type))


def object_type_of(activity: dict) -> str | None:
    """The type of the activity's object (for Undo/Update/Accept … the wrapped object)."""
    obj = activity.get("object")
    kind = obj.get("type") if isinstance(obj, dict) else None
    return kind if isinstance(kind, str) else None


def handler_for(activity: dict, *, from_anyone: bool = False) -> Handler | None:
    """The peers' handler for this activity (``from_anyone``: the handler for anyone's)."""
    activity_type = activity.get("type")
    if not isinstance(activity_type, str):
        return None
    object_type = object_type_of(activity)
    handlers = _public_handlers if from_anyone else _handlers
    return handlers.get((activity_type, object_type)) or handlers.get((activity_type, None))


_suggestion_km: Callable[[], float | None] | None = None


def set_default_suggestion_km(provider: Callable[[], float | None]) -> None:
    """How far to suggest gardens when the coordinators chose nothing (the garden's share
    radius: sharing tells us, as federation does not import it)."""
    global _suggestion_km
    _suggestion_km = provider


def default_suggestion_km() -> float | None:
    return _suggestion_km() if _suggestion_km is not None else None


def set_local_actor_provider(provider: Callable[[], LocalActor]) -> None:
    global _provider
    _provider = provider


def local_actor() -> LocalActor:
    return _provider()


def is_admin(user) -> bool:
    """May this user manage peers? Asks the dotted path in ``FEDERATION_ADMIN_CHECK``."""
    if not getattr(user, "is_authenticated", False):
        return False
    check_path = getattr(settings, "FEDERATION_ADMIN_CHECK", "")
    if not check_path:
        return bool(getattr(user, "is_superuser", False))
    return bool(import_string(check_path)(user))
