"""Public posts: an offer for "neighbour gardens and the public" and a public announcement
reach the garden's followers as Create/Update/Delete{Note}; the Note answers at its id;
replies are stored as plain text, shown escaped, hidden by coordinators; mentions notify."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from federation.models import Delivery, Follower, OutboxActivity
from garden.members import services as member_services
from garden.members.models import Notification
from garden.posts.models import PublicPost, Reply
from garden.sharing import services
from garden.sharing.models import Offer
from tests.conftest import client_for
from tests.federation.remote import Network
from tests.federation.test_followers import RemotePerson, on_server
from tests.sharing.conftest import offer_values

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _own_keys(settings, tmp_path):
    settings.FEDERATION_KEY_DIR = tmp_path / "keys"


@pytest.fixture
def network(settings, monkeypatch):
    import httpx

    from federation import http

    net = Network()
    monkeypatch.setattr(http, "transport", httpx.MockTransport(net))
    monkeypatch.setattr(http, "check_url", lambda url: None)
    return net


@pytest.fixture
def person(garden, network):
    return on_server(network, RemotePerson())


@pytest.fixture
def follower(person):
    return Follower.objects.create(
        actor_url=person.actor_url,
        name="Ada",
        handle="ada@social.example",
        server="social.example",
        inbox_url=person.inbox_url,
        delivery_inbox="https://social.example/inbox",
        state="accepted",
    )


def to_followers(kind: str) -> list[dict]:
    rows = OutboxActivity.objects.filter(
        activity_type=kind, deliveries__inbox_url="https://social.example/inbox"
    )
    return [row.activity for row in rows.order_by("pk")]


def post_inbox(activity):
    body = json.dumps(activity).encode()
    return Client().generic("POST", "/inbox", body, content_type="application/activity+json")


def public_offer(member, **overrides):
    photo = SimpleUploadedFile("zucchini.png", PNG, content_type="image/png")
    values = offer_values(audience=Offer.Audience.PUBLIC, **overrides)
    return services.create_offer(member, photo=photo, **values)


def test_a_public_offer_is_a_note_to_followers_that_follows_its_changes(member, follower, settings):
    offer = public_offer(member)
    [create] = to_followers("Create")
    note = create["object"]
    assert create["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert create["cc"] == [note["cc"][0]] and note["cc"][0].endswith("/followers")
    assert note["type"] == "Note" and note["attributedTo"].endswith("/actor")
    assert "Zucchini" in note["content"] and "Testgarten" in note["content"]
    assert "Crate by the shed" in note["content"]
    assert "Mara" not in json.dumps(create)  # the garden, never the member
    assert note["attachment"][0]["type"] == "Image" and note["attachment"][0]["name"]
    assert note["id"].startswith(f"{settings.ALLMENDE_URL}/posts/")

    values = offer_values(crop="Zucchini & <Kürbis>", audience=Offer.Audience.PUBLIC)
    services.update_offer(member, offer, **values)
    [update] = to_followers("Update")
    assert update["object"]["id"] == note["id"]
    assert "Zucchini &amp; &lt;Kürbis&gt;" in update["object"]["content"]

    services.withdraw_offer(member, Offer.objects.get(pk=offer.pk))
    [delete] = to_followers("Delete")
    assert delete["object"] == {"id": note["id"], "type": "Tombstone"}
    assert Client().get(note["id"], HTTP_ACCEPT="application/activity+json").status_code == 410


def test_offers_for_neighbours_only_are_not_public(member, follower):
    services.create_offer(member, **offer_values(audience=Offer.Audience.NEIGHBOURS))
    assert not PublicPost.objects.exists()
    assert not Delivery.objects.filter(inbox_url="https://social.example/inbox").exists()


def test_the_note_answers_servers_as_json_and_browsers_as_a_page(member, follower):
    public_offer(member)
    post = PublicPost.objects.get()
    as_json = Client().get(f"/posts/{post.pk}", HTTP_ACCEPT="application/activity+json")
    assert as_json.status_code == 200
    assert as_json["Content-Type"].startswith("application/activity+json")
    assert as_json.json()["id"] == post.note_id
    ld = Client().get(f"/posts/{post.pk}", HTTP_ACCEPT='application/ld+json; profile="x"')
    assert ld.json()["type"] == "Note"
    page = Client().get(f"/posts/{post.pk}", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and "Zucchini" in page.content.decode()
    assert "Mara" not in page.content.decode()


def reply_to(person, post, content, **extra):
    note = {
        "id": f"{person.actor_url}/statuses/{len(content)}{id(extra)}",
        "type": "Note",
        "attributedTo": person.actor_url,
        "inReplyTo": post.note_id,
        "content": content,
        **extra,
    }
    return person.signed("Create", note)


def test_a_reply_is_stored_as_plain_text_and_shown_escaped(member, coordinator, follower, person):
    offer = public_offer(member)
    post = PublicPost.objects.get()
    html = '<p>Gern! <script>alert(1)</script><a href="https://x">hol ich</a></p>'
    assert post_inbox(reply_to(person, post, html)).status_code == 202
    reply = Reply.objects.get()
    assert reply.content == "Gern! alert(1)hol ich"
    assert reply.author_handle == "ada@social.example" and reply.author_name == "Ada <b>L</b>"
    page = client_for(member).get(f"/share/offers/{offer.pk}/").content.decode()
    assert "Gern! alert(1)hol ich" in page and "Ada &lt;b&gt;L&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page
    public_page = Client().get(f"/posts/{post.pk}").content.decode()
    assert "Gern! alert(1)hol ich" in public_page

    hidden = client_for(coordinator).post(f"/posts/replies/{reply.pk}/hide/", {"hidden": "1"})
    assert hidden.status_code == 302 and Reply.objects.get().hidden
    assert "hol ich" not in client_for(member).get(f"/share/offers/{offer.pk}/").content.decode()
    assert client_for(member).post(f"/posts/replies/{reply.pk}/hide/").status_code == 403


def test_a_mention_notifies_coordinators_and_other_notes_are_not_stored(
    member, coordinator, follower, person, settings
):
    public_offer(member)
    post = PublicPost.objects.get()
    mention = {"type": "Mention", "href": f"{settings.ALLMENDE_URL}/actor", "name": "@garden"}
    assert post_inbox(reply_to(person, post, "Danke @garden", tag=[mention])).status_code == 202
    assert Notification.objects.filter(user=coordinator, kind="mention").count() == 1
    unrelated = person.signed(
        "Create",
        {"id": f"{person.actor_url}/statuses/9", "type": "Note", "content": "Hallo Welt"},
    )
    assert post_inbox(unrelated).status_code == 202
    assert Reply.objects.count() == 1


def test_a_public_announcement_is_posted_and_deleted(coordinator, follower):
    announcement = member_services.post_announcement(
        author=coordinator, title="Saatgut-Tausch", body="Samstag\nab 10 Uhr", public=True
    )
    [create] = to_followers("Create")
    assert "Saatgut-Tausch" in create["object"]["content"]
    assert "Samstag<br>ab 10 Uhr" in create["object"]["content"]
    assert "Cora" not in json.dumps(create)
    member_services.post_announcement(author=coordinator, title="Intern", body="nur für uns")
    assert len(to_followers("Create")) == 1
    member_services.delete_announcement(announcement)
    assert [a["type"] for a in to_followers("Delete")] == ["Delete"]


def test_api_public_announcements_offer_audience_and_replies(
    api, member, coordinator, follower, person
):
    created = api(coordinator).post(
        "/announcements", json={"title": "Fest", "body": "Sommerfest", "public": True}
    )
    assert created.status_code == 201 and created.json()["public"] is True
    values = offer_values(audience="public")
    body = {key: str(value) for key, value in values.items()}
    offer = api(member).post("/offers", json=body)
    assert offer.status_code == 201 and offer.json()["audience"] == "public"
    post = PublicPost.objects.get(offer_id=offer.json()["id"])
    post_inbox(reply_to(person, post, "Ich nehme 1 kg"))
    replies = api(member).get(f"/offers/{post.offer_id}/replies")
    assert replies.status_code == 200
    assert (
        replies.json()["count"] == 1 and replies.json()["items"][0]["content"] == "Ich nehme 1 kg"
    )
    reply_id = replies.json()["items"][0]["id"]
    assert api(member).post(f"/replies/{reply_id}/hide", json={"hidden": True}).status_code == 403
    assert api(coordinator).post(f"/replies/{reply_id}/hide", json={}).json()["hidden"] is True
    assert api(member).get(f"/offers/{post.offer_id}/replies").json()["count"] == 0
    announcement_id = created.json()["id"]
    assert api(member).get(f"/announcements/{announcement_id}/replies").json()["count"] == 0


def test_deleting_a_reply_or_the_account_removes_what_came_from_it(member, follower, person):
    public_offer(member)
    post = PublicPost.objects.get()
    create = reply_to(person, post, "Bis gleich")
    post_inbox(create)
    note_id = create["object"]["id"]
    post_inbox(person.signed("Delete", {"id": note_id, "type": "Tombstone"}))
    assert not Reply.objects.exists()
    post_inbox(reply_to(person, post, "Noch eine Antwort"))
    assert Reply.objects.count() == 1
    assert post_inbox(person.signed("Delete", person.actor_url)).status_code == 202
    assert not Reply.objects.exists() and not Follower.objects.exists()


def test_replies_show_under_a_public_announcement_for_members(
    member, coordinator, follower, person
):
    member_services.post_announcement(
        author=coordinator, title="Fest", body="Am Samstag", public=True
    )
    post = PublicPost.objects.get()
    post_inbox(reply_to(person, post, "Wir kommen <3"))
    home = client_for(member).get("/").content.decode()
    assert "Wir kommen &lt;3" in home and "@ada@social.example" in home
    Reply.objects.update(hidden=True)
    assert "Wir kommen" not in client_for(member).get("/").content.decode()
    page = client_for(coordinator).get("/garden/announcements/").content.decode()
    assert "Wir kommen &lt;3" in page and "Show again" in page
