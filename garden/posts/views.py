"""A public post's own address: the Note for servers, its page for browsers; and the
coordinators' button that hides a reply."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from federation.views import activity_response, wants_activity_json
from garden.core.errors import RuleError
from garden.members.permissions import coordinator_required
from garden.members.services import get_garden

from . import services
from .models import PublicPost, Reply


@require_GET
def post(request, pk: int):
    """Content negotiation: ActivityStreams JSON for servers, HTML for people."""
    public_post = get_object_or_404(
        PublicPost.objects.select_related("offer", "announcement"), pk=pk
    )
    if wants_activity_json(request):
        if not public_post.live:
            return activity_response(services.tombstone(public_post), status=410)
        return activity_response(services.note(public_post))
    garden = get_garden()
    with timezone.override(garden.tz):
        response = render(
            request,
            "posts/post.html",
            {
                "post": public_post,
                "offer": public_post.offer,
                "announcement": public_post.announcement,
                "garden": garden,
                "replies": services.visible_replies(public_post),
            },
            status=200 if public_post.live else 410,
        )
    response["Vary"] = "Accept"
    return response


@coordinator_required
@require_POST
def hide_reply(request, pk: int):
    reply = get_object_or_404(Reply.objects.select_related("post"), pk=pk)
    hidden = request.POST.get("hidden", "1") != "0"
    try:
        services.set_hidden(request.user, reply, hidden)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Reply hidden.") if hidden else _("Reply shown again."))
    return redirect(services.page_of(reply.post))
