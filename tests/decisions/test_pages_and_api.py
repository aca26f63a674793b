"""Pages and API: proposing, voting, the record — and that nobody learns another's vote."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from garden.decisions import services
from garden.decisions.counting import Ballot
from garden.decisions.models import Proposal, Vote
from tests.conftest import client_for

from .conftest import make_proposal, past_deadline


def test_a_member_proposes_and_votes_on_the_pages(member, other_member):
    client = client_for(member)
    deadline = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/decisions/new/",
        {
            "title": "Buy a pump",
            "text": "See https://example.org/pump",
            "method": "majority",
            "options": "",
            "deadline": deadline,
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response.url == f"/decisions/{proposal.pk}/"
    yes = proposal.options.get(label="Yes")
    page = client_for(other_member).post(f"/decisions/{proposal.pk}/", {"choice": yes.pk})
    assert page.status_code == 302
    assert Vote.objects.get().choice == yes
    detail = client_for(other_member).get(f"/decisions/{proposal.pk}/").content.decode()
    assert "You chose: Yes" in detail and "Change vote" in detail
    assert 'href="https://example.org/pump"' in detail  # the text's link, made safely


def test_a_bad_ballot_on_the_page_is_a_form_error(member):
    proposal = make_proposal(member, "consent")
    page = client_for(member).post(f"/decisions/{proposal.pk}/", {"position": "object"})
    assert page.status_code == 200
    assert "An objection needs a reason." in page.content.decode()
    assert not Vote.objects.exists()


def test_api_creates_lists_and_votes(member, other_member, api):
    client = api(member)
    created = client.post(
        "/proposals",
        {
            "title": "Compost",
            "text": "Two bins",
            "method": "score",
            "options": ["Wood", "Plastic"],
            "deadline": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    wood, plastic = (o["id"] for o in body["options"])
    vote = api(other_member).put(
        f"/proposals/{body['id']}/vote",
        {"scores": [{"option_id": wood, "score": 2}, {"option_id": plastic, "score": -1}]},
    )
    assert vote.status_code == 200, vote.content
    assert vote.json()["scores"] == [
        {"option_id": wood, "score": 2},
        {"option_id": plastic, "score": -1},
    ]
    listed = client.get("/proposals", {"status": "open"}).json()
    assert listed["count"] == 1 and listed["items"][0]["voted"] is False
    assert api(other_member).get(f"/proposals/{body['id']}").json()["voted"] is True
    assert client.get(f"/proposals/{body['id']}/vote").status_code == 404  # I did not vote


def test_api_refuses_votes_after_the_deadline_with_409(member, api):
    proposal = past_deadline(make_proposal(member, "consent"))
    response = api(member).put(f"/proposals/{proposal.pk}/vote", {"objection": False})
    assert response.status_code == 409
    assert response.json() == {"detail": "Voting on this proposal has closed."}


def test_api_validates_ballots(member, api):
    proposal = make_proposal(member, "score", options=["A", "B"])
    bad_score = api(member).put(
        f"/proposals/{proposal.pk}/vote", {"scores": [{"option_id": 1, "score": 5}]}
    )
    assert bad_score.status_code == 422
    missing = api(member).put("/proposals/999999/vote", {})
    assert missing.status_code == 404
    assert not Vote.objects.exists()


def test_api_input_fits_the_schema_or_is_refused_with_422_and_rules_with_409(member, api):
    client = api(member)
    body = {
        "title": "Compost",
        "text": "Two bins",
        "method": "majority",
        "deadline": (timezone.now() + dt.timedelta(days=2)).isoformat(),
    }
    assert client.post("/proposals", {**body, "author": "someone"}).status_code == 422
    assert client.post("/proposals", {**body, "quorum_percent": "50"}).status_code == 422
    assert client.post("/proposals", {**body, "method": "lottery"}).status_code == 422
    # Fits the schema, refused by the garden's rules: a deadline in the past, blank title.
    past = {**body, "deadline": (timezone.now() - dt.timedelta(days=1)).isoformat()}
    assert client.post("/proposals", past).status_code == 409
    assert client.post("/proposals", {**body, "title": "  "}).status_code == 409
    assert not Proposal.objects.exists()
    proposal = make_proposal(member, "score", options=["A", "B"])
    option = proposal.options.first().pk
    twice = [{"option_id": option, "score": 1}, {"option_id": option, "score": 2}]
    assert client.put(f"/proposals/{proposal.pk}/vote", {"scores": twice}).status_code == 409
    not_a_bool = client.put(f"/proposals/{proposal.pk}/vote", {"objection": "yes"})
    assert not_a_bool.status_code == 422
    assert not Vote.objects.exists()


def test_the_decision_record_shows_the_result_to_members(member, other_member, coordinator, api):
    proposal = make_proposal(member, "consent", quorum=50)
    services.cast_vote(proposal.pk, member, Ballot())
    services.cast_vote(proposal.pk, other_member, Ballot(objection=True, reason="Bees nest there"))
    past_deadline(proposal)
    services.close_due()
    page = client_for(coordinator).get(f"/decisions/{proposal.pk}/").content.decode()
    assert "Blocked by an objection" in page and "Bees nest there" in page
    assert "2 of 3 members voted (67 %)" in page
    records = client_for(member).get("/decisions/records/", {"q": "pump"}).content.decode()
    assert "A new pump" in records
    result = api(member).get(f"/proposals/{proposal.pk}").json()["result"]
    assert result["outcome"] == "blocked" and result["objections"] == ["Bees nest there"]
    assert {"key": "object", "total": 1} in result["totals"]


CSRF = re.compile(
    r'(name="csrfmiddlewaretoken" value=")[^"]+|(csrf[-_]?token["\']?[:=]\s*["\'])[^"\']+'
)
# Every page says when it was rendered (shown when read offline): a minute may pass between
# the two looks.
RENDERED_AT = re.compile(r'<p class="as-of">[^<]*</p>')


def _seen_by(user, api, proposal) -> dict[str, str]:
    """Everything a person can fetch about the proposal, CSRF tokens and the time of
    rendering blanked."""
    client, token = client_for(user), api(user)
    pages = {
        path: RENDERED_AT.sub("", CSRF.sub(r"\1\2", client.get(path).content.decode()))
        for path in (
            "/decisions/",
            f"/decisions/{proposal.pk}/",
            "/decisions/records/",
            f"/threads/proposal/{proposal.pk}/",
            "/notifications/",
        )
    }
    calls = {
        f"api {path}": token.get(path).content.decode()
        for path in (
            "/proposals",
            f"/proposals/{proposal.pk}",
            f"/proposals/{proposal.pk}/vote",
            f"/threads/proposal/{proposal.pk}/messages",
        )
    }
    return pages | calls


def _two_ballots(method: str, ids: list[int]) -> tuple[Ballot, Ballot]:
    if method == "consent":
        return Ballot(), Ballot(objection=True, reason="Secret reason")
    if method == "majority":
        return Ballot(choice=ids[0]), Ballot(choice=ids[1])
    return Ballot(scores={ids[0]: 2, ids[1]: -2}), Ballot(scores={ids[0]: -2, ids[1]: 2})


@pytest.mark.parametrize("method", ["consent", "majority", "score"])
def test_no_page_or_api_call_shows_another_members_vote(
    member, other_member, coordinator, api, method
):
    """What others see is the same whichever way a member voted: nothing can leak."""
    proposal = make_proposal(member, method, options=["A", "B"])
    ballots = _two_ballots(method, list(proposal.options.values_list("pk", flat=True)))
    services.cast_vote(proposal.pk, other_member, ballots[0])
    before = {
        role: _seen_by(user, api, proposal) for role, user in (("m", member), ("c", coordinator))
    }
    services.cast_vote(proposal.pk, other_member, ballots[1])
    after = {
        role: _seen_by(user, api, proposal) for role, user in (("m", member), ("c", coordinator))
    }

    for role in before:
        for place in before[role]:
            assert before[role][place] == after[role][place], f"{role} sees a change at {place}"
    coordinator_page = after["c"][f"/decisions/{proposal.pk}/"]
    assert "So far 1 of 3 members have voted." in coordinator_page  # turnout, not choices
    assert "So far" not in after["m"][f"/decisions/{proposal.pk}/"]
    assert "Secret reason" not in str(after)
