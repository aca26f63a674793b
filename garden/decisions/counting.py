"""Counting votes: plain functions of the ballots, so a result can always be counted again.

Nothing here touches the database; `services` feeds it stored votes.
"""

from collections import Counter
from dataclasses import dataclass, field

from .models import Method, Outcome


@dataclass(frozen=True)
class Ballot:
    choice: int | None = None  # majority: the option id
    objection: bool = False  # consent
    reason: str = ""  # consent: why I object
    scores: dict[int, int] = field(default_factory=dict)  # score voting: option id → −2…+2


@dataclass(frozen=True)
class Tally:
    outcome: str
    winner: int | None
    totals: dict[str, int]
    objections: list[str]
    votes_cast: int


def quorum_reached(votes_cast: int, eligible: int, quorum_percent: int | None) -> bool:
    """Turnout at least the quorum's share of the members (integers, no rounding)."""
    if not quorum_percent:
        return True
    return votes_cast * 100 >= quorum_percent * eligible and votes_cast > 0


def count(
    method: str,
    option_ids: list[int],
    ballots: list[Ballot],
    *,
    eligible: int,
    quorum_percent: int | None,
) -> Tally:
    votes_cast = len(ballots)
    objections: list[str] = []
    winner = None
    if method == Method.CONSENT:
        objecting = [b for b in ballots if b.objection]
        objections = sorted(b.reason for b in objecting)  # sorted: the order says nothing
        totals = {"consent": votes_cast - len(objecting), "object": len(objecting)}
        outcome = Outcome.BLOCKED if objecting else Outcome.ADOPTED
    elif method == Method.MAJORITY:
        votes = Counter(b.choice for b in ballots)
        totals = {str(pk): votes.get(pk, 0) for pk in option_ids}
        winner = next((pk for pk in option_ids if votes.get(pk, 0) * 2 > votes_cast), None)
        outcome = Outcome.CHOSEN if winner else Outcome.NO_DECISION
    elif method == Method.SCORE:
        sums = {pk: sum(b.scores.get(pk, 0) for b in ballots) for pk in option_ids}
        totals = {str(pk): total for pk, total in sums.items()}
        best = max(sums.values(), default=0)
        leaders = [pk for pk, total in sums.items() if total == best]
        winner = leaders[0] if votes_cast and len(leaders) == 1 else None
        outcome = Outcome.CHOSEN if winner else Outcome.NO_DECISION  # a tie is no decision
    else:
        raise ValueError(f"unknown method {method!r}")
    if not quorum_reached(votes_cast, eligible, quorum_percent):
        outcome, winner = Outcome.NO_QUORUM, None
    return Tally(
        outcome=outcome,
        winner=winner,
        totals=totals,
        objections=objections,
        votes_cast=votes_cast,
    )
