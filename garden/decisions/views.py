"""Pages: proposals, my vote, the decision records and who may propose."""

from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from garden.core.errors import RuleError
from garden.members import services as members
from garden.members.permissions import coordinator_required, member_required

from . import services
from .forms import ProposalForm, SearchForm, SettingsForm, VoteForm
from .models import Decision, DecisionSettings, Method, Proposal

PAGE_SIZE = 20


def in_garden_time(view):
    """Show and read times in the garden's time zone, whatever the server's is."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with timezone.override(members.get_garden().tz):
            return view(request, *args, **kwargs)

    return wrapped


@member_required
@in_garden_time
def index(request):
    return render(
        request,
        "decisions/index.html",
        {
            "proposals": Proposal.objects.filter(status=Proposal.Status.OPEN),
            "recent": Decision.objects.all()[:5],
            "may_propose": services.may_propose(request.user),
            "section": "open",
        },
    )


@member_required
@in_garden_time
def proposal_new(request):
    if not services.may_propose(request.user):
        messages.error(request, _("In this garden only coordinators put proposals to a vote."))
        return redirect("decisions:index")
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.create_proposal(request.user, **form.values())
        except RuleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your proposal is open for votes."))
            return redirect("decisions:proposal", proposal.pk)
    return render(request, "decisions/proposal_form.html", {"form": form, "section": "new"})


@member_required
@in_garden_time
def proposal_detail(request, pk: int):
    proposal = get_object_or_404(Proposal.objects.prefetch_related("options"), pk=pk)
    ballot = services.my_ballot(proposal, request.user)
    is_open = services.is_open(proposal)
    form = VoteForm(proposal, request.POST or None, ballot=ballot) if is_open else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Voting on this proposal has closed."))
            return redirect("decisions:proposal", pk)
        if form.is_valid():
            try:
                services.cast_vote(proposal.pk, request.user, form.ballot())
            except RuleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("Your vote is counted. You can change it until the deadline.")
                )
                return redirect("decisions:proposal", pk)
    coordinator = members.is_coordinator(request.user)
    return render(
        request,
        "decisions/proposal.html",
        {
            "proposal": proposal,
            "form": form,
            "is_open": is_open,
            "voted": ballot is not None,
            "my_vote": _describe(proposal, ballot),
            "turnout": services.turnout(proposal) if coordinator and is_open else None,
            "eligible": members.active_members().count() if coordinator and is_open else None,
            "decision": _decision_rows(proposal),
        },
    )


def _describe(proposal: Proposal, ballot) -> list[str]:
    """My own vote in words, for me alone."""
    if ballot is None:
        return []
    if proposal.method == Method.CONSENT:
        if ballot.objection:
            return [_("You object: %(reason)s") % {"reason": ballot.reason}]
        return [_("You consent.")]
    labels = {o.pk: o.label for o in proposal.options.all()}
    if proposal.method == Method.MAJORITY:
        return [_("You chose: %(option)s") % {"option": labels.get(ballot.choice, "")}]
    return [f"{labels[pk]}: {value:+d}" for pk, value in ballot.scores.items() if pk in labels]


def _decision_rows(proposal: Proposal) -> dict | None:
    decision = getattr(proposal, "decision", None) if proposal.status == "decided" else None
    if decision is None:
        return None
    return {"record": decision, "result": services.result_text(decision), **_totals(decision)}


def _totals(decision: Decision) -> dict:
    if decision.method == Method.CONSENT:
        rows = [
            (_("Consent"), decision.totals.get("consent", 0), False),
            (_("Objections"), decision.totals.get("object", 0), False),
        ]
    else:
        rows = [
            (o["label"], decision.totals.get(str(o["id"]), 0), o["id"] == decision.winner_id)
            for o in decision.options
        ]
    return {"rows": rows}


@member_required
@in_garden_time
def records(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(services.search_decisions(query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "decisions/records.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "pager_query": f"q={quote(query)}&amp;" if query else "",
            "section": "records",
        },
    )


@coordinator_required
def settings_page(request):
    form = SettingsForm(request.POST or None, instance=DecisionSettings.load())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("decisions:settings")
    return render(request, "decisions/settings.html", {"form": form, "section": "settings"})
