"""The coordinators' followers page: who follows the garden's public posts, and the
answers to give them (accept, remove, block the person or its whole server)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import followers as services
from .actors import actor_id, handle
from .forms import FollowerPolicyForm
from .models import BlockedServer, FederationSettings, Follower
from .views import PAGE_SIZE, admin_required, run_action


@admin_required
def followers_page(request):
    rows = Follower.objects.order_by("state", "-created_at", "-pk")
    page = Paginator(rows, PAGE_SIZE * 5).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "followers": page.object_list,
        "blocked_servers": BlockedServer.objects.order_by("host"),
        "policy_form": FollowerPolicyForm(instance=FederationSettings.current()),
        "handle": handle(),
        "actor_url": actor_id(),
    }
    return render(request, "federation/followers.html", context)


@admin_required
@require_POST
def follower_policy(request):
    form = FollowerPolicyForm(request.POST, instance=FederationSettings.current())
    if form.is_valid():
        row = form.save(commit=False)
        row.updated_by = request.user
        row.save()
        messages.success(request, _("Follower policy saved."))
    return redirect("federation:followers-page")


FOLLOWER_ACTIONS = {
    "accept": (services.accept, gettext_lazy("Follower accepted.")),
    "remove": (services.remove, gettext_lazy("Follower removed.")),
    "block": (services.block, gettext_lazy("Follower blocked.")),
    "block-server": (
        lambda follower: services.block(follower, whole_server=True),
        gettext_lazy("Server blocked."),
    ),
    "unblock": (services.unblock, gettext_lazy("Follower unblocked.")),
}


@admin_required
@require_POST
def follower_action(request, pk: int, action: str):
    follower = get_object_or_404(Follower, pk=pk)
    return run_action(request, FOLLOWER_ACTIONS, action, follower, "federation:followers-page")


@admin_required
@require_POST
def unblock_server(request, pk: int):
    server = get_object_or_404(BlockedServer, pk=pk)
    services.unblock_server(server.host)
    messages.success(request, _("Server unblocked."))
    return redirect("federation:followers-page")
