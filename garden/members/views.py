from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import JoinForm, ProfileForm, SignupForm
from .models import Membership
from .permissions import coordinator_required


def home(request):
    garden = services.get_garden()
    announcements = garden.announcements.select_related("author__profile")[:10]
    return render(request, "members/home.html", {"announcements": announcements})


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            user.profile.display_name = form.cleaned_data["display_name"]
            user.profile.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("join")
    return render(request, "members/signup.html", {"form": form})


@login_required
def join(request):
    invite_code = request.GET.get("invite", "") or request.POST.get("invite_code", "")
    form = JoinForm(request.POST or None, initial={"invite_code": invite_code})
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
    return render(request, "members/join.html", {"form": form})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user.profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    return render(request, "members/profile.html", {"form": form})


@login_required
def notifications(request):
    items = request.user.notifications.all()[:100]
    if request.method == "POST":
        request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    return render(request, "members/notifications.html", {"items": items})


@coordinator_required
def members(request):
    garden = services.get_garden()
    memberships = garden.memberships.select_related("user__profile").order_by("status", "joined_at")
    return render(request, "members/members.html", {"memberships": memberships})


@coordinator_required
@require_POST
def member_action(request, pk: int):
    membership = get_object_or_404(Membership, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action in ("approve", "decline"):
            services.decide(membership, approve=action == "approve", by=request.user)
        elif action in Membership.Role.values:
            services.set_role(membership, action, by=request.user)
        elif action == "remove":
            services.remove(membership, by=request.user)
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    except services.MembershipError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("members")
