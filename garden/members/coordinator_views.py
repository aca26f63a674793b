"""Pages for coordinators: garden settings, invite links, members, announcements."""

import zoneinfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from garden.core.errors import RuleError

from . import services
from .forms import AnnouncementForm, GardenSettingsForm, InviteForm
from .models import Announcement, Invite, Membership
from .permissions import coordinator_required

MEMBERS_PAGE_SIZE = 50  # pending requests sort first, so they are on page 1


@coordinator_required
def garden_settings(request):
    garden = services.get_garden()
    form = GardenSettingsForm(request.POST if request.method == "POST" else None, instance=garden)
    if request.method == "POST" and form.is_valid():
        services.update_garden({field: form.cleaned_data[field] for field in form.fields})
        messages.success(request, _("The garden settings were saved."))
        return redirect("garden_settings")
    return render(
        request,
        "members/garden_settings.html",
        {"form": form, "timezones": sorted(zoneinfo.available_timezones())},
        status=400 if form.errors else 200,
    )


@coordinator_required
def invites(request):
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        invite = services.create_invite(by=request.user, **form.cleaned_data)
        messages.success(
            request, _("The invite link is ready: %(url)s") % {"url": services.invite_url(invite)}
        )
        return redirect("invites")
    items = [
        (invite, services.invite_url(invite))
        for invite in services.get_garden().invites.order_by("-created_at")
    ]
    return render(
        request,
        "members/invites.html",
        {"form": form, "invites": items},
        status=400 if form.errors else 200,
    )


@coordinator_required
@require_POST
def invite_revoke(request, pk: int):
    services.revoke_invite(get_object_or_404(Invite, pk=pk))
    messages.success(request, _("The invite link was revoked."))
    return redirect("invites")


@coordinator_required
def members(request):
    garden = services.get_garden()
    memberships = garden.memberships.select_related("user__profile").order_by(
        "status", "joined_at", "pk"
    )
    page = Paginator(memberships, MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/members.html", {"page": page, "memberships": page})


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
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("members")


@coordinator_required
def announcements(request):
    form = AnnouncementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.post_announcement(author=request.user, **form.cleaned_data)
        messages.success(request, _("The announcement was posted."))
        return redirect("announcements")
    return render(
        request,
        "members/announcements.html",
        {
            "form": form,
            "announcements": services.get_garden()
            .announcements.select_related("public_post")
            .prefetch_related("public_post__replies")[:50],
        },
        status=400 if form.errors else 200,
    )


@coordinator_required
@require_POST
def announcement_delete(request, pk: int):
    services.delete_announcement(get_object_or_404(Announcement, pk=pk))
    messages.success(request, _("The announcement was deleted."))
    return redirect("announcements")
