"""Sending one push message to one device, in the worker (never during a request).

The payload is encrypted for the device (RFC 8291, aes128gcm) and signed with the node's
VAPID key by pywebpush. A device the push service reports gone (404, 410) is dropped.
"""

import json
import logging

import requests
from django.utils import timezone
from pywebpush import WebPushException, webpush

from . import vapid
from .models import PushSubscription

log = logging.getLogger(__name__)
TTL = 12 * 3600  # seconds a push service keeps a message for a device that is offline
TIMEOUT = 10
GONE = (404, 410)


def send(subscription: PushSubscription, payload: dict) -> bool:
    """Push `payload` (title, body, url) to one device; False if it was not delivered."""
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=vapid.key(),
            vapid_claims={"sub": vapid.subject()},  # a fresh dict: webpush adds to it
            ttl=TTL,
            timeout=TIMEOUT,
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in GONE:
            subscription.delete()
            log.info("push subscription %s is gone (%s); dropped", subscription.pk, status)
        else:
            log.warning("push to subscription %s failed: %s", subscription.pk, error)
        return False
    except requests.RequestException as error:
        log.warning("push to subscription %s failed: %s", subscription.pk, error)
        return False
    PushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=timezone.now())
    return True


def send_to(subscriptions, payload: dict) -> int:
    return sum(send(subscription, payload) for subscription in subscriptions)
