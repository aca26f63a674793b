"""Pages: Nearby offers, an offer with its claims, the tool library and loans."""

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from garden.core.errors import RuleError
from garden.members.permissions import coordinator_required, member_required
from garden.members.services import get_garden, is_coordinator
from garden.posts import services as posts

from . import services
from .forms import (
    ClaimForm,
    LoanRequestForm,
    NearbyFilterForm,
    OfferForm,
    ReturnForm,
    SettingsForm,
    ToolForm,
)
from .models import Claim, Loan, Offer, SharingSettings, Tool


def in_garden_time(view):
    """Show and read times in the garden's time zone, whatever the server's is."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with timezone.override(get_garden().tz):
            return view(request, *args, **kwargs)

    return wrapped


def _apply(request, form, action) -> bool:
    """Run a service; a refusal becomes a form error. True when it went through."""
    try:
        action()
    except RuleError as error:
        if form is None:
            messages.error(request, error.message)
        else:
            form.add_error(None, error.message)
        return False
    return True


@member_required
@in_garden_time
def index(request):
    form = NearbyFilterForm(request.GET or None, gardens=services.neighbour_gardens())
    filters = services.NearbyFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = services.NearbyFilter(
            crop=data["crop"] or "",
            garden=data["garden"] or "",
            max_km=data["max_km"],
            min_left=data["min_left"],
            pickup_on=data["pickup_on"],
        )
    offers = services.nearby(filters)[:200]
    return render(
        request,
        "sharing/nearby.html",
        {"form": form, "offers": offers, "radius": SharingSettings.load().share_radius_km},
    )


@member_required
@in_garden_time
def mine(request):
    offers = Offer.objects.filter(offered_by=request.user).order_by("-created_at")[:100]
    claims = (
        Claim.objects.filter(claimant=request.user)
        .select_related("offer")
        .order_by("-created_at")[:100]
    )
    return render(request, "sharing/mine.html", {"offers": offers, "claims": claims})


def _offer_values(form) -> dict:
    return {name: form.cleaned_data[name] for name in services.OFFER_FIELDS}


@member_required
@in_garden_time
def offer_new(request):
    form = OfferForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        created = {}

        def create():
            created["offer"] = services.create_offer(
                request.user, photo=form.cleaned_data.get("photo"), **_offer_values(form)
            )

        if _apply(request, form, create):
            messages.success(request, _("Your offer is up."))
            return redirect("sharing:offer", created["offer"].pk)
    return render(request, "sharing/offer_form.html", {"form": form})


@member_required
@in_garden_time
def offer_edit(request, pk: int):
    offer = get_object_or_404(Offer, pk=pk, origin_actor="")
    if not services.can_manage_offer(request.user, offer):
        messages.error(request, services.not_your_offer())
        return redirect("sharing:offer", offer.pk)
    form = OfferForm(request.POST or None, request.FILES or None, instance=offer)
    if request.method == "POST" and form.is_valid():

        def update():
            services.update_offer(
                request.user,
                offer,
                photo=request.FILES.get("photo"),
                remove_photo=form.cleaned_data.get("remove_photo", False),
                **_offer_values(form),
            )

        if _apply(request, form, update):
            messages.success(request, _("Saved."))
            return redirect("sharing:offer", offer.pk)
    return render(request, "sharing/offer_form.html", {"form": form, "offer": offer})


@member_required
@in_garden_time
def offer_detail(request, pk: int):
    offer = get_object_or_404(Offer.objects.select_related("offered_by__profile"), pk=pk)
    manager = services.can_manage_offer(request.user, offer)
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        quantity = form.cleaned_data["quantity"]
        if _apply(request, form, lambda: services.claim_offer(request.user, offer, quantity)):
            if offer.is_remote:
                messages.success(request, _("Your claim was sent; the other garden decides."))
            else:
                messages.success(request, _("It is yours. Please pick it up in time."))
            return redirect("sharing:offer", offer.pk)
    claims = offer.claims.select_related("claimant__profile")
    if not manager:
        claims = claims.filter(claimant=request.user)
    return render(
        request,
        "sharing/offer_detail.html",
        {
            "offer": offer,
            "form": form,
            "claims": claims,
            "manager": manager,
            "own": offer.offered_by_id == request.user.pk,
            "withdrawable": services.WITHDRAWABLE_CLAIMS,
            "replies": posts.replies_for(offer, request.user),
        },
    )


@member_required
@in_garden_time
@require_POST
def offer_withdraw(request, pk: int):
    offer = get_object_or_404(Offer, pk=pk)
    if _apply(request, None, lambda: services.withdraw_offer(request.user, offer)):
        messages.success(request, _("The offer was withdrawn."))
    return redirect("sharing:offer", offer.pk)


@member_required
@in_garden_time
@require_POST
def claim_picked_up(request, pk: int):
    return _claim_step(request, pk, services.mark_picked_up, _("Marked as picked up."))


@member_required
@in_garden_time
@require_POST
def claim_withdraw(request, pk: int):
    return _claim_step(request, pk, services.withdraw_claim, _("Your claim was withdrawn."))


def _claim_step(request, pk: int, step, done: str):
    """Run a claim's step (the service refuses who may not); back to the offer either way."""
    claim = get_object_or_404(Claim, pk=pk)
    if _apply(request, None, lambda: step(request.user, claim)):
        messages.success(request, done)
    return redirect("sharing:offer", claim.offer_id)


@member_required
@in_garden_time
def tools(request):
    items = services.library()
    return render(
        request,
        "sharing/tools.html",
        {
            "ours": [tool for tool in items if not tool.is_remote],
            "theirs": [tool for tool in items if tool.is_remote],
            "coordinator": is_coordinator(request.user),
        },
    )


@coordinator_required
@in_garden_time
def tool_form(request, pk: int | None = None):
    tool = get_object_or_404(Tool, pk=pk, origin_actor="") if pk else None
    form = ToolForm(request.POST or None, request.FILES or None, instance=tool)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.TOOL_FIELDS}
        saved = {}

        def save():
            if tool is None:
                saved["tool"] = services.create_tool(
                    request.user, photo=form.cleaned_data.get("photo"), **values
                )
            else:
                saved["tool"] = services.update_tool(
                    request.user,
                    tool,
                    photo=request.FILES.get("photo"),
                    remove_photo=form.cleaned_data.get("remove_photo", False),
                    **values,
                )

        if _apply(request, form, save):
            messages.success(request, _("Saved."))
            return redirect("sharing:tool", saved["tool"].pk)
    return render(request, "sharing/tool_form.html", {"form": form, "tool": tool})


@member_required
@in_garden_time
def tool_detail(request, pk: int):
    tool = get_object_or_404(Tool, pk=pk)
    form = LoanRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def ask():
            services.request_loan(request.user, tool, **form.cleaned_data)

        if _apply(request, form, ask):
            messages.success(request, _("Your request was sent."))
            return redirect("sharing:loans")
    coordinator = is_coordinator(request.user)
    loans = tool.loans.select_related("borrower__profile").order_by("-start_date")
    if not (coordinator and not tool.is_remote):
        loans = loans.filter(borrower=request.user)
    return render(
        request,
        "sharing/tool_detail.html",
        {
            "tool": tool,
            "form": form,
            "loans": loans[:50],
            "bookings": services.upcoming_bookings(tool),
            "coordinator": coordinator,
            "can_borrow": tool.active and (tool.is_remote or tool.lend_to_members),
        },
    )


@coordinator_required
@in_garden_time
@require_POST
def tool_retire(request, pk: int):
    tool = get_object_or_404(Tool, pk=pk, origin_actor="")
    if _apply(request, None, lambda: services.retire_tool(request.user, tool)):
        messages.success(request, _("The tool left the library."))
    return redirect("sharing:tools")


LOANS_PAGE_SIZE = 50


@member_required
@in_garden_time
def loans(request):
    mine = Loan.objects.filter(borrower=request.user).select_related("tool")
    coordinator = is_coordinator(request.user)
    ours = (
        Loan.objects.filter(tool__origin_actor="")
        .select_related("tool", "borrower__profile")
        .exclude(status__in=[Loan.Status.RETURNED, Loan.Status.DECLINED, Loan.Status.CANCELLED])
        if coordinator
        else Loan.objects.none()
    )
    return render(
        request,
        "sharing/loans.html",
        {
            "mine": mine.order_by("-start_date")[:100],
            # Open requests and loans of our tools, the soonest first, a page at a time.
            "ours": Paginator(ours.order_by("start_date", "pk"), LOANS_PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "coordinator": coordinator,
            "return_form": ReturnForm(),
        },
    )


@member_required
@in_garden_time
@require_POST
def loan_action(request, pk: int):
    loan = get_object_or_404(Loan, pk=pk)
    action = request.POST.get("action", "")
    user = request.user
    actions = {
        "approve": lambda: services.decide_loan(user, loan, approve=True),
        "decline": lambda: services.decide_loan(
            user, loan, approve=False, reason=request.POST.get("reason", "")
        ),
        "lent": lambda: services.mark_lent(user, loan),
        "cancel": lambda: services.cancel_loan(user, loan),
    }
    if action == "returned":
        form = ReturnForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(_("Please check the condition."))
        actions["returned"] = lambda: services.mark_returned(user, loan, **form.cleaned_data)
    if action not in actions:
        return HttpResponseBadRequest(_("Unknown action."))
    if _apply(request, None, actions[action]):
        messages.success(request, _("Saved."))
    return redirect("sharing:loans")


@coordinator_required
@in_garden_time
def sharing_settings(request):
    form = SettingsForm(request.POST or None, instance=SharingSettings.load())
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data

        def change():
            return services.set_share_radius(
                request.user,
                values["share_radius_km"],
                hop_limit=values["hop_limit"],
                claims_from_peers_only=values["claims_from_peers_only"],
            )

        if _apply(request, form, change):
            messages.success(request, _("Saved."))
            return redirect("sharing:settings")
    return render(request, "sharing/settings.html", {"form": form})


@member_required
def share_map(request):
    """The map: our garden, peers, suggestions and open offers, with the list beside it."""
    from urllib.parse import urlsplit

    from garden.core.middleware import CONTENT_SECURITY_POLICY

    from .map import map_data

    crop = request.GET.get("crop", "")[:80]
    data = map_data(crop, with_suggestions=is_coordinator(request.user))
    crops = sorted(set(services.open_offers().values_list("crop", flat=True)), key=str.lower)
    response = render(
        request,
        "sharing/map.html",
        {"data": data, "crop": crop, "crops": crops[:200], "section": "map"},
    )
    tiles = urlsplit(data["tiles"]["url"])
    if tiles.scheme in ("http", "https") and tiles.netloc:
        # The tile server's images are the only thing the map loads from elsewhere.
        origin = f"{tiles.scheme}://{tiles.netloc}".replace("{s}", "*")
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "img-src 'self' data:", f"img-src 'self' data: {origin}"
        )
    return response
