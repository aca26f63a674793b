"""Threads: writing, mentions, edits, hiding, plain text with safe links, batched emails."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from garden.conversations import services
from garden.conversations.models import Follow, Message
from garden.core.errors import RuleError
from garden.members.models import Notification
from garden.plots.models import Plot
from garden.sharing import services as sharing
from garden.shifts.models import Shift, Task
from tests.conftest import client_for
from tests.sharing.conftest import offer_values


@pytest.fixture
def plot(garden) -> Plot:
    return Plot.objects.create(label="B7", area_m2=Decimal("20"))


def test_members_write_and_mentions_notify(plot, member, other_member, outsider):
    message = services.post("plot", plot.pk, member, "  Hello @otto, and @nobody  ")
    assert message.body == "Hello @otto, and @nobody"
    (note,) = Notification.objects.filter(kind="mention")
    assert note.user == other_member and note.url == f"/plots/{plot.pk}/"
    assert "Mara mentioned you" in note.message
    with pytest.raises(RuleError) as error:
        services.post("plot", plot.pk, outsider, "Hi")
    assert error.value.status == 403
    with pytest.raises(RuleError) as error:
        services.post("plot", 999999, member, "Hi")
    assert error.value.status == 404
    with pytest.raises(RuleError):
        services.post("plot", plot.pk, member, "   ")
    assert Message.objects.count() == 1


def test_only_the_author_edits_and_the_edit_is_marked(plot, member, other_member):
    message = services.post("plot", plot.pk, member, "Water at 8")
    with pytest.raises(RuleError) as error:
        services.edit(message.pk, other_member, "Water at 9")
    assert error.value.status == 403
    services.edit(message.pk, member, "Water at 9, @otto")
    message.refresh_from_db()
    assert message.body == "Water at 9, @otto" and message.edited_at is not None
    assert Notification.objects.filter(user=other_member, kind="mention").count() == 1
    page = client_for(other_member).get(f"/plots/{plot.pk}/").content.decode()
    assert "Water at 9" in page and "(edited)" in page


def test_coordinators_hide_with_a_reason(plot, member, coordinator, api):
    message = services.post("plot", plot.pk, member, "Rude words")
    with pytest.raises(RuleError):
        services.hide(message.pk, member, "No")
    with pytest.raises(RuleError):
        services.hide(message.pk, coordinator, " ")
    response = client_for(coordinator).post(
        f"/threads/messages/{message.pk}/hide/", {"reason": "Not kind"}
    )
    assert response.status_code == 302
    page = client_for(member).get(f"/plots/{plot.pk}/").content.decode()
    assert "Hidden by a coordinator: Not kind" in page and "Rude words" not in page
    (item,) = api(member).get(f"/threads/plot/{plot.pk}/messages").json()["items"]
    assert item["hidden"] is True and item["body"] == "" and item["hidden_reason"] == "Not kind"


def test_plain_text_only_links_are_made_safely(plot, member):
    services.post(
        "plot",
        plot.pk,
        member,
        "<script>alert(1)</script> <b>bold</b> see https://example.org/a?b=1 javascript:alert(2)",
    )
    page = client_for(member).get(f"/plots/{plot.pk}/").content.decode()
    assert "<script>alert(1)" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<a href="https://example.org/a?b=1" rel="nofollow">' in page
    assert 'href="javascript' not in page


@pytest.mark.parametrize("kind", ["plot", "shift", "task", "tool", "offer"])
def test_every_detail_page_carries_its_thread(kind, plot, member, coordinator):
    start = timezone.now() + dt.timedelta(days=1)
    obj = {
        "plot": lambda: plot,
        "shift": lambda: Shift.objects.create(
            garden=plot_garden(), title="Watering", start=start, end=start + dt.timedelta(hours=1)
        ),
        "task": lambda: Task.objects.create(garden=plot_garden(), title="Compost"),
        "tool": lambda: sharing.create_tool(coordinator, name="Spade", description="Sharp"),
        "offer": lambda: sharing.create_offer(member, **offer_values()),
    }[kind]()
    services.post(kind, obj.pk, member, f"About this {kind}")
    url = {
        "plot": "/plots/{}/",
        "shift": "/shifts/{}/",
        "task": "/shifts/tasks/{}/",
        "tool": "/share/tools/{}/",
        "offer": "/share/offers/{}/",
    }[kind].format(obj.pk)
    page = client_for(member).get(url)
    assert page.status_code == 200
    assert f"About this {kind}" in page.content.decode()
    assert f'data-live-region="thread-{kind}-{obj.pk}"' in page.content.decode()


def plot_garden():
    from garden.members.models import Garden

    return Garden.objects.get_current()


def test_posting_on_the_page_goes_back_to_the_page(plot, member):
    response = client_for(member).post(
        f"/threads/plot/{plot.pk}/", {"body": "Tomatoes are ripe", "next": f"/plots/{plot.pk}/"}
    )
    assert response.status_code == 302 and response.url == f"/plots/{plot.pk}/"
    assert Message.objects.get().body == "Tomatoes are ripe"
    assert Follow.objects.filter(user=member).exists()  # writing follows the thread


def test_followers_get_at_most_one_email_per_thread_per_15_minutes(
    plot, member, other_member, django_capture_on_commit_callbacks
):
    services.set_following("plot", plot.pk, other_member, True)
    now = timezone.now()
    services.post("plot", plot.pk, member, "First")
    services.post("plot", plot.pk, member, "Second")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_batched_emails(now + dt.timedelta(minutes=1)) == 1
    (email,) = mail.outbox
    assert email.to == ["otto@example.org"]
    assert "First" in email.body and "Second" in email.body
    assert "Plot B7" in email.subject or "B7" in email.subject

    Message.objects.update(created_at=now)  # keep the clock simple
    services.post("plot", plot.pk, member, "Third")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_batched_emails(now + dt.timedelta(minutes=10)) == 0  # too soon
        assert services.send_batched_emails(now + dt.timedelta(minutes=17)) == 1
    assert len(mail.outbox) == 2
    assert "Third" in mail.outbox[1].body and "First" not in mail.outbox[1].body
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_batched_emails(now + dt.timedelta(minutes=40)) == 0  # nothing new
    # The author is not emailed about their own messages.
    assert all(email.to != ["mara@example.org"] for email in mail.outbox)


def test_api_lists_pages_and_posts(plot, member, api):
    client = api(member)
    for n in range(3):
        created = client.post(f"/threads/plot/{plot.pk}/messages", {"body": f"Message {n}"})
        assert created.status_code == 201
    page = client.get(f"/threads/plot/{plot.pk}/messages", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 3
    assert [m["body"] for m in page["items"]] == ["Message 1", "Message 2"]
    assert page["items"][0]["mine"] is True and page["items"][0]["author"] == "Mara"
    assert client.get("/threads/plot/999999/messages").status_code == 404
    # An unknown kind names no thread, like an unknown id (docs/api.md).
    assert client.get(f"/threads/garden/{plot.pk}/messages").status_code == 404
    assert client.post(f"/threads/plot/{plot.pk}/messages", {"body": ""}).status_code == 422
    unknown_field = {"body": "Hi", "author": "someone else"}
    assert client.post(f"/threads/plot/{plot.pk}/messages", unknown_field).status_code == 422
    # Fits the schema, refused by the rule (only blanks): 409, and nothing stored.
    blank = client.post(f"/threads/plot/{plot.pk}/messages", {"body": "   "})
    assert blank.status_code == 409 and blank.json()["detail"]
    assert client.get(f"/threads/plot/{plot.pk}/messages").json()["count"] == 3
