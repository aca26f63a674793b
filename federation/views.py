"""Public federation endpoints (actor, WebFinger, NodeInfo, inbox, outbox) and the
coordinators' peers page."""

import json
from datetime import timedelta
from urllib.parse import unquote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import discovery
from . import followers as follower_services
from . import outbox as outbox_module
from . import peers as peer_services
from .actors import AS_CONTEXT, actor_id, followers_url, handle, local_actor_document, outbox_url
from .authentication import SignedRequest
from .errors import FederationError
from .forms import AddPeerForm, FederationSettingsForm, IntroduceForm
from .http import ACTIVITY_JSON
from .inbox import MAX_BODY_BYTES, already_parsed, receive
from .inbox_async import receive_async
from .models import Delivery, FederationSettings, InboxActivity, OutboxActivity, Peer, Suggestion
from .registry import is_admin, local_actor

PAGE_SIZE = 20
SOFTWARE_VERSION = "0.1.0"


def activity_response(document: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False),
        status=status,
        content_type=f"{ACTIVITY_JSON}; charset=utf-8",
    )
    response["Vary"] = "Accept"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def wants_activity_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return (
        "application/activity+json" in accept
        or "application/ld+json" in accept
        or "application/json" in accept
    )


@require_GET
def actor(request):
    """The garden's actor; browsers are sent to the home page."""
    if not wants_activity_json(request):
        return HttpResponseRedirect("/")
    return activity_response(local_actor_document())


@require_GET
def webfinger(request):
    resource = unquote(request.GET.get("resource", ""))
    me = handle()
    site = settings.ALLMENDE_URL
    if resource not in (f"acct:{me}", actor_id(), site, site + "/"):
        return JsonResponse({"detail": "Unknown resource."}, status=404)
    document = {
        "subject": f"acct:{me}",
        "aliases": [actor_id()],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor_id()},
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": settings.ALLMENDE_URL + "/",
            },
        ],
    }
    response = JsonResponse(document, content_type="application/jrd+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def neighbours(request):
    """The gardens we peer with that agreed to be listed (404 when we keep the list private)."""
    document = discovery.neighbours_document()
    if document is None:
        raise Http404
    return activity_response(document)


@require_GET
def nodeinfo_links(request):
    return JsonResponse(
        {
            "links": [
                {
                    "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                    "href": f"{settings.ALLMENDE_URL}/nodeinfo/2.1",
                }
            ]
        }
    )


@require_GET
def nodeinfo(request):
    users = get_user_model().objects.filter(is_active=True)
    now = timezone.now()
    document = {
        "version": "2.1",
        "software": {
            "name": "allmende",
            "version": SOFTWARE_VERSION,
            "homepage": settings.ALLMENDE_URL + "/",
        },
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": True,
        "usage": {
            "users": {
                "total": users.count(),
                "activeMonth": users.filter(last_login__gte=now - timedelta(days=30)).count(),
                "activeHalfyear": users.filter(last_login__gte=now - timedelta(days=182)).count(),
            },
            "localPosts": OutboxActivity.objects.filter(public=True).count(),
        },
        "metadata": {"nodeName": local_actor().name},
    }
    return JsonResponse(
        document,
        content_type='application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"',
    )


@csrf_exempt
@require_POST
async def inbox(request):
    """Async, so a request costs no thread of its own: the size is checked before the body
    is read; under ASGI ``receive_async`` checks it and stores it with those of concurrent
    requests in one INSERT."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return JsonResponse({"detail": "The activity is too large."}, status=413)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return JsonResponse({"detail": "The activity is too large."}, status=413)
    signed, parsed = SignedRequest.of(request), already_parsed(request)
    if isinstance(request, ASGIRequest):
        outcome = await receive_async(body, signed, parsed)
    else:  # WSGI or the test client: back to the request's own thread and connection
        outcome = await sync_to_async(receive)(body, signed, parsed)
    return JsonResponse({"detail": outcome.detail}, status=outcome.status)


@require_GET
def outbox(request):
    """The public activities, newest first, as a paged OrderedCollection."""
    public = OutboxActivity.objects.filter(public=True).order_by("-created_at", "-pk")
    paginator = Paginator(public, PAGE_SIZE)
    if "page" not in request.GET:
        document = {
            "@context": AS_CONTEXT,
            "id": outbox_url(),
            "type": "OrderedCollection",
            "totalItems": paginator.count,
            "first": f"{outbox_url()}?page=1",
            "last": f"{outbox_url()}?page={max(paginator.num_pages, 1)}",
        }
        return activity_response(document)
    try:
        page = paginator.page(request.GET.get("page"))
    except (EmptyPage, ValueError, TypeError) as exc:
        raise Http404 from exc
    except Exception as exc:  # PageNotAnInteger
        raise Http404 from exc
    document = {
        "@context": AS_CONTEXT,
        "id": f"{outbox_url()}?page={page.number}",
        "type": "OrderedCollectionPage",
        "partOf": outbox_url(),
        "totalItems": paginator.count,
        "orderedItems": [row.activity for row in page.object_list],
    }
    if page.has_next():
        document["next"] = f"{outbox_url()}?page={page.next_page_number()}"
    if page.has_previous():
        document["prev"] = f"{outbox_url()}?page={page.previous_page_number()}"
    return activity_response(document)


@require_GET
def followers(request):
    """Who peers with or follows us is the coordinators' business; only the count is public."""
    return activity_response(
        {
            "@context": AS_CONTEXT,
            "id": followers_url(),
            "type": "OrderedCollection",
            "totalItems": peer_services.accepted_peers().count()
            + follower_services.accepted().count(),
        }
    )


@require_GET
def activity(request, uuid):
    row = get_object_or_404(
        OutboxActivity, activity_id=f"{settings.ALLMENDE_URL}/activities/{uuid}", public=True
    )
    return activity_response(row.activity)


# The coordinators' pages.


def admin_required(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def peer_rows():
    queued = Q(deliveries__state__in=[Delivery.State.QUEUED, Delivery.State.SENDING])
    return Peer.objects.annotate(
        queued_count=Count("deliveries", filter=queued),
        failed_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.FAILED)),
    ).order_by("state", "name")


@admin_required
def peers_page(request):
    add_form = AddPeerForm(request.POST or None, prefix="add")
    settings_form = FederationSettingsForm(instance=FederationSettings.current(), prefix="policy")
    if request.method == "POST" and add_form.is_valid():
        try:
            peer = peer_services.request_peering(add_form.cleaned_data["address"])
        except FederationError as exc:
            add_form.add_error("address", exc.message)
        else:
            if peer.state == Peer.State.ACCEPTED:
                messages.success(request, _("You are now peered with %(name)s.") % {"name": peer})
            else:
                messages.success(
                    request, _("Peering request sent to %(name)s.") % {"name": peer.display_name}
                )
            return redirect("federation:peers")
    context = {
        "suggestions": discovery.open_suggestions(),
        "introduce_form": IntroduceForm(),
        "peers": peer_rows(),
        "add_form": add_form,
        "settings_form": settings_form,
        "handle": handle(),
        "actor_url": actor_id(),
        "failed": Delivery.objects.filter(state=Delivery.State.FAILED)
        .select_related("activity", "peer")
        .order_by("-activity__created_at")[:50],
        "parked": InboxActivity.objects.filter(
            state__in=[InboxActivity.State.PARKED, InboxActivity.State.REFUSED]
        ).order_by("-received_at")[:50],
    }
    return render(request, "federation/peers.html", context)


@admin_required
@require_POST
def peer_settings(request):
    form = FederationSettingsForm(
        request.POST, instance=FederationSettings.current(), prefix="policy"
    )
    if form.is_valid():
        row = form.save(commit=False)
        row.updated_by = request.user
        row.save()
        messages.success(request, _("Peering policy saved."))
    else:
        messages.error(request, _("Enter a whole number of kilometres, or leave it empty."))
    return redirect("federation:peers")


PEER_ACTIONS = {
    "accept": (peer_services.accept, _("Peering accepted.")),
    "reject": (peer_services.reject, _("Request rejected.")),
    "end": (peer_services.end, _("Peering ended.")),
    "block": (peer_services.block, _("Garden blocked.")),
    "unblock": (peer_services.unblock, _("Garden unblocked.")),
}


def run_action(request, actions: dict, action: str, target, page: str):
    """A coordinator's button on a list page: run ``actions[action]`` on ``target``, say how
    it went, and go back to ``page`` (peers and followers share it)."""
    if action not in actions:
        raise Http404
    service, done = actions[action]
    try:
        service(target)
    except FederationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(done))
    return redirect(page)


@admin_required
@require_POST
def peer_action(request, pk: int, action: str):
    peer = get_object_or_404(Peer, pk=pk)
    return run_action(request, PEER_ACTIONS, action, peer, "federation:peers")


@admin_required
@require_POST
def retry_delivery(request, pk: int):
    delivery = get_object_or_404(Delivery, pk=pk, state=Delivery.State.FAILED)
    outbox_module.retry(delivery)
    messages.success(request, _("Delivery queued again."))
    return redirect(reverse("federation:peers") + "#failed")


@admin_required
@require_POST
def suggestion_action(request, pk: int, action: str):
    """One click on a suggested garden: peer with it, or dismiss it."""
    suggestion = get_object_or_404(Suggestion, pk=pk, state=Suggestion.State.OPEN)
    if action == "dismiss":
        discovery.dismiss(suggestion)
        messages.success(request, _("Suggestion dismissed."))
    elif action == "peer":
        try:
            peer = discovery.peer_with(suggestion)
        except FederationError as exc:
            messages.error(request, exc.message)
        else:
            name = {"name": peer.display_name}
            messages.success(request, _("Peering request sent to %(name)s.") % name)
    else:
        raise Http404
    return redirect(reverse("federation:peers") + "#suggestions")


@admin_required
@require_POST
def refresh_suggestions(request):
    """Read the peers' lists now instead of waiting for the periodic job."""
    count = discovery.refresh()
    messages.success(
        request, _("Looked for gardens near you: %(count)d suggested.") % {"count": count}
    )
    return redirect(reverse("federation:peers") + "#suggestions")


@admin_required
@require_POST
def introduce(request):
    form = IntroduceForm(request.POST)
    if form.is_valid():
        try:
            discovery.introduce(form.cleaned_data["peer"], form.cleaned_data["to_peer"])
        except FederationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The two gardens were introduced to each other."))
    else:
        messages.error(request, _("Choose two gardens you peer with."))
    return redirect(reverse("federation:peers") + "#introduce")
