from garden.members.models import Garden, Membership


def test_anyone_can_read_the_garden(api, garden):
    response = api(None).get("/garden")
    assert response.status_code == 200
    assert response.json()["name"] == "Testgarten"


def test_me_needs_authentication(api, garden):
    response = api(None).get("/me")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_me_shows_membership(api, member):
    body = api(member).get("/me").json()
    assert body["username"] == "mara"
    assert body["membership"]["role"] == "member"


def test_join_open_garden_makes_active_member(api, outsider):
    response = api(outsider).post("/garden/join", {"accept_rules": True})
    assert response.status_code == 200
    assert Membership.objects.get(user=outsider).status == "active"


def test_join_needs_rules_accepted(api, outsider):
    response = api(outsider).post("/garden/join", {"accept_rules": False})
    assert response.status_code == 409
    assert not Membership.objects.filter(user=outsider).exists()


def test_join_with_approval_policy_is_pending(api, garden, outsider):
    garden.join_policy = Garden.JoinPolicy.APPROVAL
    garden.save()
    response = api(outsider).post("/garden/join", {"accept_rules": True})
    assert response.status_code == 202
    assert response.json()["status"] == "pending"


def test_join_twice_conflicts(api, member):
    response = api(member).post("/garden/join", {"accept_rules": True})
    assert response.status_code == 409


def test_bad_json_is_a_4xx(api, outsider):
    response = api(outsider).client.post(
        "/api/v1/garden/join",
        "{not json",
        content_type="application/json",
        headers=api(outsider).headers,
    )
    assert 400 <= response.status_code < 500


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["channel_layer"] == "ok"
