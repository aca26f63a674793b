"""The garden's front door: home page, sign-up, joining, notifications."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from federation import actors

from . import services
from .forms import JoinForm, SignupForm


def home(request):
    from garden.posts.services import visible_replies_of

    garden = services.get_garden()
    announcements = []
    if services.is_member(request.user):
        announcements = garden.announcements.select_related(
            "author__profile", "public_post"
        ).prefetch_related(visible_replies_of("public_post"))[:10]
    context = {
        "announcements": announcements,
        # How the fediverse finds the garden: the handle to search, the actor to link.
        "fediverse_handle": "@" + actors.handle(),
        "actor_url": actors.actor_id(),
    }
    return render(request, "members/home.html", context)


def _safe_next(request) -> str:
    """Where to go after sign-up: the `next` the visitor came with, if it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def signup(request):
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or "home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            user.profile.display_name = form.cleaned_data["display_name"]
            user.profile.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect(next_url or "join")
    return render(
        request,
        "members/signup.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


def join(request):
    invite_code = request.GET.get("invite", "") or request.POST.get("invite_code", "")
    if not request.user.is_authenticated:
        # Someone arriving with a link most likely has no account yet: sign up first,
        # then come back here with the code (the sign-up page links to log in, too).
        back = reverse("join") + (f"?{urlencode({'invite': invite_code})}" if invite_code else "")
        return redirect(f"{reverse('signup')}?{urlencode({'next': back})}")
    if services.is_member(request.user):
        messages.info(request, _("You are already a member of this garden."))
        return redirect("home")
    form = JoinForm(
        request.POST if request.method == "POST" else None, initial={"invite_code": invite_code}
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.join(
                request.user,
                accept_rules=form.cleaned_data["accept_rules"],
                invite_code=form.cleaned_data["invite_code"],
            )
        except services.MembershipError as error:
            form.add_error(None, error.message)
        else:
            if membership.is_active:
                messages.success(request, _("You are now a member of the garden."))
            else:
                messages.info(request, _("Thank you! A coordinator will look at your request."))
            return redirect("home")
    return render(
        request,
        "members/join.html",
        {"form": form, "invite_code": invite_code},
        status=400 if form.errors else 200,
    )
