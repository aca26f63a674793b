"""With Redis, every cache object of a process shares one connection pool
(garden/core/redis_cache.py): a request that touches the cache does not open a connection."""

import os
import uuid

import pytest
import redis
from django.core.cache import CacheHandler

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


def cache_settings(backend: str, name: str) -> dict:
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": name,
            "OPTIONS": {"client_name": name},  # to find its connections in CLIENT LIST
        }
    }


def connections_named(name: str) -> int:
    server = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        return sum(1 for client in server.client_list() if client.get("name") == name)
    finally:
        server.close()


def use_fresh_cache_objects(backend: str, name: str, count: int) -> list:
    """As ``count`` requests do: each gets a cache object of its own and uses it."""
    kept = []  # kept alive, as under load many requests' objects are at once
    for n in range(count):
        cache = CacheHandler(settings=cache_settings(backend, name))["default"]
        cache.set(f"key-{n}", n)
        assert cache.get(f"key-{n}") == n
        kept.append(cache)
    return kept


def test_fresh_cache_objects_share_one_connection():
    name = f"allmende-test-{uuid.uuid4().hex[:8]}"
    kept = use_fresh_cache_objects("garden.core.redis_cache.SharedPoolRedisCache", name, 20)

    assert connections_named(name) == 1
    assert kept[0].get("key-19") == 19  # one store, seen by every object
    kept[0].delete_many([f"key-{n}" for n in range(20)])


def test_djangos_own_redis_cache_opens_a_connection_per_object():
    """What the shared pool is for: the test above fails on Django's backend."""
    name = f"allmende-test-{uuid.uuid4().hex[:8]}"
    kept = use_fresh_cache_objects("django.core.cache.backends.redis.RedisCache", name, 5)

    assert connections_named(name) == 5
    kept[0].delete_many([f"key-{n}" for n in range(5)])
    for cache in kept:
        cache._cache.get_client().connection_pool.disconnect()
