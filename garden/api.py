"""The JSON API: /api/v2/ (current) and /api/v1/ (deprecated in part), built alike.

Both versions are the same routers, authentication, error answers and schema conventions.
They differ in the lists of ``garden.core.paging.VersionedLists``: a plain array in v1,
paged in v2 (docs/api.md, "Versions").
"""

import decimal

from django.db import DataError
from django.http import Http404
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from federation import api as federation_api
from garden.conversations import api as conversations_api
from garden.core import followers_api
from garden.core.errors import RuleError, validation_error_body
from garden.core.openapi import AllmendeAPI
from garden.core.paging import CURRENT_NAMESPACE, LEGACY_NAMESPACE, VersionedLists
from garden.decisions import api as decisions_api
from garden.harvests import api as harvests_api
from garden.members import account_api
from garden.members import api as members_api
from garden.members.models import ApiToken
from garden.plots import api as plots_api
from garden.posts import api as posts_api
from garden.sharing import api as sharing_api
from garden.shifts import api as shifts_api


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a personal token."""

    def authenticate(self, request, token):
        return ApiToken.objects.user_for(token)


class SessionAuth(APIKeyCookie):
    """The browser's session; unsafe methods also need the CSRF token."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated else None


# federation does not import garden.core: its one list of this kind is registered here.
peer_lists = VersionedLists(tags=["federation"])
peer_lists.get("/peers", federation_api.PeerOut)(federation_api.list_peers)

APPS = [
    members_api,
    plots_api,
    shifts_api,
    harvests_api,
    sharing_api,
    decisions_api,
    conversations_api,
    federation_api,
    followers_api,
    posts_api,
]
# The apps' lists, and the two not on a module of APPS (/me/tokens is a child router's).
LISTS = [app.lists for app in APPS if hasattr(app, "lists")] + [account_api.lists, peer_lists]

DESCRIPTIONS = {
    1: "A community garden node. Authenticate with a session or a personal token. "
    "Deprecated in part: the lists answering a plain array are paged in /api/v2/.",
    2: "A community garden node. Authenticate with a session or a personal token. "
    "Every list is paged with limit and offset.",
}


def build_api(version: int) -> AllmendeAPI:
    """/api/v<version>/: 1 answers the lists of ``LISTS`` as arrays, 2 pages them."""
    api = AllmendeAPI(
        title="Allmende API",
        version=str(version),
        description=DESCRIPTIONS[version],
        urls_namespace=LEGACY_NAMESPACE if version == 1 else CURRENT_NAMESPACE,
        auth=[TokenAuth(), SessionAuth()],
    )

    @api.exception_handler(RuleError)
    def rule_error(request, exc: RuleError):
        # Input the schema accepts but a rule refuses is a 409 in the API (docs/api.md): 422
        # is kept for what the schema itself refuses. Pages and forms keep their own codes.
        status = 409 if exc.status in (400, 422) else exc.status
        return api.create_response(request, {"detail": exc.message}, status=status)

    @api.exception_handler(ValidationError)
    def invalid_input(request, exc: ValidationError):
        if all(error.get("loc", ("",))[0] == "path" for error in exc.errors):
            return not_found(request, exc)  # /offers/abc names no offer, like /offers/999999
        return api.create_response(request, validation_error_body(exc.errors), status=422)

    @api.exception_handler(OverflowError)
    @api.exception_handler(decimal.InvalidOperation)
    @api.exception_handler(DataError)
    def out_of_range(request, exc):
        """A number or date the schema allows but the database or the calendar cannot hold
        (a pickup in the year 22 with an offset of +23:21): refused by a rule, not a crash."""
        return api.create_response(
            request, {"detail": "A number or date in the request is out of range."}, status=409
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"detail": "Not found."}, status=404)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        return api.create_response(
            request,
            {"detail": "Authentication required: log in or send a Bearer token."},
            status=401,
        )

    for app in APPS:
        api.add_router("", app.router)
    for lists in LISTS:
        for router in lists.routers(version):
            api.add_router("", router)
    return api


v1 = build_api(1)
v2 = build_api(2)
