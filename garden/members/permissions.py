"""Who may see and do what: decorators for pages, checks for the API."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from ninja.errors import HttpError

from . import services


def member_required(view):
    """Active members of the garden only; anonymous visitors are sent to log in."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not services.is_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def coordinator_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not services.is_coordinator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def api_member(request):
    """The calling user if they are an active member, else a 403 for the API."""
    if not services.is_member(request.auth):
        raise HttpError(403, "Only members of this garden may do this.")
    return request.auth


def api_coordinator(request):
    if not services.is_coordinator(request.auth):
        raise HttpError(403, "Only coordinators of this garden may do this.")
    return request.auth
