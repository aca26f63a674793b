"""Rate limits on the doors people and peers knock on: login and the federation inbox.

Counts live in Django's cache (the database cache table, or Redis when REDIS_URL is set),
so every web process of a node shares them. A fixed window per (scope, key) is enough
here: it caps guessing passwords and flooding the inbox without remembering anything
beyond a minute.

Limits are "COUNT/PERIOD" strings (PERIOD: s, m, h) in ``settings.RATE_LIMITS``; an
operator may raise or lower each with an environment variable (see settings.py).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

_PERIODS = {"s": 1, "m": 60, "h": 3600}
MAX_PEEK_BYTES = 256 * 1024


@dataclass(frozen=True)
class Limit:
    count: int
    period: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        count, _slash, unit = text.partition("/")
        return cls(int(count), _PERIODS[unit.strip().lower()[:1] or "m"])


class RateLimited(Exception):
    def __init__(self, scope: str, retry_after: int):
        super().__init__(f"rate limit {scope} exceeded")
        self.scope = scope
        self.retry_after = retry_after


def _now() -> float:
    return time.time()


def _cache() -> BaseCache:
    return caches[getattr(settings, "RATE_LIMIT_CACHE", "default")]


def limit_for(scope: str) -> Limit:
    return Limit.parse(settings.RATE_LIMITS[scope])


def hit(scope: str, key: str, limit: Limit | None = None) -> None:
    """Count one request for (scope, key); raise RateLimited past the limit."""
    hit_all([(scope, key)], {scope: limit} if limit else None)


def hit_all(counters: list[tuple[str, str]], limits: dict[str, Limit] | None = None) -> None:
    """Count one request against each (scope, key) counter, on Redis in one round trip;
    raise RateLimited for the first one past its limit."""
    now = _now()
    entries = []
    for scope, key in counters:
        limit = (limits or {}).get(scope) or limit_for(scope)
        if limit.count > 0:  # 0 switches the limit off
            window = int(now // limit.period)
            digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
            entries.append((scope, limit, f"ratelimit:{scope}:{digest}:{window}"))
    if not entries:
        return
    cache = _cache()
    if isinstance(cache, RedisCache):
        counts = _count_on_redis(cache, [(key, limit) for _, limit, key in entries])
    else:
        counts = [_count(cache, key, limit) for _, limit, key in entries]
    for (scope, limit, _key), count in zip(entries, counts, strict=True):
        if count > limit.count:
            raise RateLimited(scope, max(1, int(limit.period - (now % limit.period)) + 1))


def _count_on_redis(cache: RedisCache, keys: list[tuple[str, Limit]]) -> list[int]:
    # SET NX with the window's expiry, then INCR (which keeps it), for every counter in one
    # pipeline: one round trip, where the cache API needs two or three per counter. The
    # keys and the integer values are those the cache API reads and writes (Django's Redis
    # serializer stores an int as an int); ``_cache`` is Django's own Redis client.
    pipeline = cache._cache.get_client(write=True).pipeline(transaction=False)
    for key, limit in keys:
        full_key = cache.make_and_validate_key(key)
        pipeline.set(full_key, 0, ex=limit.period + 1, nx=True)
        pipeline.incr(full_key)
    return pipeline.execute()[1::2]


def _count(cache: BaseCache, key: str, limit: Limit) -> int:
    # incr() first: past a window's first request the counter exists. add() is atomic on
    # every backend; incr() on the database cache up to a lost update under a race, which
    # only ever lets a request or two more through.
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request, unless another process just made it
        if cache.add(key, 1, timeout=limit.period + 1):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=limit.period + 1)
            return 1


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def _login_keys(request: HttpRequest) -> list[tuple[str, str]]:
    ip = client_ip(request)
    username = request.POST.get("username", "").strip().lower()[:150]
    return [("login-ip", ip), ("login", f"{ip}|{username}")]


def _remote_host(request: HttpRequest) -> str:
    """The sending garden's host, from the activity's actor, if the body names one."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return ""
    if declared > MAX_PEEK_BYTES:
        return ""  # the inbox refuses it as too large; the per-address count still applies
    from federation.inbox import parsed_body  # parsed once, for the inbox too

    try:
        actor = parsed_body(request).get("actor")
    except (ValueError, AttributeError):
        return ""
    if isinstance(actor, dict):
        actor = actor.get("id")
    if not isinstance(actor, str):
        return ""
    from urllib.parse import urlsplit

    try:
        return (urlsplit(actor[:2048]).hostname or "")[:255]
    except ValueError:
        return ""


def _inbox_keys(request: HttpRequest) -> list[tuple[str, str]]:
    keys = [("inbox-ip", client_ip(request))]
    host = _remote_host(request) if limit_for("inbox-host").count > 0 else ""
    if host:
        keys.append(("inbox-host", host))
    return keys


# URL name → who is counted. Only unsafe methods count: reading a page is not guessing.
RATE_LIMITED_VIEWS: dict[str, Callable[[HttpRequest], list[tuple[str, str]]]] = {
    "login": _login_keys,
    "federation:inbox": _inbox_keys,
    "federation:shared_inbox": _inbox_keys,
}


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    message = _("Too many attempts. Please wait %(seconds)s seconds and try again.") % {
        "seconds": retry_after
    }
    wants_json = request.path.startswith("/api/") or "json" in request.headers.get(
        "Content-Type", ""
    )
    if wants_json:
        response = JsonResponse({"detail": message}, status=429)
    else:
        html = render_to_string(
            "core/too_many_requests.html", {"message": message}, request=request
        )
        response = HttpResponse(html, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def counted(request: HttpRequest, view_name: str) -> list[tuple[str, str]]:
    """The (scope, key) counters this request adds to: none for reading, for a view that is
    not limited, or for a limit switched off (so nothing is looked up for it)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return []
    keys_for = RATE_LIMITED_VIEWS.get(view_name)
    if keys_for is None:
        return []
    return [(scope, key) for scope, key in keys_for(request) if limit_for(scope).count > 0]


def count(request: HttpRequest, counters: list[tuple[str, str]]) -> HttpResponse | None:
    """Count the request (the cache: I/O); 429 if it went past a limit."""
    try:
        hit_all(counters)
    except RateLimited as limited:
        return too_many_requests(request, limited.retry_after)
    return None


class RateLimitMiddleware(MiddlewareMixin):
    """Answers 429 with Retry-After once a limited view is called too often. Only a hook,
    so under ASGI it costs no thread of its own but for ``process_view``."""

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        counters = counted(request, match.view_name) if match else []
        return count(request, counters) if counters else None
