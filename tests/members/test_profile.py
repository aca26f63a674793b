"""The profile page and API: name, language, opt-ins, tokens, data download, deletion."""

import json

from django.contrib.auth.models import User
from django.test import Client

from garden.members.models import Announcement, ApiToken, Membership, Profile
from tests.conftest import client_for


def test_profile_page_needs_login(client, db):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_profile_saves_name_language_and_opt_ins(member):
    client = client_for(member)
    response = client.post(
        "/accounts/profile/",
        {"display_name": "Mara M.", "language": "de", "email_announcements": "on"},
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert (profile.display_name, profile.language) == ("Mara M.", "de")
    assert profile.email_announcements and not profile.email_notifications
    assert 'lang="de"' in client.get("/").content.decode()


def test_profile_rejects_an_unknown_language(member):
    response = client_for(member).post("/accounts/profile/", {"language": "xx"})
    assert response.status_code == 400
    assert Profile.objects.get(user=member).language == ""


def test_profile_api_patch(api, member):
    response = api(member).patch("/me", {"display_name": "M", "email_notifications": False})
    assert response.status_code == 200
    profile = Profile.objects.get(user=member)
    assert profile.display_name == "M" and not profile.email_notifications
    assert profile.email_announcements


def test_profile_api_rejects_bad_language(api, member):
    response = api(member).patch("/me", {"language": "klingon"})
    assert response.status_code == 422
    assert "language" in response.json()["detail"]
    assert Profile.objects.get(user=member).language == ""


def test_profile_api_needs_auth(api, db):
    assert api(None).patch("/me", {"display_name": "x"}).status_code == 401


def test_token_made_on_profile_page_is_shown_once_and_works(member):
    client = client_for(member)
    response = client.post("/accounts/tokens/", {"label": "phone"})
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    assert secret not in client.get("/accounts/profile/").content.decode()
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["username"] == "mara"


def test_token_label_too_long_is_refused(member):
    response = client_for(member).post("/accounts/tokens/", {"label": "x" * 200})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=member).exists()


def test_revoked_token_stops_working(member):
    token, secret = ApiToken.objects.create_token(member, "old")
    response = client_for(member).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 401


def test_nobody_can_revoke_someone_elses_token(member, other_member):
    token, _secret = ApiToken.objects.create_token(member, "mine")
    response = client_for(other_member).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_token_api_create_list_revoke(api, member):
    client = api(member)
    made = client.post("/me/tokens", {"label": "script"})
    assert made.status_code == 201
    secret = made.json()["secret"]
    listed = client.get("/me/tokens").json()
    assert "script" in [t["label"] for t in listed]
    assert all("secret" not in t for t in listed)
    assert client.delete(f"/me/tokens/{made.json()['id']}").status_code == 204
    assert ApiToken.objects.user_for(secret) is None


def test_data_download_contains_my_data(member, garden):
    Announcement.objects.create(garden=garden, author=member, title="Hi", body="There")
    response = client_for(member).get("/accounts/data/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["members"]["account"]["username"] == "mara"
    assert data["members"]["membership"]["role"] == "member"
    assert data["members"]["announcements_written"][0]["title"] == "Hi"


def test_data_download_api(api, member):
    data = api(member).get("/me/export").json()
    assert data["members"]["account"]["email"] == "mara@example.org"


def test_data_download_needs_login(client, api, db):
    assert client.get("/accounts/data/").status_code == 302
    assert api(None).get("/me/export").status_code == 401


def test_delete_account_with_password(member):
    client = client_for(member)
    assert client.get("/accounts/delete/").status_code == 200
    response = client.post("/accounts/delete/", {"confirmation": "pw-Allmende-1"})
    assert response.status_code == 302
    assert not User.objects.filter(username="mara").exists()
    assert "_auth_user_id" not in client.session


def test_delete_account_with_typed_username(member):
    response = client_for(member).post("/accounts/delete/", {"confirmation": "mara"})
    assert response.status_code == 302
    assert not User.objects.filter(username="mara").exists()


def test_delete_account_refuses_a_wrong_confirmation(member):
    response = client_for(member).post("/accounts/delete/", {"confirmation": "wrong"})
    assert response.status_code == 400
    assert User.objects.filter(username="mara").exists()


def test_delete_account_refuses_an_empty_confirmation(member):
    response = client_for(member).post("/accounts/delete/", {})
    assert response.status_code == 400
    assert User.objects.filter(username="mara").exists()


def test_last_coordinator_cannot_delete_their_account(coordinator, member):
    response = client_for(coordinator).post("/accounts/delete/", {"confirmation": "cora"})
    assert response.status_code == 400
    assert "last coordinator" in response.content.decode()
    assert User.objects.filter(username="cora").exists()


def test_a_coordinator_can_delete_their_account_when_another_remains(coordinator, member):
    Membership.objects.filter(user=member).update(role=Membership.Role.COORDINATOR)
    response = client_for(coordinator).post("/accounts/delete/", {"confirmation": "cora"})
    assert response.status_code == 302
    assert not User.objects.filter(username="cora").exists()


def test_delete_account_api(api, member, coordinator):
    assert api(member).post("/me/delete", {"confirmation": "nope"}).status_code == 409
    assert api(coordinator).post("/me/delete", {"confirmation": "cora"}).status_code == 409
    assert api(member).post("/me/delete", {"confirmation": "mara"}).status_code == 204
    assert not User.objects.filter(username="mara").exists()
