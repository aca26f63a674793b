"""Password reset and one-time sign-in links by email."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from garden.members.models import Profile
from tests.conftest import client_for

LINK = re.compile(r"https?://\S+")


def _link_in(message) -> str:
    return LINK.search(message.body).group(0)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_password_reset_emails_a_link_that_sets_a_new_password(client, member, committed):
    with committed():
        response = client.post("/accounts/password/reset/", {"email": "MARA@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mara@example.org"]
    response = client.get(_path(_link_in(mail.outbox[0])), follow=True)
    assert response.status_code == 200
    set_url = response.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "Neu-Passwort-42", "new_password2": "Neu-Passwort-42"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Neu-Passwort-42")


def test_password_reset_answers_the_same_for_unknown_addresses(client, member, committed):
    with committed():
        known = client.post("/accounts/password/reset/", {"email": "mara@example.org"})
        unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_password_reset_rejects_a_malformed_address(client, member):
    response = client.post("/accounts/password/reset/", {"email": "not-an-email"})
    assert response.status_code == 200
    assert "form-errors" in response.content.decode() or "errors" in response.content.decode()
    assert mail.outbox == []


def test_a_used_password_reset_link_is_refused(client, member, committed):
    with committed():
        client.post("/accounts/password/reset/", {"email": "mara@example.org"})
    link = _path(_link_in(mail.outbox[0]))
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "Neu-Passwort-42", "new_password2": "Neu-Passwort-42"})
    response = Client().get(link, follow=True)
    assert b"no longer valid" in response.content


def test_sign_in_link_signs_in_once(member, committed):
    client = Client()
    with committed():
        response = client.post("/accounts/login/email/", {"email": "mara@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = _path(_link_in(mail.outbox[0]))

    # Opening the link only asks; a mail scanner following it does not sign in.
    assert client.get(link).status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(link)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)

    again = Client().post(link)
    assert again.status_code == 400
    assert "_auth_user_id" not in Client().session


def test_sign_in_link_expires(member, settings, committed):
    settings.LOGIN_LINK_TIMEOUT = -1
    with committed():
        Client().post("/accounts/login/email/", {"email": "mara@example.org"})
    link = _path(_link_in(mail.outbox[0]))
    client = Client()
    assert client.post(link).status_code == 400
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "link", ["/accounts/login/email/xx/yy/", "/accounts/login/email/MQ/1-abc/"]
)
def test_forged_sign_in_links_are_refused(member, link):
    response = Client().post(link)
    assert response.status_code == 400


def test_sign_in_link_does_not_tell_whether_an_address_is_registered(member, committed):
    with committed():
        known = Client().post("/accounts/login/email/", {"email": "mara@example.org"})
        unknown = Client().post("/accounts/login/email/", {"email": "ghost@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_sign_in_link_form_rejects_bad_input(db):
    response = Client().post("/accounts/login/email/", {"email": "nope"})
    assert response.status_code == 200
    assert mail.outbox == []


def test_sign_in_link_email_is_in_the_members_language(member, committed, settings):
    Profile.objects.filter(user=member).update(language="de")
    with committed():
        Client().post("/accounts/login/email/", {"email": "mara@example.org"})
    with translation.override("de"):
        expected = translation.gettext("Your sign-in link for %(garden)s")
    assert mail.outbox[0].subject == expected % {"garden": "Testgarten"}


def test_login_page_offers_the_email_link_and_reset(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert "/accounts/login/email/" in body
    assert "/accounts/password/reset/" in body


def test_password_reset_link_uses_the_public_url(client, member, committed, settings):
    settings.ALLMENDE_URL = "https://garden.example.org"
    with committed():
        client.post("/accounts/password/reset/", {"email": "mara@example.org"})
    assert _link_in(mail.outbox[0]).startswith("https://garden.example.org/accounts/password/")


def test_members_change_their_password_with_the_old_one(member):
    client = client_for(member)
    wrong = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "Neu-Pass-42x", "new_password2": "Neu-Pass-42x"},
    )
    assert wrong.status_code == 200
    right = client.post(
        "/accounts/password/",
        {
            "old_password": "pw-Allmende-1",
            "new_password1": "Neu-Pass-42x",
            "new_password2": "Neu-Pass-42x",
        },
    )
    assert right.status_code == 302
    member.refresh_from_db()
    assert member.check_password("Neu-Pass-42x")


def test_sign_in_links_are_not_sent_more_than_once_a_minute(member, committed):
    with committed():
        for _attempt in range(3):
            response = Client().post("/accounts/login/email/", {"email": "mara@example.org"})
            assert response.status_code == 302
    assert len(mail.outbox) == 1
