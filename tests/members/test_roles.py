"""Who may open which page and call which endpoint: anonymous, outsider, member, coordinator."""

import pytest

from tests.conftest import client_for

COORDINATOR_PAGES = [
    "/members/",
    "/garden/settings/",
    "/garden/invites/",
    "/garden/announcements/",
]
COORDINATOR_API = [
    ("patch", "/garden", {"name": "X"}),
    ("get", "/memberships", None),
    ("post", "/memberships/1/decision", {"approve": True}),
    ("post", "/memberships/1/role", {"role": "member"}),
    ("delete", "/memberships/1", None),
    ("get", "/invites", None),
    ("post", "/invites", {"days": 3, "max_uses": 2}),
    ("delete", "/invites/1", None),
    ("post", "/announcements", {"title": "T", "body": "B"}),
    ("delete", "/announcements/1", None),
]
LOGIN_PAGES = ["/accounts/profile/", "/accounts/delete/", "/accounts/data/", "/notifications/"]
ACCOUNT_API = [
    ("get", "/me", None),
    ("patch", "/me", {"display_name": "x"}),
    ("get", "/me/export", None),
    ("get", "/me/tokens", None),
    ("post", "/me/tokens", {"label": "x"}),
    ("post", "/me/delete", {"confirmation": "x"}),
    ("get", "/announcements", None),
]


@pytest.mark.parametrize("path", COORDINATOR_PAGES + LOGIN_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, garden, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("path", COORDINATOR_PAGES)
def test_outsiders_are_forbidden_on_coordinator_pages(outsider, path):
    assert client_for(outsider).get(path).status_code == 403


@pytest.mark.parametrize("path", COORDINATOR_PAGES)
def test_members_are_forbidden_on_coordinator_pages(member, path):
    assert client_for(member).get(path).status_code == 403


@pytest.mark.parametrize("path", COORDINATOR_PAGES)
def test_coordinators_open_their_pages(coordinator, path):
    assert client_for(coordinator).get(path).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/members/1/",
        "/garden/invites/1/revoke/",
        "/garden/announcements/1/delete/",
        "/garden/settings/",
        "/garden/invites/",
        "/garden/announcements/",
    ],
)
def test_members_cannot_post_to_coordinator_pages(member, path):
    assert client_for(member).post(path, {"action": "remove"}).status_code == 403


@pytest.mark.parametrize(("method", "path", "body"), COORDINATOR_API + ACCOUNT_API)
def test_anonymous_api_calls_get_401(api, garden, method, path, body):
    response = getattr(api(None), method)(path, body)
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize(("method", "path", "body"), COORDINATOR_API)
def test_members_get_403_from_coordinator_api(api, member, method, path, body):
    response = getattr(api(member), method)(path, body)
    assert response.status_code == 403
    assert "coordinator" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "body"), COORDINATOR_API)
def test_outsiders_get_403_from_coordinator_api(api, outsider, method, path, body):
    assert getattr(api(outsider), method)(path, body).status_code == 403


def test_outsiders_cannot_read_announcements(api, outsider):
    assert api(outsider).get("/announcements").status_code == 403


def test_announcements_are_for_members_only_on_the_home_page(client, garden, member, outsider):
    garden.announcements.create(title="Compost day", body="Bring forks")
    assert b"Compost day" in client_for(member).get("/").content
    assert b"Compost day" not in client_for(outsider).get("/").content
    assert b"Compost day" not in client.get("/").content


def test_coordinator_navigation_is_only_for_coordinators(member, coordinator):
    assert b"/garden/settings/" not in client_for(member).get("/members/", follow=True).content
    assert b"/garden/settings/" in client_for(coordinator).get("/members/").content
