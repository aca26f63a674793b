"""What the federation tables no longer need: old inbox ids and finished deliveries."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .authentication import FUTURE_SKEW, replay_window
from .models import Delivery, InboxActivity, OutboxActivity


def prune_inbox_ids(now=None) -> int:
    """Ids of activities older than the replay window: their proofs are refused anyway."""
    cutoff = (now or timezone.now()) - replay_window() - FUTURE_SKEW
    deleted, _ = InboxActivity.objects.filter(handled=True, received_at__lt=cutoff).delete()
    return deleted


def keep_delivered() -> timedelta:
    return timedelta(days=float(getattr(settings, "FEDERATION_KEEP_DELIVERED_DAYS", 30)))


def prune_deliveries(now=None) -> int:
    """Deliveries done long ago, and the private activities left with none.

    Public activities stay: they are the actor's outbox, which peers page through."""
    cutoff = (now or timezone.now()) - keep_delivered()
    deleted, _ = Delivery.objects.filter(
        state=Delivery.State.DELIVERED, delivered_at__lt=cutoff
    ).delete()
    orphans, _ = OutboxActivity.objects.filter(
        Q(public=False) & Q(created_at__lt=cutoff) & Q(deliveries__isnull=True)
    ).delete()
    return deleted + orphans
