"""Django's Redis cache with one connection pool per process.

Django makes a cache object per thread, and under ASGI per request (the object lives in the
request's context); each makes its own Redis client with its own connection pool, so every
request that touched the cache opened a new connection to Redis. Counting an inbox request
against its rate limits cost ~3 ms of a web process's CPU that way (docs/performance.md).
redis-py's pools are thread-safe and notice a fork, so one per process serves them all.
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

_clients: dict[tuple, RedisCacheClient] = {}
_lock = threading.Lock()


class SharedPoolRedisCache(RedisCache):
    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **self._options)
        return client
