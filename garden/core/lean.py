"""A second Django handler for the machine endpoints that take traffic from other servers
(the federation inbox): only the middleware they use, and none that needs a thread.

Every request through the full stack crosses 14 middleware; under ASGI each one that is
synchronous only costs a hop to a thread and back. The inbox needs none of sessions,
language, CSRF, users or messages. ``garden/asgi.py`` sends ``LEAN_PATHS`` here; the test
client and WSGI still take the full stack, so both must answer the same.
"""

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

LEAN_PATHS = frozenset({"/inbox", "/bench/ceiling"})
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
        # What CommonMiddleware does on the full stack: with a length a keep-alive client
        # need not parse chunks.
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        return response


def route_lean_paths(full_app, lean_app):
    """An ASGI app: ``LEAN_PATHS`` to ``lean_app``, everything else to ``full_app``."""

    async def app(scope, receive, send):
        if scope["path"] in LEAN_PATHS:
            return await lean_app(scope, receive, send)
        return await full_app(scope, receive, send)

    return app
