"""The in-app notification list; static/js/live.js keeps it and the header badge current."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import notifications as notices


@login_required
def notifications(request):
    """GET lists my notifications; POST marks one (`id`) or all of them read."""
    if request.method == "POST":
        raw_id = request.POST.get("id", "")
        if raw_id and not raw_id.isdigit():
            return HttpResponseBadRequest(_("Unknown notification."))
        notices.mark_read(request.user, [int(raw_id)] if raw_id else None)
        return redirect("notifications")
    items = request.user.notifications.all()[:100]
    return render(request, "members/notifications.html", {"items": items})


@login_required
def notification_open(request, pk: int):
    """Follow a notification's link and count it as read."""
    notification = get_object_or_404(request.user.notifications, pk=pk)
    notices.mark_read(request.user, [notification.pk])
    target = notification.url
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications")
    return redirect(target)


@login_required
def notifications_unread(request):
    """The unread count for the header badge (read by static/js/live.js after reconnecting)."""
    return JsonResponse({"unread": notices.unread_count(request.user)})
