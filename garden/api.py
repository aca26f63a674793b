"""The JSON API at /api/v1/: one NinjaAPI, each app adds its router."""

import decimal

from django.db import DataError
from django.http import Http404
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from federation.api import router as federation_router
from garden.conversations.api import router as conversations_router
from garden.core.errors import RuleError, validation_error_body
from garden.core.followers_api import router as followers_router
from garden.core.openapi import AllmendeAPI
from garden.decisions.api import router as decisions_router
from garden.harvests.api import router as harvests_router
from garden.members.api import router as members_router
from garden.members.models import ApiToken
from garden.plots.api import router as plots_router
from garden.posts.api import router as posts_router
from garden.sharing.api import router as sharing_router
from garden.shifts.api import router as shifts_router


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


api = AllmendeAPI(
    title="Allmende API",
    version="1",
    description="A community garden node. Authenticate with a session or a personal token.",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
)


@api.exception_handler(RuleError)
def rule_error(request, exc: RuleError):
    # Input the schema accepts but a rule refuses is a 409 in the API (docs/api.md): 422 is
    # kept for what the schema itself refuses. Pages and forms keep their own codes.
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
    """A number or date the schema allows but the database or the calendar cannot hold (a
    pickup in the year 22 with an offset of +23:21): refused by a rule, not a crash."""
    return api.create_response(
        request, {"detail": "A number or date in the request is out of range."}, status=409
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(
        request, {"detail": "Authentication required: log in or send a Bearer token."}, status=401
    )


api.add_router("", members_router)
api.add_router("", plots_router)
api.add_router("", shifts_router)
api.add_router("", harvests_router)
api.add_router("", sharing_router)
api.add_router("", decisions_router)
api.add_router("", conversations_router)
api.add_router("", federation_router)
api.add_router("", followers_router)
api.add_router("", posts_router)
