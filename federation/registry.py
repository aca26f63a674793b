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
# Handlers that take activities from any actor that is not blocked (replies from people),
# not only from peered gardens; they get ``sender_peer`` None for such actors.
_open_to_anyone: set[Handler] = set()


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
    ``from_anyone``: also from actors that are not peered gardens (followers, people)."""

    def register(handler: Handler) -> Handler:
        _handlers[(activity_type, object_type)] = handler
        if from_anyone:
            _open_to_anyone.add(handler)
        return handler

    return register


def unregister(activity_type: str, object_type: str | None = None) -> None:
    _handlers.pop((activity_type, object_type), None)


def object_type_of(activity: dict) -> str | None:
    """The type of the activity's object (for Undo/Update/Accept … the wrapped object)."""
    obj = activity.get("object")
    kind = obj.get("type") if isinstance(obj, dict) else None
    return kind if isinstance(kind, str) else None


def handler_for(activity: dict) -> Handler | None:
    activity_type = activity.get("type")
    if not isinstance(activity_type, str):
        return None
    object_type = object_type_of(activity)
    return _handlers.get((activity_type, object_type)) or _handlers.get((activity_type, None))


def accepts_anyone(handler: Handler) -> bool:
    return handler in _open_to_anyone


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
