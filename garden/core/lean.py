"""The machine endpoints that take traffic from other servers (the federation inbox), served
without what they do not use.

Under ASGI, Django's handler costs a hop to a thread and back for every synchronous piece a
request crosses: the ``request_started`` and ``request_finished`` signals, and each hook of a
synchronous middleware (``SecurityMiddleware`` two, the rate limiter one). On this machine
those hops are most of the ~0.6 ms a bare view costs, where the server alone answers in
0.03 ms. Two ways around them, from the heaviest to the lightest:

- ``LeanASGIHandler``: Django's handler with only the middleware these endpoints use (none
  of sessions, language, CSRF, users or messages). It serves ``LEAN_PATHS``.
- ``DirectPost``: a POST to one async view (the inbox) without Django's handler: the same
  request object, the same hooks of ``SecurityMiddleware``, the rate limiter and the 503 of
  ``DatabaseUnavailableMiddleware``, called in the event loop, as none of them waits for
  anything; the rate limiter alone goes to a thread, and only when a limit is on. The view
  then hops once, for its store. Its database connections are its own threads' (closed
  after each use), which is what the request signals would otherwise see to.

``garden/asgi.py`` routes them; the test client and WSGI take the full stack, so each must
answer as it does.
"""

import io
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIHandler, ASGIRequest
from django.db import close_old_connections
from django.http import HttpResponse, JsonResponse
from django.middleware.security import SecurityMiddleware
from django.urls import resolve, set_script_prefix

from . import ratelimit
from .unavailable import DATABASE_ERRORS, database_unavailable

log = logging.getLogger(__name__)

LEAN_PATHS = frozenset({"/inbox", "/bench/ceiling"})
DIRECT_POST_PATHS = frozenset({"/inbox"})
LEAN_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "garden.core.ratelimit.RateLimitMiddleware",
    "garden.core.unavailable.DatabaseUnavailableMiddleware",
]


class LeanASGIHandler(ASGIHandler):
    async def __call__(self, scope, receive, send) -> None:
        # Django wraps each request in a ThreadSensitiveContext: its own executor, so a new
        # thread for every request that hops (~1.5 ms of CPU here). Without it the hops of
        # this handler share the process's one sync thread, which keeps its connection
        # between requests; the GIL would serialise them anyway.
        await self.handle(scope, receive, send)

    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE; this handler's chain is built
        # once, at start-up, from the short list instead.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = LEAN_MIDDLEWARE
        try:
            super().load_middleware(is_async=is_async)
        finally:
            settings.MIDDLEWARE = full

    async def get_response_async(self, request):
        response = await super().get_response_async(request)
        with_length(response)
        return response


def with_length(response: HttpResponse) -> HttpResponse:
    """What CommonMiddleware does on the full stack: with a length a keep-alive client need
    not parse chunks."""
    if not response.streaming and not response.has_header("Content-Length"):
        response.headers["Content-Length"] = str(len(response.content))
    return response


# On the process's one sync thread, as the middleware counts: its queue is first in, first
# out, so concurrent requests reach the view (and the store) in the order they came.
@sync_to_async
def _count_in_thread(request, counters):
    try:
        return ratelimit.count(request, counters)
    finally:
        close_old_connections()  # the database cache's connection, if that is the cache


class DirectPost:
    """POSTs to one async view, without Django's handler (see the module's docstring).

    ``max_body``: the view refuses a larger body (413) by its declared length or by what
    it reads; this reads no more than one byte past it, so a large body is not buffered.
    """

    def __init__(self, path: str, max_body: int) -> None:
        self.match = resolve(path)
        self.view = self.match.func
        self.max_body = max_body
        self.security = SecurityMiddleware(get_response=lambda request: None)

    async def __call__(self, scope, receive, send) -> None:
        body = await self._read_body(scope, receive)
        if body is None:
            return  # the client went away
        try:
            request = ASGIRequest(scope, io.BytesIO(body))
        except UnicodeDecodeError:
            await _send(send, JsonResponse({"detail": "Bad request."}, status=400))
            return
        request.resolver_match = self.match
        set_script_prefix(settings.FORCE_SCRIPT_NAME or scope.get("root_path", ""))
        response = await self._respond(request)
        await _send(send, with_length(self.security.process_response(request, response)))

    async def _respond(self, request) -> HttpResponse:
        try:
            request.get_host()  # what CommonMiddleware checks on the full stack
        except DisallowedHost:
            return JsonResponse({"detail": "This host is not served here."}, status=400)
        redirect = self.security.process_request(request)
        if redirect is not None:
            return redirect
        try:
            counters = ratelimit.counted(request, self.match.view_name)
            if counters and (limited := await _count_in_thread(request, counters)):
                return limited
            return await self.view(request)
        except DATABASE_ERRORS as exc:
            log.warning("%s: the database is unavailable (%s)", request.path, exc)
            return database_unavailable(request)
        except Exception:  # as Django's handler would: logged, and a 500 for this request only
            log.exception("%s failed", request.path)
            return JsonResponse({"detail": "Internal server error."}, status=500)

    async def _read_body(self, scope, receive) -> bytes | None:
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            return b""  # the view refuses it by its declared length, unread
        chunks, size = [], 0
        while size <= self.max_body:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


async def _send(send, response: HttpResponse) -> None:
    headers = [(name.encode("ascii"), value.encode("latin1")) for name, value in response.items()]
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.content})


async def bench_bare(scope, receive, send) -> None:
    """The inbox benchmark's other yardstick: the server alone, answering 202 without
    Django. Routed only when ``BENCH_CEILING=1``."""
    while (await receive()).get("more_body"):
        pass
    body = b'{"detail": "Accepted."}'
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 202, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def route_lean_paths(full_app, lean_app, max_body: int):
    """An ASGI app: a POST to ``DIRECT_POST_PATHS`` to its ``DirectPost``, the rest of
    ``LEAN_PATHS`` to ``lean_app``, everything else to ``full_app``."""
    direct = {path: DirectPost(path, max_body) for path in DIRECT_POST_PATHS}
    if settings.BENCH_CEILING:
        direct["/bench/bare"] = bench_bare

    async def app(scope, receive, send):
        path = scope["path"]
        if scope["method"] == "POST" and path in direct:
            return await direct[path](scope, receive, send)
        if path in LEAN_PATHS:
            return await lean_app(scope, receive, send)
        return await full_app(scope, receive, send)

    return app
