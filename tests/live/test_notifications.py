"""The in-app notification list: unread count, marking read, following a link."""

import pytest

from garden.members.models import Notification
from garden.members.notifications import notify
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushes(monkeypatch):
    """Live pushes as (user_id, event, data), sent at once instead of after commit."""
    sent = []
    monkeypatch.setattr(
        "garden.core.live.push_user",
        lambda user_id, event, data: sent.append((user_id, event, data)),
    )
    return sent


def test_anonymous_visitor_is_sent_to_login():
    for url in ("/notifications/", "/notifications/unread/", "/notifications/1/"):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_list_shows_only_my_notifications_and_unread_count(member, other_member):
    notify(member, "test", "Your plot is ready", "/plots/")
    notify(other_member, "test", "Secret for Otto", "")
    page = client_for(member).get("/notifications/").content.decode()
    assert "Your plot is ready" in page
    assert "Secret for Otto" not in page
    assert "1 unread" in page
    assert client_for(member).get("/notifications/unread/").json() == {"unread": 1}


def test_marking_one_read_leaves_the_others(member, pushes):
    first = notify(member, "test", "First", "")
    second = notify(member, "test", "Second", "")
    response = client_for(member).post("/notifications/", {"id": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert pushes[-1] == (member.pk, "notifications-read", {"unread": 1})


def test_marking_all_read(member, pushes):
    notify(member, "test", "First", "")
    notify(member, "test", "Second", "")
    client_for(member).post("/notifications/")
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()
    assert client_for(member).get("/notifications/unread/").json() == {"unread": 0}
    assert pushes[-1] == (member.pk, "notifications-read", {"unread": 0})


def test_cannot_mark_someone_elses_notification(member, other_member, pushes):
    theirs = notify(other_member, "test", "Otto's", "")
    client_for(member).post("/notifications/", {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert not [p for p in pushes if p[1] == "notifications-read"]


def test_bad_id_is_a_clear_400(member):
    response = client_for(member).post("/notifications/", {"id": "drop table"})
    assert response.status_code == 400


def test_opening_a_notification_marks_it_read_and_follows_its_link(member):
    notification = notify(member, "test", "Shift short", "/shifts/")
    response = client_for(member).get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/shifts/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_never_redirects_off_site(member):
    notification = notify(member, "test", "Odd link", "https://evil.example/")
    response = client_for(member).get(f"/notifications/{notification.pk}/")
    assert response["Location"] == "/notifications/"


def test_cannot_open_someone_elses_notification(member, other_member):
    theirs = notify(other_member, "test", "Otto's", "/plots/")
    assert client_for(member).get(f"/notifications/{theirs.pk}/").status_code == 404


def test_notification_is_pushed_to_its_person_with_the_new_count(member, pushes):
    notification = notify(member, "plot_offered", "Plot 4 is yours if you want it", "/plots/4/")
    assert pushes == [
        (
            member.pk,
            "notification",
            {
                "id": notification.pk,
                "kind": "plot_offered",
                "message": "Plot 4 is yours if you want it",
                "url": "/plots/4/",
                "unread": 1,
            },
        )
    ]


def test_header_badge_shows_unread_count(member):
    notify(member, "test", "Hello", "")
    page = client_for(member).get("/").content.decode()
    assert 'data-live="unread-number">1<' in page


def test_live_refetch_leaves_flash_messages_for_the_next_page(member):
    client = client_for(member)
    client.get("/join/")  # a member is told they already belong, on the next page
    live = client.get("/", headers={"X-Requested-With": "allmende-live"}).content.decode()
    assert "already a member" not in live
    assert "already a member" in client.get("/").content.decode()
