from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from garden.core.errors import RuleError
from garden.members.permissions import coordinator_required, member_required
from garden.members.services import is_coordinator

from . import services
from .forms import AssignForm, FeePaidForm, PlotForm, PolicyForm, ReasonForm
from .map import garden_map
from .models import Fee, Plot, PlotEvent, Tenancy

PAGE_SIZE = 50  # rows of the fees list on one page


@member_required
def index(request):
    services.expire_offers()  # lazily, in case no worker runs the periodic check
    plots = list(Plot.objects.all())
    mine = list(services.my_tenancies(request.user))
    policy = services.get_policy()
    my_ids = {t.plot_id for t in mine if t.status == Tenancy.Status.ACTIVE}
    context = {
        "plots": plots,
        "my_ids": my_ids,
        "map": garden_map(plots, my_ids),
        "mine": mine,
        "policy": policy,
        "position": services.waitlist_position(request.user),
        "at_limit": len(mine) >= policy.plots_per_member,
        "waiting": services.open_entries().count(),
        "free": sum(1 for p in plots if p.status == Plot.Status.AVAILABLE),
        "fees_owed": services.fees_owed(request.user),
        "pending": [p for p in plots if p.status == Plot.Status.PENDING],
        "statuses": Plot.Status.choices,
        "is_coordinator": is_coordinator(request.user),
    }
    for tenancy in mine:
        tenancy.needs_renewal = services.needs_renewal(tenancy, policy)
    return render(request, "plots/index.html", context)


@member_required
def detail(request, pk: int):
    services.expire_offers()
    plot = get_object_or_404(Plot, pk=pk)
    current = services.current_tenancy(plot)
    coordinator = is_coordinator(request.user)
    policy = services.get_policy()
    context = {
        "plot": plot,
        "current": current,
        "mine": current is not None and current.user_id == request.user.pk,
        "policy": policy,
        "needs_renewal": current is not None and services.needs_renewal(current, policy),
        "history": plot.tenancies.filter(status__in=[Tenancy.Status.ACTIVE, Tenancy.Status.ENDED])
        .select_related("user__profile")
        .order_by("-started_at")[:50],
        "events": plot.events.select_related("subject__profile", "actor__profile")[:50],
        "is_coordinator": coordinator,
    }
    if coordinator:
        context["assign_form"] = AssignForm()
        context["reason_form"] = ReasonForm()
    return render(request, "plots/detail.html", context)


@member_required
@require_POST
def act(request, pk: int):
    """Every button on a plot's page posts here with its action."""
    action = request.POST.get("action", "")
    user = request.user
    reason = request.POST.get("reason", "").strip()[:500]
    coordinator_actions = {"approve", "decline", "assign", "revoke", "out_of_use", "back_in_use"}
    if action in coordinator_actions and not is_coordinator(user):
        raise PermissionDenied
    try:
        if action == "claim":
            tenancy = services.claim(user, pk)
            if tenancy.status == Tenancy.Status.PENDING:
                messages.info(request, _("Your claim waits for a coordinator's approval."))
            else:
                messages.success(request, _("The plot is yours."))
        elif action == "release":
            services.release(user, pk, reason)
            messages.success(request, _("You released the plot."))
        elif action == "renew":
            services.renew(user, pk)
            messages.success(request, _("You renewed the plot for the next season."))
        elif action == "accept":
            services.accept_offer(user, pk)
            messages.success(request, _("The plot is yours."))
        elif action == "refuse":
            services.refuse_offer(user, pk)
            messages.success(request, _("You refused the offer; it goes to the next in line."))
        elif action in ("approve", "decline"):
            services.decide_claim(pk, approve=action == "approve", by=user, reason=reason)
            messages.success(request, _("Saved."))
        elif action == "assign":
            form = AssignForm(request.POST)
            if not form.is_valid():
                raise RuleError(_("Choose a member."))
            services.assign(pk, form.cleaned_data["member"], by=user, reason=reason)
            messages.success(request, _("The plot was assigned."))
        elif action == "revoke":
            services.revoke(pk, by=user, reason=reason)
            messages.success(request, _("The plot was taken back."))
        elif action in ("out_of_use", "back_in_use"):
            services.set_out_of_use(pk, action == "out_of_use", by=user, reason=reason)
            messages.success(request, _("Saved."))
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    except RuleError as error:
        if error.status == 404:
            get_object_or_404(Plot, pk=pk)
        messages.error(request, error.message)
    return redirect("plots:detail", pk=pk)


@member_required
def waitlist(request):
    if request.method == "POST":
        try:
            if request.POST.get("action") == "leave":
                services.leave_waitlist(request.user)
                messages.success(request, _("You left the waitlist."))
            else:
                services.join_waitlist(request.user)
                messages.success(request, _("You are on the waitlist."))
        except RuleError as error:
            messages.error(request, error.message)
        return redirect("plots:waitlist")
    entries = list(services.open_entries())
    return render(
        request,
        "plots/waitlist.html",
        {
            "entries": entries,
            "position": services.waitlist_position(request.user),
            "is_coordinator": is_coordinator(request.user),
            "free": Plot.objects.filter(status=Plot.Status.AVAILABLE).exists(),
            "at_limit": services.holdings_count(request.user)
            >= services.get_policy().plots_per_member,
        },
    )


@member_required
def log(request):
    events = PlotEvent.objects.select_related("plot", "subject__profile", "actor__profile")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request, "plots/log.html", {"page": page, "is_coordinator": is_coordinator(request.user)}
    )


@coordinator_required
def fees(request):
    if request.method == "POST":
        form = FeePaidForm(request.POST)
        try:
            fee_id = int(request.POST.get("fee", ""))
        except ValueError:
            return HttpResponseBadRequest(_("Unknown fee."))
        if form.is_valid():
            try:
                services.mark_fee_paid(fee_id, form.cleaned_data["method"], by=request.user)
                messages.success(request, _("The fee is marked paid."))
            except RuleError as error:
                messages.error(request, error.message)
        else:
            messages.error(request, _("Choose how the fee was paid."))
        return redirect("plots:fees")
    show_all = request.GET.get("show") == "all"
    fees = Fee.objects.select_related("tenancy__plot", "tenancy__user__profile")
    if not show_all:
        fees = fees.filter(paid_at__isnull=True)
    page = Paginator(fees.order_by("pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "plots/fees.html",
        {"fees": page, "page": page, "show_all": show_all, "methods": Fee.Method.choices},
    )


@coordinator_required
def policy(request):
    form = PolicyForm(request.POST or None, instance=services.get_policy())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The plot rules were saved."))
        return redirect("plots:index")
    return render(request, "plots/policy.html", {"form": form})


@coordinator_required
def edit(request, pk: int | None = None):
    plot = get_object_or_404(Plot, pk=pk) if pk else None
    form = PlotForm(request.POST or None, instance=plot)
    if request.method == "POST" and form.is_valid():
        plot = form.save()
        services.plot_changed(plot)
        messages.success(request, _("The plot was saved."))
        return redirect("plots:detail", pk=plot.pk)
    return render(request, "plots/edit.html", {"form": form, "plot": plot})
