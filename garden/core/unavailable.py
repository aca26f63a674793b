"""When the database does not answer for a moment, say so clearly: 503 with Retry-After.

A dropped connection or a restarting database raises ``OperationalError`` or
``InterfaceError`` wherever the next query runs — in a view, or already in a middleware
that loads the session. The view case is caught by ``DatabaseUnavailableMiddleware``; the
rest reaches Django's 500 handler, which ``server_error`` replaces. Both answer 503, which
tells browsers, API clients and peers alike to retry; nothing was stored half-way, since
every change runs in a transaction. Django drops the broken connection when the request
finishes (``close_old_connections``), so the next request connects afresh.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS = (OperationalError, InterfaceError)


def _wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or "json" in request.headers.get("Accept", "")
        or "json" in request.headers.get("Content-Type", "")
    )


def database_unavailable(request: HttpRequest) -> HttpResponse:
    message = _(
        "The garden's database is not answering right now. Nothing was saved; "
        "please try again in a few seconds."
    )
    if _wants_json(request):
        response = JsonResponse({"detail": message}, status=503)
    else:
        html = loader.render_to_string(
            "core/unavailable.html", {"message": message, "path": request.get_full_path()}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    """Works sync and async without a thread of its own (MiddlewareMixin; only a hook)."""

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request)
        return None


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 for a database outage raised outside a view, else the usual 500."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable(request)
    try:
        template = loader.get_template("500.html")
        body = template.render()
    except Exception:
        body = "<h1>Server Error (500)</h1>"
    return HttpResponseServerError(body)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: API clients get JSON (as the schema says), people the friendly page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found as friendly_page

    return friendly_page(request, exception)
