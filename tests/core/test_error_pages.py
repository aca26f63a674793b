from django.test import Client


def test_a_logged_in_non_member_is_told_to_join(outsider):
    client = Client()
    client.force_login(outsider)
    response = client.get("/members/")
    assert response.status_code == 403
    assert b'href="/join/"' in response.content


def test_an_unknown_page_is_a_friendly_404(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert b"Not found" in response.content
