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


def handles(activity_type: str, object_type: str | None = None, *, from_anyone: bool = False):
    """Register ``handler(activity, sender_peer)`` for activities of that type (and, if given,
    whose object — for Undo/Delete/Update/Accept/Reject the inner object — has that type).
    ``from_anyone``: for activities from actors that are not peered gardens too."""

    def register(handler: Handler) -> Handler:
        (_public_handlers if from_anyone else _handlers)[(activity_type, object_type)] = handler
        return handler

    return register


def unregister(activity_type: str, object_type: str | None = None) -> None:
    _handlers.pop((activity_type, object_type), None)


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
