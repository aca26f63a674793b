"""`{% thread "plot" plot.pk %}`: the conversation under a detail page, in one line."""

from django import template

from garden.members import services as members

from .. import services

register = template.Library()

SHOWN = 30  # the latest messages; the thread page has them all


@register.inclusion_tag("conversations/_thread.html", takes_context=True)
def thread(context, kind: str, object_id: int) -> dict:
    request = context["request"]
    found = services.find_thread(kind, object_id)
    count = found.messages.count() if found else 0
    latest = (
        list(
            found.messages.select_related("author__profile").order_by("-created_at", "-pk")[:SHOWN]
        )
        if found
        else []
    )
    return {
        "kind": kind,
        "object_id": object_id,
        "messages": latest[::-1],
        "earlier": max(count - SHOWN, 0),
        "user": request.user,
        "is_coordinator": members.is_coordinator(request.user),
        "following": services.is_following(kind, object_id, request.user),
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
        "form_id": f"thread-{kind}-{object_id}",
        "garden_tz": members.get_garden().tz,
    }
