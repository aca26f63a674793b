"""Coordinators' work: garden settings, invite links, members, announcements."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from garden.members.models import Announcement, Garden, Invite, Membership, Profile
from tests.conftest import client_for, make_user

SETTINGS = {
    "name": "Neuer Garten",
    "description": "Beete",
    "address": "Weg 1",
    "latitude": "52.1",
    "longitude": "13.2",
    "timezone": "Europe/Vienna",
    "default_language": "de",
    "rules": "Sei nett.",
    "join_policy": "invite",
}


def test_coordinator_saves_garden_settings(coordinator):
    response = client_for(coordinator).post("/garden/settings/", SETTINGS)
    assert response.status_code == 302
    garden = Garden.objects.get_current()
    assert (garden.name, garden.timezone, garden.join_policy) == (
        "Neuer Garten",
        "Europe/Vienna",
        "invite",
    )
    assert (garden.latitude, garden.default_language) == (52.1, "de")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("timezone", "Mars/Olympus"),
        ("latitude", "91"),
        ("longitude", "-181"),
        ("latitude", "north"),
        ("default_language", "fr"),
        ("join_policy", "everyone"),
    ],
)
def test_garden_settings_refuse_bad_input(coordinator, field, value):
    response = client_for(coordinator).post("/garden/settings/", {**SETTINGS, field: value})
    assert response.status_code == 400
    assert Garden.objects.get_current().name == "Testgarten"


def test_garden_settings_need_both_coordinates(coordinator):
    response = client_for(coordinator).post("/garden/settings/", {**SETTINGS, "longitude": ""})
    assert response.status_code == 400
    assert b"both latitude and longitude" in response.content


def test_garden_settings_api(api, coordinator):
    response = api(coordinator).patch("/garden", {"timezone": "Europe/Paris", "name": "G"})
    assert response.status_code == 200
    assert response.json()["timezone"] == "Europe/Paris"


@pytest.mark.parametrize(
    "body",
    [
        {"timezone": "Nowhere/Land"},
        {"latitude": 100, "longitude": 0},
        {"latitude": None},
        {"join_policy": "secret"},
        {"name": ""},
        {"latitude": "abc"},
    ],
)
def test_garden_settings_api_refuses_bad_input(api, coordinator, body):
    response = api(coordinator).patch("/garden", body)
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()
    garden = Garden.objects.get_current()
    assert (garden.name, garden.timezone, garden.latitude) == ("Testgarten", "Europe/Berlin", 52.5)


def test_coordinator_makes_lists_and_revokes_invites(coordinator):
    client = client_for(coordinator)
    response = client.post("/garden/invites/", {"days": 7, "max_uses": 3})
    assert response.status_code == 302
    invite = Invite.objects.get()
    assert invite.max_uses == 3
    assert timedelta(days=6) < invite.expires_at - timezone.now() <= timedelta(days=7)
    assert f"/join/?invite={invite.code}" in client.get("/garden/invites/").content.decode()
    assert client.post(f"/garden/invites/{invite.pk}/revoke/").status_code == 302
    assert not Invite.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"days": 0, "max_uses": 1},
        {"days": 91, "max_uses": 1},
        {"days": 3, "max_uses": 0},
        {"days": "x", "max_uses": 1},
        {},
    ],
)
def test_invite_form_refuses_bad_input(coordinator, body):
    response = client_for(coordinator).post("/garden/invites/", body)
    assert response.status_code == 400
    assert not Invite.objects.exists()


def test_invite_api(api, coordinator):
    client = api(coordinator)
    made = client.post("/invites", {"days": 2, "max_uses": 5})
    assert made.status_code == 201
    assert made.json()["url"].endswith(f"/join/?invite={made.json()['code']}")
    assert [i["id"] for i in client.get("/invites").json()] == [made.json()["id"]]
    assert client.delete(f"/invites/{made.json()['id']}").status_code == 204
    assert client.delete(f"/invites/{made.json()['id']}").status_code == 404


@pytest.mark.parametrize("body", [{"days": 500}, {"max_uses": -1}, {"days": "soon"}])
def test_invite_api_refuses_bad_input(api, coordinator, body):
    response = api(coordinator).post("/invites", body)
    assert 400 <= response.status_code < 500
    assert not Invite.objects.exists()


def _pending(garden, name="paul"):
    return make_user(name, garden, Membership.Role.MEMBER, Membership.Status.PENDING)


def test_coordinator_approves_and_declines(garden, coordinator):
    paul, pia = _pending(garden, "paul"), _pending(garden, "pia")
    client = client_for(coordinator)
    client.post(f"/members/{paul.membership.pk}/", {"action": "approve"})
    client.post(f"/members/{pia.membership.pk}/", {"action": "decline"})
    assert Membership.objects.get(user=paul).status == "active"
    assert Membership.objects.get(user=pia).status == "declined"
    assert paul.notifications.filter(kind="membership_decided").exists()


def test_a_decision_cannot_be_made_twice(garden, coordinator, api):
    paul = _pending(garden)
    client = api(coordinator)
    first = client.post(f"/memberships/{paul.membership.pk}/decision", {"approve": False})
    assert first.status_code == 200 and first.json()["status"] == "declined"
    again = client.post(f"/memberships/{paul.membership.pk}/decision", {"approve": True})
    assert again.status_code == 409
    assert Membership.objects.get(user=paul).status == "declined"


def test_several_coordinators_and_never_none(garden, coordinator, member):
    client = client_for(coordinator)
    client.post(f"/members/{member.membership.pk}/", {"action": "coordinator"})
    assert Membership.objects.get(user=member).role == "coordinator"
    # Two coordinators: one may step down …
    client.post(f"/members/{coordinator.membership.pk}/", {"action": "member"})
    assert Membership.objects.get(user=coordinator).role == "member"
    # … but the last one may not step down or be removed.
    last = client_for(member)
    response = last.post(f"/members/{member.membership.pk}/", {"action": "member"}, follow=True)
    assert b"at least one coordinator" in response.content
    last.post(f"/members/{member.membership.pk}/", {"action": "remove"})
    assert Membership.objects.get(user=member).role == "coordinator"


def test_last_coordinator_protection_in_the_api(api, coordinator):
    client = api(coordinator)
    pk = coordinator.membership.pk
    assert client.post(f"/memberships/{pk}/role", {"role": "member"}).status_code == 409
    assert client.delete(f"/memberships/{pk}").status_code == 409
    assert Membership.objects.get(pk=pk).role == "coordinator"


def test_coordinator_removes_a_member(api, coordinator, member):
    response = api(coordinator).delete(f"/memberships/{member.membership.pk}")
    assert response.status_code == 204
    assert not Membership.objects.filter(user=member).exists()


@pytest.mark.parametrize("role", ["boss", "", "admin"])
def test_unknown_roles_are_refused(api, coordinator, member, role):
    response = api(coordinator).post(f"/memberships/{member.membership.pk}/role", {"role": role})
    assert response.status_code in (400, 422)
    assert Membership.objects.get(user=member).role == "member"


def test_unknown_member_action_is_a_400(coordinator, member):
    response = client_for(coordinator).post(f"/members/{member.membership.pk}/", {"action": "x"})
    assert response.status_code == 400
    assert client_for(coordinator).post("/members/9999/", {"action": "remove"}).status_code == 404


def test_membership_list_api(api, coordinator, member):
    body = api(coordinator).get("/memberships").json()
    assert {m["username"] for m in body} == {"cora", "mara"}


def test_announcement_is_shown_and_emailed_to_members_who_opt_in(
    garden, coordinator, member, other_member, outsider, committed
):
    Profile.objects.filter(user=other_member).update(email_announcements=False)
    with committed():
        response = client_for(coordinator).post(
            "/garden/announcements/", {"title": "Work day", "body": "Saturday 10:00"}
        )
    assert response.status_code == 302
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["cora@example.org", "mara@example.org"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert "Work day" in mail.outbox[0].subject
    assert b"Work day" in client_for(member).get("/").content


@pytest.mark.parametrize(
    "body",
    [{"title": "", "body": "x"}, {"title": "x", "body": ""}, {"title": "x" * 201, "body": "x"}, {}],
)
def test_announcement_form_refuses_bad_input(coordinator, body):
    response = client_for(coordinator).post("/garden/announcements/", body)
    assert response.status_code == 400
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    "body", [{"title": " ", "body": "x"}, {"title": "x"}, {"title": "x" * 201, "body": "y"}]
)
def test_announcement_api_refuses_bad_input(api, coordinator, body):
    response = api(coordinator).post("/announcements", body)
    assert 400 <= response.status_code < 500
    assert not Announcement.objects.exists()


def test_announcement_api_post_list_delete(api, coordinator, member):
    made = api(coordinator).post("/announcements", {"title": "Rain", "body": "Barrels full"})
    assert made.status_code == 201
    assert [a["title"] for a in api(member).get("/announcements").json()] == ["Rain"]
    assert api(coordinator).delete(f"/announcements/{made.json()['id']}").status_code == 204
    assert not Announcement.objects.exists()


def test_coordinator_deletes_an_announcement_on_the_page(garden, coordinator):
    announcement = garden.announcements.create(title="Old", body="news")
    response = client_for(coordinator).post(f"/garden/announcements/{announcement.pk}/delete/")
    assert response.status_code == 302
    assert not Announcement.objects.exists()
