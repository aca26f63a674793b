"""Proposals and votes through the services: the rules, the count, the record."""

import datetime as dt

import pytest
from django.utils import timezone

from garden.core.errors import RuleError
from garden.decisions import services
from garden.decisions.counting import Ballot
from garden.decisions.models import Decision, DecisionSettings, Proposal, Vote
from garden.members import services as members
from garden.members.models import Notification

from .conftest import make_proposal, past_deadline


def test_a_member_proposes_yes_no_by_default(member):
    proposal = make_proposal(member, "majority")
    assert [o.label for o in proposal.options.all()] == ["Yes", "No"]
    assert proposal.status == "open"


@pytest.mark.parametrize(
    "changes",
    [
        {"title": " "},
        {"method": "dictator"},
        {"deadline": timezone.now()},
        {"deadline": timezone.now() + dt.timedelta(days=400)},
        {"quorum_percent": 0},
        {"options": ["Only one"]},
        {"options": ["Same", "same"]},
    ],
)
def test_bad_proposals_are_refused_and_nothing_is_stored(member, changes):
    values = {
        "title": "Pump",
        "text": "Buy one",
        "method": "score",
        "deadline": timezone.now() + dt.timedelta(days=1),
        "options": ["A", "B"],
        **changes,
    }
    with pytest.raises(RuleError) as error:
        services.create_proposal(member, **values)
    assert error.value.status == 400
    assert not Proposal.objects.exists()


def test_only_coordinators_propose_when_the_garden_says_so(member, coordinator):
    row = DecisionSettings.load()
    row.who_may_propose = DecisionSettings.Proposers.COORDINATORS
    row.save()
    with pytest.raises(RuleError) as error:
        make_proposal(member)
    assert error.value.status == 403
    assert make_proposal(coordinator).pk


def test_outsiders_cannot_propose_or_vote(member, outsider):
    with pytest.raises(RuleError):
        make_proposal(outsider)
    proposal = make_proposal(member)
    with pytest.raises(RuleError) as error:
        services.cast_vote(proposal.pk, outsider, Ballot(choice=proposal.options.first().pk))
    assert error.value.status == 403


def test_a_vote_can_be_changed_until_the_deadline_and_stays_one_row(member, other_member):
    proposal = make_proposal(member, "majority")
    yes, no = proposal.options.all()
    services.cast_vote(proposal.pk, other_member, Ballot(choice=yes.pk))
    services.cast_vote(proposal.pk, other_member, Ballot(choice=no.pk))
    assert Vote.objects.filter(proposal=proposal).count() == 1
    assert services.my_ballot(proposal, other_member).choice == no.pk


def test_votes_after_the_deadline_are_refused_with_409(member):
    proposal = past_deadline(make_proposal(member, "consent"))
    with pytest.raises(RuleError) as error:
        services.cast_vote(proposal.pk, member, Ballot())
    assert error.value.status == 409
    assert not Vote.objects.exists()


def test_an_objection_needs_a_reason(member):
    proposal = make_proposal(member, "consent")
    with pytest.raises(RuleError):
        services.cast_vote(proposal.pk, member, Ballot(objection=True, reason="  "))
    assert not Vote.objects.exists()


def test_ballots_must_fit_the_method(member):
    majority = make_proposal(member, "majority")
    score = make_proposal(member, "score", options=["A", "B"])
    with pytest.raises(RuleError):
        services.cast_vote(majority.pk, member, Ballot(choice=score.options.first().pk))
    with pytest.raises(RuleError):
        services.cast_vote(score.pk, member, Ballot(scores={majority.options.first().pk: 1}))
    with pytest.raises(RuleError):
        services.cast_vote(score.pk, member, Ballot(scores={score.options.first().pk: 3}))
    assert not Vote.objects.exists()


def test_leaving_the_garden_withdraws_open_votes_only(member, other_member, coordinator):
    decided = make_proposal(member, "consent")
    services.cast_vote(decided.pk, other_member, Ballot())
    past_deadline(decided)
    services.close(decided.pk)
    still_open = make_proposal(member, "consent")
    services.cast_vote(still_open.pk, other_member, Ballot(objection=True, reason="No"))

    members.remove(other_member.membership, by=other_member)

    assert not Vote.objects.filter(proposal=still_open).exists()
    assert Vote.objects.filter(proposal=decided).count() == 1  # counted votes stay


def test_deleting_the_account_withdraws_open_votes(member, other_member):
    proposal = make_proposal(member, "consent")
    services.cast_vote(proposal.pk, other_member, Ballot())
    other_member.delete()
    assert not Vote.objects.filter(proposal=proposal).exists()


def test_the_worker_counts_at_the_deadline_keeps_a_record_and_announces(
    member, other_member, coordinator, voters, django_capture_on_commit_callbacks
):
    proposal = make_proposal(member, "score", options=["Hand pump", "Electric pump"])
    hand, electric = proposal.options.all()
    for n, voter in enumerate(voters):
        services.cast_vote(
            proposal.pk, voter, Ballot(scores={hand.pk: 1, electric.pk: 2 if n < 3 else -2})
        )
    assert services.close_due() == []  # not yet
    past_deadline(proposal)

    with django_capture_on_commit_callbacks(execute=True):
        (decision,) = services.close_due()

    assert decision.outcome == "chosen" and decision.winner_id == hand.pk
    assert decision.totals == {str(hand.pk): 5, str(electric.pk): 2}
    assert (decision.votes_cast, decision.eligible) == (5, 8)
    proposal.refresh_from_db()
    assert proposal.status == "decided"
    assert Notification.objects.filter(kind="decision").count() == 8  # every member
    assert "Hand pump" in Notification.objects.filter(user=member).get().message
    assert services.close_due() == []  # counted once
    with pytest.raises(RuleError):
        services.cast_vote(proposal.pk, voters[0], Ballot(scores={hand.pk: -2}))


def _ballot(method: str, n: int, ids: list[int]) -> Ballot:
    if method == "consent":
        return Ballot(objection=n == 2, reason="no" if n == 2 else "")
    if method == "majority":
        return Ballot(choice=ids[n % 2])
    return Ballot(scores={pk: (n + i) % 5 - 2 for i, pk in enumerate(ids)})


@pytest.mark.parametrize("method", ["consent", "majority", "score"])
def test_every_stored_result_recounts_to_the_same(member, voters, method):
    proposal = make_proposal(member, method, options=["A", "B", "C"], quorum=50)
    ids = list(proposal.options.values_list("pk", flat=True))
    for n, voter in enumerate(voters[:4]):
        services.cast_vote(proposal.pk, voter, _ballot(method, n, ids))
    past_deadline(proposal)
    services.close_due()
    voters[0].delete()  # an account deleted later: the vote stays, anonymous

    for decision in Decision.objects.all():
        again = services.recount(decision)
        assert again.outcome == decision.outcome
        assert again.winner == decision.winner_id
        assert again.totals == decision.totals
        assert again.objections == decision.objections
        assert again.votes_cast == decision.votes_cast


def test_decision_records_are_searchable(member):
    for title in ("New pump", "Compost rules"):
        past_deadline(make_proposal(member, "consent", title=title))
    services.close_due()
    assert [d.title for d in services.search_decisions("compost")] == ["Compost rules"]
    assert services.search_decisions("").count() == 2


def test_my_data_download_holds_my_proposals_votes_and_messages(member, api):
    proposal = make_proposal(member, "score", options=["A", "B"])
    first = proposal.options.first()
    services.cast_vote(proposal.pk, member, Ballot(scores={first.pk: 2}))
    from garden.conversations import services as conversations

    conversations.post("proposal", proposal.pk, member, "My view")
    response = api(member).get("/me/export")
    assert response.status_code == 200
    data = response.json()
    assert data["decisions"]["proposals"][0]["title"] == "A new pump"
    assert data["decisions"]["votes"][0]["scores"][str(first.pk)] == 2
    assert data["conversations"][0]["body"] == "My view"
