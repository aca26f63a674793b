import pytest

from garden.plots import services
from garden.plots.models import Plot, Tenancy


def test_list_and_detail(api, member, plot):
    response = api(member).get("/plots")
    assert response.status_code == 200
    assert response.json()[0]["label"] == "A1"
    assert response.json()[0]["status"] == "available"
    assert api(member).get(f"/plots/{plot.pk}").json()["mine"] is False
    assert api(member).get("/plots/999").status_code == 404


def test_non_members_get_403_and_anonymous_401(api, outsider, plot):
    assert api(outsider).get("/plots").status_code == 403
    assert api(outsider).post(f"/plots/{plot.pk}/claim").status_code == 403
    assert api(outsider).get("/waitlist").status_code == 403
    assert api(None).get("/plots").status_code == 401
    assert Plot.objects.get().status == "available"


def test_claim_200_then_409(api, member, other_member, plot):
    response = api(member).post(f"/plots/{plot.pk}/claim")
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response.json()["plot"]["mine"] is True
    response = api(other_member).post(f"/plots/{plot.pk}/claim")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert api(other_member).get(f"/plots/{plot.pk}").json()["held_by"] == "Mara"


def test_claim_202_when_approval_is_needed(api, member, plot, policy):
    policy.approval_required = True
    policy.save()
    response = api(member).post(f"/plots/{plot.pk}/claim")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"


def test_claim_409_over_the_limit(api, member, plot, second_plot):
    api(member).post(f"/plots/{plot.pk}/claim")
    response = api(member).post(f"/plots/{second_plot.pk}/claim")
    assert response.status_code == 409
    assert "as many plots" in response.json()["detail"]


def test_claim_unknown_plot_404(api, member, garden):
    assert api(member).post("/plots/999/claim").status_code == 404


def test_release(api, member, other_member, plot):
    api(member).post(f"/plots/{plot.pk}/claim")
    assert api(other_member).post(f"/plots/{plot.pk}/release").status_code == 409
    response = api(member).post(f"/plots/{plot.pk}/release", {"reason": "moving"})
    assert response.status_code == 200
    assert response.json()["plot"]["status"] == "available"


def test_waitlist_join_list_and_leave(api, member, other_member, coordinator, plot):
    assert api(member).post("/waitlist").status_code == 409  # a plot is free
    services.claim(coordinator, plot.pk)
    assert api(member).post("/waitlist").status_code == 201
    assert api(member).post("/waitlist").status_code == 409
    api(other_member).post("/waitlist")
    body = api(other_member).get("/waitlist").json()
    assert body["my_position"] == 2
    assert [e["name"] for e in body["entries"]] == [None, None]
    names = [e["name"] for e in api(coordinator).get("/waitlist").json()["entries"]]
    assert names == ["Mara", "Otto"]
    assert api(member).delete("/waitlist").status_code == 204
    assert api(member).delete("/waitlist").status_code == 404


def test_claim_accepts_an_offer_and_release_refuses_one(
    api, member, other_member, coordinator, plot
):
    services.claim(coordinator, plot.pk)
    services.join_waitlist(member)
    services.join_waitlist(other_member)
    services.release(coordinator, plot.pk)
    mine = api(member).get(f"/plots/{plot.pk}").json()
    assert mine["status"] == "offered" and mine["offer_expires_at"]
    assert api(other_member).post(f"/plots/{plot.pk}/claim").status_code == 409
    assert api(member).post(f"/plots/{plot.pk}/release").status_code == 200
    assert api(other_member).post(f"/plots/{plot.pk}/claim").status_code == 200
    assert Tenancy.objects.get(status="active").user == other_member


@pytest.mark.parametrize("path", ["/plots", "/plots/{plot_id}", "/waitlist"])
def test_openapi_documents_the_schemas(client, garden, path):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1" + path in schema["paths"]
    claim = schema["paths"]["/api/v1/plots/{plot_id}/claim"]["post"]["responses"]
    assert {"200", "202", "409", "404", "403"} <= set(claim)
