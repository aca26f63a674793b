"""The rules of proposals and votes, in one place for pages, API and the worker."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from garden.core import live
from garden.core.errors import RuleError
from garden.members import services as members
from garden.members.notifications import notify

from .counting import Ballot, Tally, count
from .models import (
    MAX_OPTIONS,
    MAX_SCORE,
    MIN_SCORE,
    Decision,
    DecisionSettings,
    Method,
    Option,
    Outcome,
    Proposal,
    Score,
    Vote,
)

MIN_LEAD_TIME = dt.timedelta(minutes=5)
MAX_LEAD_TIME = dt.timedelta(days=366)
MAX_REASON = 2000


def may_propose(user) -> bool:
    if DecisionSettings.load().who_may_propose == DecisionSettings.Proposers.COORDINATORS:
        return members.is_coordinator(user)
    return members.is_member(user)


def _clean_options(method: str, labels: list[str]) -> list[str]:
    if method == Method.CONSENT:
        return []  # one question: consent or object
    labels = [label.strip() for label in labels if label.strip()]
    if method == Method.MAJORITY and not labels:
        labels = [_("Yes"), _("No")]
    if len(labels) < 2 or len(labels) > MAX_OPTIONS:
        raise RuleError(_("Give between 2 and %(max)d options.") % {"max": MAX_OPTIONS})
    if any(len(label) > 200 for label in labels):
        raise RuleError(_("An option may be at most 200 characters long."))
    if len({label.casefold() for label in labels}) != len(labels):
        raise RuleError(_("Each option must be different."))
    return labels


@transaction.atomic
def create_proposal(
    author,
    *,
    title: str,
    text: str,
    method: str,
    deadline: dt.datetime,
    options: list[str] | None = None,
    quorum_percent: int | None = None,
) -> Proposal:
    if not members.is_member(author):
        raise RuleError(_("Only members of this garden may do this."), status=403)
    if not may_propose(author):
        raise RuleError(_("In this garden only coordinators put proposals to a vote."), status=403)
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise RuleError(_("A proposal needs a title and a text."))
    if len(title) > 200 or len(text) > 10000:
        raise RuleError(_("The title or the text is too long."))
    if method not in Method.values:
        raise RuleError(_("Unknown voting method."))
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline, members.get_garden().tz)
    now = timezone.now()
    if not now + MIN_LEAD_TIME <= deadline <= now + MAX_LEAD_TIME:
        raise RuleError(_("The deadline must be between five minutes and a year from now."))
    if quorum_percent is not None and not 1 <= quorum_percent <= 100:
        raise RuleError(_("The quorum is a share of the members between 1 and 100 %."))
    labels = _clean_options(method, options or [])
    proposal = Proposal.objects.create(
        author=author,
        title=title,
        text=text,
        method=method,
        deadline=deadline,
        quorum_percent=quorum_percent,
    )
    Option.objects.bulk_create(
        Option(proposal=proposal, position=n, label=label) for n, label in enumerate(labels)
    )
    live.push_garden("decisions", {"id": proposal.pk})
    from .tasks import schedule_close  # tasks imports services

    schedule_close(deadline)
    return proposal


def is_open(proposal: Proposal, now: dt.datetime | None = None) -> bool:
    return proposal.status == Proposal.Status.OPEN and (now or timezone.now()) < proposal.deadline


def _ballot_fields(proposal: Proposal, ballot: Ballot) -> dict:
    """Check a ballot against the proposal's method; the fields a Vote row stores."""
    option_ids = set(proposal.options.values_list("pk", flat=True))
    if proposal.method == Method.CONSENT:
        reason = ballot.reason.strip()
        if ballot.objection and not reason:
            raise RuleError(_("An objection needs a reason."))
        if len(reason) > MAX_REASON:
            raise RuleError(_("The reason is too long."))
        return {"objection": ballot.objection, "reason": reason if ballot.objection else ""}
    if proposal.method == Method.MAJORITY:
        if ballot.choice not in option_ids:
            raise RuleError(_("Choose one of the proposal's options."))
        return {"choice_id": ballot.choice}
    if set(ballot.scores) - option_ids:
        raise RuleError(_("Score only the proposal's options."))
    if any(not MIN_SCORE <= value <= MAX_SCORE for value in ballot.scores.values()):
        raise RuleError(_("Each score is between −2 and +2."))
    return {}


def cast_vote(proposal_id: int, voter, ballot: Ballot) -> Vote:
    """Cast or change my vote until the deadline. The proposal row is locked, so two
    requests of one member meet in turn; the unique constraint is the last guard."""
    if not members.is_member(voter):
        raise RuleError(_("Only members of this garden may vote."), status=403)
    try:
        with transaction.atomic():
            return _cast_vote(proposal_id, voter, ballot)
    except IntegrityError as error:  # a racing first vote of the same member won
        raise RuleError(_("Your vote was changed at the same moment; try again."), 409) from error


def _cast_vote(proposal_id: int, voter, ballot: Ballot) -> Vote:
    proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise RuleError(_("No such proposal."), status=404)
    if not is_open(proposal):
        raise RuleError(_("Voting on this proposal has closed."), status=409)
    fields = _ballot_fields(proposal, ballot)
    vote, _created = Vote.objects.update_or_create(
        proposal=proposal,
        voter=voter,
        defaults={"choice_id": None, "objection": False, "reason": "", **fields},
    )
    if proposal.method == Method.SCORE:
        vote.scores.all().delete()
        Score.objects.bulk_create(
            Score(vote=vote, option_id=pk, value=ballot.scores.get(pk, 0))
            for pk in proposal.options.values_list("pk", flat=True)
        )
    live.push_garden("decisions", {"id": proposal.pk})  # turnout changed; never what
    return vote


def my_ballot(proposal: Proposal, user) -> Ballot | None:
    vote = Vote.objects.filter(proposal=proposal, voter=user).prefetch_related("scores").first()
    return _ballot(vote) if vote else None


def _ballot(vote: Vote) -> Ballot:
    return Ballot(
        choice=vote.choice_id,
        objection=vote.objection,
        reason=vote.reason,
        scores={score.option_id: score.value for score in vote.scores.all()},
    )


def turnout(proposal: Proposal) -> int:
    return proposal.votes.count()


def withdraw_open_votes(user) -> int:
    """A member who leaves takes back their votes on proposals not yet counted."""
    proposal_ids = list(
        Vote.objects.filter(voter=user, proposal__status=Proposal.Status.OPEN).values_list(
            "proposal_id", flat=True
        )
    )
    deleted, _rows = Vote.objects.filter(voter=user, proposal_id__in=proposal_ids).delete()
    for pk in proposal_ids:
        live.push_garden("decisions", {"id": pk})
    return deleted


def _count_stored(proposal: Proposal, eligible: int, quorum_percent: int | None) -> Tally:
    votes = proposal.votes.prefetch_related("scores")
    return count(
        proposal.method,
        list(proposal.options.values_list("pk", flat=True)),
        [_ballot(vote) for vote in votes],
        eligible=eligible,
        quorum_percent=quorum_percent,
    )


def recount(decision: Decision) -> Tally:
    """Count the stored votes of a decided proposal again (for audits and tests)."""
    return _count_stored(decision.proposal, decision.eligible, decision.quorum_percent)


@transaction.atomic
def close(proposal_id: int, now: dt.datetime | None = None) -> Decision | None:
    """Count a proposal whose deadline has passed, keep the record and announce it."""
    now = now or timezone.now()
    proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None or proposal.status != Proposal.Status.OPEN or proposal.deadline > now:
        return None
    eligible = members.active_members().count()
    tally = _count_stored(proposal, eligible, proposal.quorum_percent)
    decision = Decision.objects.create(
        proposal=proposal,
        title=proposal.title,
        text=proposal.text,
        method=proposal.method,
        options=[{"id": o.pk, "label": o.label} for o in proposal.options.all()],
        outcome=tally.outcome,
        winner_id=tally.winner,
        totals=tally.totals,
        objections=tally.objections,
        votes_cast=tally.votes_cast,
        eligible=eligible,
        quorum_percent=proposal.quorum_percent,
        decided_at=now,
    )
    proposal.status = Proposal.Status.DECIDED
    proposal.save(update_fields=["status"])
    live.push_garden("decisions", {"id": proposal.pk})
    from .tasks import announce_decision  # tasks imports services

    # Telling every member takes a while (~10 ms each); it runs as its own task, so the
    # proposal is not locked meanwhile and a failed email never undoes the count.
    transaction.on_commit(lambda: announce_decision.enqueue(decision.pk))
    return decision


def announce(decision_id: int) -> int:
    """Tell every member the result, in the app and by email (if they want email)."""
    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is None:
        return 0
    message = _("Decided: %(title)s — %(result)s") % {
        "title": decision.title,
        "result": result_text(decision),
    }
    url = reverse("decisions:proposal", args=[decision.proposal_id])
    people = [membership.user for membership in members.active_members()]
    for person in people:
        notify(person, "decision", message, url=url)
    return len(people)


def close_due(now: dt.datetime | None = None) -> list[Decision]:
    now = now or timezone.now()
    due = Proposal.objects.filter(status=Proposal.Status.OPEN, deadline__lte=now)
    decisions = [close(pk, now) for pk in due.values_list("pk", flat=True)]
    return [decision for decision in decisions if decision]


def result_text(decision: Decision) -> str:
    if decision.outcome == Outcome.CHOSEN and decision.winner_id:
        label = next((o["label"] for o in decision.options if o["id"] == decision.winner_id), "")
        return _("chosen: %(option)s") % {"option": label}
    return str(Outcome(decision.outcome).label)


def search_decisions(query: str = ""):
    decisions = Decision.objects.all()
    for word in query.split()[:8]:
        decisions = decisions.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return decisions


def export(user) -> dict:
    """My proposals, and that I voted (what I voted is mine to download too)."""
    return {
        "proposals": list(Proposal.objects.filter(author=user).values("pk", "title", "created_at")),
        "votes": [
            {"proposal": vote.proposal_id, **_ballot(vote).__dict__}
            for vote in Vote.objects.filter(voter=user).prefetch_related("scores")
        ],
    }
