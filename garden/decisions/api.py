"""Proposals and votes over /api/v1 (see docs/decisions.md).

What a member voted is only ever answered to that member (`GET /proposals/{id}/vote`);
everyone else sees results after the deadline, and coordinators the turnout before it.
"""

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status

from garden.core.errors import RuleError
from garden.core.paging import VersionedLists
from garden.core.schemas import MAX_ID, BodyId, DateTime, Input, StrictBool, choices_of, of
from garden.members import services as members
from garden.members.permissions import api_member

from . import services
from .counting import Ballot
from .models import MAX_OPTIONS, Decision, Option, Proposal, Score, Vote

router = Router(tags=["decisions"])
lists = VersionedLists(tags=["decisions"])

ProposalId = Path(..., ge=1, le=MAX_ID)
MethodName = choices_of(Proposal, "method")
OutcomeName = choices_of(Decision, "outcome")


class Detail(Schema):
    detail: str


# Schema names carry the area: the API's schema has one namespace (docs/api.md).
ERRORS = {403: Detail, 404: Detail, 409: Detail}


class ProposalOptionOut(Schema):
    id: int
    label: str


class ProposalTotalOut(Schema):
    key: str = Field(description="an option id, or 'consent' / 'object'")
    total: int


class ProposalResultOut(Schema):
    outcome: OutcomeName
    winner_id: int | None
    totals: list[ProposalTotalOut]
    objections: list[str] = Field(description="the reasons given, without names")
    votes_cast: int
    eligible: int
    decided_at: dt.datetime


class ProposalOut(Schema):
    id: int
    title: str
    text: str
    method: MethodName
    options: list[ProposalOptionOut]
    deadline: dt.datetime
    quorum_percent: int | None
    status: choices_of(Proposal, "status")
    open: bool = Field(description="votes are accepted now")
    voted: bool = Field(description="I have voted")
    turnout: int | None = Field(description="votes so far; coordinators only, while open")
    result: ProposalResultOut | None


class ProposalIn(Input):
    title: of(Proposal, "title")
    text: of(Proposal, "text")
    method: MethodName
    options: list[of(Option, "label")] = Field(
        [], max_length=MAX_OPTIONS, description="2 to 10 (majority: Yes/No when left out)"
    )
    deadline: DateTime = Field(description="five minutes to a year from now")
    quorum_percent: of(Proposal, "quorum_percent") | None = None


class ProposalFilter(Schema):
    status: Literal["open", "decided", "all"] = "all"
    q: str = Field("", max_length=200, description="words in the title or text")


class ProposalScoreIn(Input):
    option_id: BodyId
    score: of(Score, "value")


class ProposalVoteIn(Input):
    option_id: BodyId | None = Field(None, description="simple majority")
    objection: StrictBool = Field(False, description="consent: I object")
    reason: of(Vote, "reason") = Field("", description="consent: why I object")
    scores: list[ProposalScoreIn] = Field([], max_length=MAX_OPTIONS, description="score voting")


class ProposalScoreOut(Schema):
    option_id: int
    score: int


class ProposalVoteOut(Schema):
    proposal_id: int
    option_id: int | None
    objection: bool
    reason: str
    scores: list[ProposalScoreOut]


def _result(decision: Decision) -> dict:
    return {
        "outcome": decision.outcome,
        "winner_id": decision.winner_id,
        "totals": [{"key": key, "total": total} for key, total in decision.totals.items()],
        "objections": decision.objections,
        "votes_cast": decision.votes_cast,
        "eligible": decision.eligible,
        "decided_at": decision.decided_at,
    }


def _proposal_out(proposal: Proposal, user, coordinator: bool, voted: set[int]) -> dict:
    is_open = services.is_open(proposal)
    decision = getattr(proposal, "decision", None)
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "text": proposal.text,
        "method": proposal.method,
        "options": [{"id": o.pk, "label": o.label} for o in proposal.options.all()],
        "deadline": proposal.deadline,
        "quorum_percent": proposal.quorum_percent,
        "status": proposal.status,
        "open": is_open,
        "voted": proposal.pk in voted,
        "turnout": services.turnout(proposal) if coordinator and is_open else None,
        "result": _result(decision) if decision and proposal.status == "decided" else None,
    }


class PagedProposals:
    def __init__(self, proposals, user) -> None:
        self.proposals, self.user = proposals, user
        self.coordinator = members.is_coordinator(user)

    def __len__(self) -> int:
        return self.proposals.count()

    def __getitem__(self, page: slice) -> list[dict]:
        rows = list(self.proposals[page])
        voted = set(
            self.user.decision_votes.filter(proposal__in=rows).values_list("proposal_id", flat=True)
        )
        return [_proposal_out(p, self.user, self.coordinator, voted) for p in rows]


def _queryset():
    return Proposal.objects.select_related("decision").prefetch_related("options")


@lists.get(
    "/proposals",
    ProposalOut,
    errors={403: Detail},
    summary="Proposals, open and decided (members)",
    paged_in_v1=True,
)
def list_proposals(request, filters: Query[ProposalFilter]):
    """Open and decided proposals, the latest deadline first, paged."""
    user = api_member(request)
    proposals = _queryset().order_by("-deadline", "-pk")
    if filters.status != "all":
        proposals = proposals.filter(status=filters.status)
    for word in filters.q.split()[:8]:
        proposals = proposals.filter(title__icontains=word) | proposals.filter(text__icontains=word)
    return PagedProposals(proposals, user)


@router.post(
    "/proposals",
    response={201: ProposalOut, **ERRORS},
    summary="Put a proposal to a vote (members, or only coordinators if the garden says so)",
)
def create_proposal(request, payload: ProposalIn):
    user = api_member(request)
    proposal = services.create_proposal(user, **payload.dict())
    return Status(201, _one(user, proposal.pk))


def _one(user, pk: int) -> dict:
    proposal = get_object_or_404(_queryset(), pk=pk)
    voted = {pk} if proposal.votes.filter(voter=user).exists() else set()
    return _proposal_out(proposal, user, members.is_coordinator(user), voted)


@router.get(
    "/proposals/{proposal_id}",
    response={200: ProposalOut, 403: Detail, 404: Detail},
    summary="One proposal (members)",
)
def get_proposal(request, proposal_id: int = ProposalId):
    return _one(api_member(request), proposal_id)


def _vote_out(proposal_id: int, ballot: Ballot) -> dict:
    return {
        "proposal_id": proposal_id,
        "option_id": ballot.choice,
        "objection": ballot.objection,
        "reason": ballot.reason,
        "scores": [{"option_id": k, "score": v} for k, v in sorted(ballot.scores.items())],
    }


@router.get(
    "/proposals/{proposal_id}/vote",
    response={200: ProposalVoteOut, **ERRORS},
    summary="My own vote (members)",
)
def my_vote(request, proposal_id: int = ProposalId):
    """My own vote on a proposal (404 if I have not voted). Nobody else's is ever shown."""
    user = api_member(request)
    proposal = get_object_or_404(Proposal, pk=proposal_id)
    ballot = services.my_ballot(proposal, user)
    if ballot is None:
        raise RuleError("You have not voted on this proposal.", status=404)
    return _vote_out(proposal.pk, ballot)


@router.put(
    "/proposals/{proposal_id}/vote",
    response={200: ProposalVoteOut, **ERRORS},
    summary="Cast or change my vote until the deadline (members)",
)
def vote(request, payload: ProposalVoteIn, proposal_id: int = ProposalId):
    """Cast or change my vote until the deadline; 409 after it. The fields that count
    follow the method: `option_id` (majority), `objection` and `reason` (consent),
    `scores` (score voting; options not scored count 0)."""
    user = api_member(request)
    scores = {item.option_id: item.score for item in payload.scores}
    if len(scores) != len(payload.scores):
        raise RuleError("Score each option at most once.")
    ballot = Ballot(
        choice=payload.option_id,
        objection=payload.objection,
        reason=payload.reason,
        scores=scores,
    )
    vote = services.cast_vote(proposal_id, user, ballot)
    return _vote_out(proposal_id, services.my_ballot(vote.proposal, user))
