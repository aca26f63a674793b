"""Push events to open pages over the channel layer (see garden/core/consumers.py).

Pushes are sent after the surrounding transaction commits, so a page never
shows a change that was rolled back. Without a consumer listening they are no-ops.
"""

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

log = logging.getLogger(__name__)

GARDEN_GROUP = "garden"


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def live_message(event: str, data: dict) -> dict:
    """The channel-layer message for one event, its frame serialised once here rather than
    once per open page in the consumer."""
    text = json.dumps({"event": event, "data": data}, cls=DjangoJSONEncoder)
    return {"type": "live.event", "text": text}


def _send(group: str, event: str, data: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, live_message(event, data))
    except Exception:  # a live update is a courtesy; never fail the change for it
        log.warning("live push to %s failed", group, exc_info=True)


def push_garden(event: str, data: dict) -> None:
    transaction.on_commit(lambda: _send(GARDEN_GROUP, event, data))


def push_user(user_id: int, event: str, data: dict) -> None:
    transaction.on_commit(lambda: _send(user_group(user_id), event, data))
