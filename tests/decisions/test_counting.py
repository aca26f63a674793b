"""Each method counts known ballots to the known result: ties, quorum, objections."""

from garden.decisions.counting import Ballot, count, quorum_reached

A, B, C = 11, 12, 13


def test_majority_option_with_more_than_half_wins():
    ballots = [Ballot(choice=A), Ballot(choice=A), Ballot(choice=B)]
    tally = count("majority", [A, B], ballots, eligible=10, quorum_percent=None)
    assert (tally.outcome, tally.winner) == ("chosen", A)
    assert tally.totals == {str(A): 2, str(B): 1}
    assert tally.votes_cast == 3


def test_majority_tie_is_no_decision():
    ballots = [Ballot(choice=A), Ballot(choice=B)]
    tally = count("majority", [A, B], ballots, eligible=2, quorum_percent=None)
    assert (tally.outcome, tally.winner) == ("no_decision", None)


def test_majority_plurality_without_more_than_half_is_no_decision():
    ballots = [Ballot(choice=A), Ballot(choice=A), Ballot(choice=B), Ballot(choice=C)]
    tally = count("majority", [A, B, C], ballots, eligible=4, quorum_percent=None)
    assert tally.outcome == "no_decision"
    assert tally.totals == {str(A): 2, str(B): 1, str(C): 1}


def test_score_highest_total_wins():
    ballots = [
        Ballot(scores={A: 2, B: -1, C: 0}),
        Ballot(scores={A: -2, B: 2, C: 1}),
        Ballot(scores={A: 1, B: 1, C: 2}),
    ]
    tally = count("score", [A, B, C], ballots, eligible=3, quorum_percent=None)
    assert tally.totals == {str(A): 1, str(B): 2, str(C): 3}
    assert (tally.outcome, tally.winner) == ("chosen", C)


def test_score_tie_at_the_top_is_no_decision():
    ballots = [Ballot(scores={A: 2, B: 1, C: -2}), Ballot(scores={A: 0, B: 1, C: 2})]
    tally = count("score", [A, B, C], ballots, eligible=2, quorum_percent=None)
    assert tally.totals == {str(A): 2, str(B): 2, str(C): 0}
    assert (tally.outcome, tally.winner) == ("no_decision", None)


def test_score_options_not_scored_count_zero():
    tally = count("score", [A, B], [Ballot(scores={A: -1})], eligible=1, quorum_percent=None)
    assert (tally.outcome, tally.winner) == ("chosen", B)


def test_consent_without_objection_is_adopted():
    tally = count("consent", [], [Ballot(), Ballot(), Ballot()], eligible=3, quorum_percent=None)
    assert tally.outcome == "adopted"
    assert tally.totals == {"consent": 3, "object": 0}


def test_consent_with_one_objection_is_blocked_and_keeps_the_reason():
    ballots = [Ballot(), Ballot(objection=True, reason="Too loud at night"), Ballot()]
    tally = count("consent", [], ballots, eligible=3, quorum_percent=None)
    assert tally.outcome == "blocked"
    assert tally.totals == {"consent": 2, "object": 1}
    assert tally.objections == ["Too loud at night"]


def test_quorum_not_reached_is_no_decision_even_with_a_clear_winner():
    ballots = [Ballot(choice=A), Ballot(choice=A)]
    tally = count("majority", [A, B], ballots, eligible=10, quorum_percent=30)
    assert (tally.outcome, tally.winner) == ("no_quorum", None)
    assert tally.totals == {str(A): 2, str(B): 0}  # still counted, for the record


def test_quorum_exactly_reached_counts():
    ballots = [Ballot(choice=A)] * 3
    tally = count("majority", [A, B], ballots, eligible=10, quorum_percent=30)
    assert (tally.outcome, tally.winner) == ("chosen", A)


def test_quorum_arithmetic():
    assert quorum_reached(1, 3, 33)
    assert not quorum_reached(0, 0, 10)
    assert quorum_reached(0, 5, None)
    assert not quorum_reached(2, 7, 30)  # 28.6 % < 30 %
