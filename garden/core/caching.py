"""Cached results that a change of their data must invalidate."""

from django.core.cache import cache
from django.db import transaction


def forget(key: str) -> None:
    """Drop a cached result now, and again once the surrounding transaction commits: a
    request that rebuilt it meanwhile read the data without the uncommitted change."""
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
