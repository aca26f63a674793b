"""Joining under each policy, through the page and the API."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from garden.members.models import Garden, Invite, Membership
from tests.conftest import client_for, make_user


def _policy(garden, policy):
    garden.join_policy = policy
    garden.save()


def _invite(garden, **kwargs) -> Invite:
    defaults = {"expires_at": timezone.now() + timedelta(days=1), "max_uses": 1}
    return Invite.objects.create(garden=garden, **{**defaults, **kwargs})


def test_open_garden_join_page(outsider):
    response = client_for(outsider).post("/join/", {"accept_rules": "on"})
    assert response.status_code == 302
    assert Membership.objects.get(user=outsider).is_active


def test_join_page_needs_the_rules_accepted(outsider):
    response = client_for(outsider).post("/join/", {})
    assert response.status_code == 400
    assert b"accept the garden rules" in response.content
    assert not Membership.objects.filter(user=outsider).exists()


def test_members_on_the_join_page_are_sent_home(member):
    response = client_for(member).get("/join/")
    assert response.status_code == 302


def test_approval_policy_flow(garden, outsider, coordinator):
    _policy(garden, Garden.JoinPolicy.APPROVAL)
    client_for(outsider).post("/join/", {"accept_rules": "on"})
    membership = Membership.objects.get(user=outsider)
    assert membership.status == "pending"
    assert coordinator.notifications.filter(kind="membership_request").exists()
    # Pending people are not members yet.
    assert client_for(outsider).get("/garden/announcements/").status_code == 403
    assert b"waiting for a coordinator" in client_for(outsider).get("/").content
    client_for(coordinator).post(f"/members/{membership.pk}/", {"action": "approve"})
    assert Membership.objects.get(user=outsider).is_active


def test_declined_person_may_ask_again(garden, outsider, coordinator, api):
    _policy(garden, Garden.JoinPolicy.APPROVAL)
    api(outsider).post("/garden/join", {"accept_rules": True})
    api(coordinator).post(f"/memberships/{outsider.membership.pk}/decision", {"approve": False})
    assert b"Ask again" in client_for(outsider).get("/").content
    again = api(outsider).post("/garden/join", {"accept_rules": True})
    assert again.status_code == 202
    assert Membership.objects.get(user=outsider).status == "pending"


def test_pending_person_cannot_ask_twice(garden, outsider, api):
    _policy(garden, Garden.JoinPolicy.APPROVAL)
    api(outsider).post("/garden/join", {"accept_rules": True})
    assert api(outsider).post("/garden/join", {"accept_rules": True}).status_code == 409


def test_an_invite_skips_approval(garden, outsider, api):
    _policy(garden, Garden.JoinPolicy.APPROVAL)
    invite = _invite(garden)
    response = api(outsider).post(
        "/garden/join", {"accept_rules": True, "invite_code": invite.code}
    )
    assert response.status_code == 200
    assert Membership.objects.get(user=outsider).is_active


def test_invite_policy_with_a_valid_link(garden, outsider):
    _policy(garden, Garden.JoinPolicy.INVITE)
    invite = _invite(garden, max_uses=2)
    client = client_for(outsider)
    page = client.get(f"/join/?invite={invite.code}")
    assert page.status_code == 200
    assert invite.code in page.content.decode()
    client.post("/join/", {"accept_rules": "on", "invite_code": invite.code})
    assert Membership.objects.get(user=outsider).is_active
    invite.refresh_from_db()
    assert invite.uses == 1


@pytest.mark.parametrize(
    ("make_code", "message"),
    [
        (lambda garden: "", "only be joined with an invite link"),
        (lambda garden: "no-such-code", "expired or has been used up"),
        (
            lambda garden: _invite(garden, expires_at=timezone.now() - timedelta(minutes=1)).code,
            "expired or has been used up",
        ),
        (lambda garden: _invite(garden, max_uses=1, uses=1).code, "expired or has been used up"),
    ],
    ids=["missing", "unknown", "expired", "used-up"],
)
def test_invite_policy_refuses_missing_expired_and_used_up_codes(
    garden, outsider, api, make_code, message
):
    _policy(garden, Garden.JoinPolicy.INVITE)
    code = make_code(garden)
    response = api(outsider).post("/garden/join", {"accept_rules": True, "invite_code": code})
    assert response.status_code == 403
    assert message in response.json()["detail"]
    page = client_for(outsider).post("/join/", {"accept_rules": "on", "invite_code": code})
    assert page.status_code == 400
    assert message in page.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()


def test_an_invite_for_one_is_spent_by_the_first(garden, outsider, api):
    _policy(garden, Garden.JoinPolicy.INVITE)
    invite = _invite(garden)
    second = make_user("second")
    body = {"accept_rules": True, "invite_code": invite.code}
    assert api(outsider).post("/garden/join", body).status_code == 200
    assert api(second).post("/garden/join", body).status_code == 403


def test_rules_refusal_does_not_spend_the_invite(garden, outsider, api):
    _policy(garden, Garden.JoinPolicy.INVITE)
    invite = _invite(garden)
    api(outsider).post("/garden/join", {"accept_rules": False, "invite_code": invite.code})
    invite.refresh_from_db()
    assert invite.uses == 0


def test_anonymous_visitor_with_an_invite_signs_up_and_lands_on_join(garden):
    _policy(garden, Garden.JoinPolicy.INVITE)
    invite = _invite(garden)
    client = Client()
    response = client.get(f"/join/?invite={invite.code}")
    assert response.status_code == 302
    signup = response["Location"]
    assert signup.startswith("/accounts/signup/")
    next_url = parse_qs(urlsplit(signup).query)["next"][0]
    assert next_url == f"/join/?invite={invite.code}"

    page = client.get(signup)
    assert next_url in page.content.decode().replace("&amp;", "&")
    response = client.post(
        "/accounts/signup/",
        {
            "username": "neu",
            "email": "neu@example.org",
            "password1": "Lang-genug-42",
            "password2": "Lang-genug-42",
            "next": next_url,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == next_url
    client.post("/join/", {"accept_rules": "on", "invite_code": invite.code})
    assert Membership.objects.get(user__username="neu").is_active


def test_signup_ignores_a_next_that_leaves_the_site(db):
    response = Client().post(
        "/accounts/signup/",
        {
            "username": "neu",
            "email": "neu@example.org",
            "password1": "Lang-genug-42",
            "password2": "Lang-genug-42",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/join/"


@pytest.mark.parametrize(
    "body",
    [
        {"username": "", "email": "a@example.org", "password1": "x", "password2": "x"},
        {
            "username": "a",
            "email": "bad",
            "password1": "Lang-genug-42",
            "password2": "Lang-genug-42",
        },
        {
            "username": "a",
            "email": "a@example.org",
            "password1": "Lang-genug-42",
            "password2": "no",
        },
        {
            "username": "a",
            "email": "mara@example.org",
            "password1": "Lang-genug-42",
            "password2": "Lang-genug-42",
        },
    ],
)
def test_signup_refuses_bad_input(member, body):
    response = Client().post("/accounts/signup/", body)
    assert response.status_code == 400
    assert not Membership.objects.filter(user__username="a").exists()
    assert not User.objects.filter(username="a").exists()


def test_join_api_needs_auth(api, garden):
    assert api(None).post("/garden/join", {"accept_rules": True}).status_code == 401


def test_join_page_says_an_invite_is_needed(garden, outsider):
    _policy(garden, Garden.JoinPolicy.INVITE)
    page = client_for(outsider).get("/join/")
    assert b"You need an invite link" in page.content
