import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from garden.harvests.models import Crop, HarvestLog

from .conftest import fill_logs, make_log


def test_anonymous_callers_get_401(api, garden):
    assert api(None).get("/harvests").status_code == 401
    assert (
        api(None).post("/harvests", {"crop": "Tomatoes", "quantity": 1, "unit": "kg"}).status_code
        == 401
    )
    assert api(None).get("/harvests/summary").status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/harvests"),
        ("get", "/harvests/summary"),
        ("get", "/harvests/crops"),
        ("post", "/harvests"),
        ("post", "/harvests/crops"),
    ],
)
def test_non_members_get_403(api, outsider, method, path):
    if path == "/harvests/crops":
        payload = {"name": "Okra"}
    else:
        payload = {"crop": "Tomatoes", "quantity": 1, "unit": "kg"}
    client = api(outsider)
    response = client.get(path) if method == "get" else client.post(path, payload)
    assert response.status_code == 403
    assert "detail" in response.json()


def test_a_member_logs_a_harvest_by_crop_name(api, member):
    response = api(member).post(
        "/harvests",
        {
            "crop": "tomatoes",
            "quantity": "1.25",
            "unit": "kg",
            "date": "2025-07-01",
            "plot": "B7",
            "donated_to": "Food bank",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["crop"], body["grams"], body["plot"], body["mine"]) == (
        "Tomatoes",
        1250,
        "B7",
        True,
    )
    assert HarvestLog.objects.get().harvested_by == member


def test_the_date_defaults_to_today(api, member, tomatoes):
    response = api(member).post(
        "/harvests", {"crop_id": tomatoes.pk, "quantity": 3, "unit": "pieces"}
    )
    assert response.status_code == 201
    assert HarvestLog.objects.get().date == datetime.date.fromisoformat(response.json()["date"])


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"crop": "Dragonfruit", "quantity": 1, "unit": "kg"}, 409),
        ({"quantity": 1, "unit": "kg"}, 409),
        ({"crop_id": 999999, "quantity": 1, "unit": "kg"}, 409),
        ({"crop": "Tomatoes", "quantity": 0, "unit": "kg"}, 422),
        ({"crop": "Tomatoes", "quantity": 1.5, "unit": "bunches"}, 409),
        ({"crop": "Tomatoes", "quantity": 1, "unit": "stone"}, 422),
        ({"crop": "Tomatoes", "quantity": 1, "unit": "kg", "date": "2999-01-01"}, 409),
        ({"crop": "Tomatoes", "quantity": 1, "unit": "kg", "note": "x" * 501}, 422),
    ],
)
def test_bad_harvests_are_refused_and_nothing_is_stored(api, member, payload, status):
    # 422: the schema refuses it; 409: it fits the schema, a rule refuses it (docs/api.md).
    response = api(member).post("/harvests", payload)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert not HarvestLog.objects.exists()


def test_malformed_input_is_a_4xx(api, member):
    response = api(member).post("/harvests", {"crop": "Tomatoes", "quantity": "lots", "unit": "kg"})
    assert 400 <= response.status_code < 500


def test_members_list_their_own_harvests_only(api, member, other_member, tomatoes):
    make_log(member, tomatoes, "1")
    make_log(other_member, tomatoes, "2")
    body = api(member).get("/harvests").json()
    assert body["count"] == 1 and body["items"][0]["grams"] == 1000


def test_only_coordinators_list_the_whole_garden(api, member, coordinator, tomatoes):
    make_log(member, tomatoes, "1")
    assert api(member).get("/harvests", {"scope": "garden"}).status_code == 403
    body = api(coordinator).get("/harvests", {"scope": "garden"}).json()
    assert body["count"] == 1 and body["items"][0]["harvested_by"] == "Mara"
    assert api(coordinator).get("/harvests", {"scope": "everything"}).status_code == 422


def test_the_list_filters_and_pages(api, member, tomatoes, radishes):
    make_log(member, tomatoes, "1", date=datetime.date(2024, 7, 1))
    make_log(member, tomatoes, "2", date=datetime.date(2025, 7, 1), donated_to="Food bank")
    make_log(member, radishes, "3", "bunches", date=datetime.date(2025, 8, 1))
    client = api(member)
    assert client.get("/harvests", {"season": 2025}).json()["count"] == 2
    assert client.get("/harvests", {"crop_id": radishes.pk}).json()["count"] == 1
    assert client.get("/harvests", {"donated": "true"}).json()["items"][0]["grams"] == 2000
    assert client.get("/harvests", {"date_from": "2025-07-15"}).json()["count"] == 1
    assert client.get("/harvests", {"date_to": "2024-12-31"}).json()["count"] == 1
    page = client.get("/harvests", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 1


def test_an_offset_past_what_a_database_takes_is_a_422(api, member):
    response = api(member).get("/harvests", {"offset": 10**20})
    assert response.status_code == 422
    assert api(member).get("/harvests", {"offset": 2**31 - 1}).json()["items"] == []


def test_listing_needs_few_queries_whatever_the_size(
    api, member, other_member, garden, django_assert_max_num_queries
):
    client = api(member)
    fill_logs(garden, [member, other_member], 200)
    small = _queries(client, "/harvests", {"limit": 100})
    fill_logs(garden, [member, other_member], 2000, seed=2)
    with django_assert_max_num_queries(8):
        assert len(client.get("/harvests", {"limit": 100}).json()["items"]) == 100
    assert _queries(client, "/harvests", {"limit": 100}) == small


def test_summary_by_crop_and_by_month(api, member, other_member, tomatoes, radishes):
    make_log(member, tomatoes, "1.5", date=datetime.date(2025, 7, 1), donated_to="Food bank")
    make_log(other_member, tomatoes, "500", "g", date=datetime.date(2025, 8, 1))
    make_log(member, radishes, "3", "bunches", date=datetime.date(2025, 8, 2))
    client = api(member)
    by_crop = client.get("/harvests/summary", {"by": "crop", "season": 2025}).json()
    rows = {row["label"]: row for row in by_crop["rows"]}
    assert rows["Tomatoes"]["kg"] == 2.0 and rows["Tomatoes"]["donated_kg"] == 1.5
    assert rows["Radishes"]["bunches"] == 3 and rows["Radishes"]["kg"] == 0
    assert by_crop["total"]["grams"] == 2000 and by_crop["total"]["bunches"] == 3
    by_month = client.get("/harvests/summary", {"by": "month", "season": 2025}).json()
    assert len(by_month["rows"]) == 12
    assert by_month["rows"][7]["key"] == "2025-08-01" and by_month["rows"][7]["grams"] == 500


def test_cached_totals_follow_every_change_of_the_logs(api, member, coordinator, tomatoes):
    client = api(member)

    def total_grams() -> int:
        summary = client.get("/harvests/summary", {"by": "crop", "season": 2025}).json()
        return summary["total"]["grams"]

    assert total_grams() == 0  # now cached
    created = client.post(
        "/harvests", {"crop": "Tomatoes", "quantity": "2", "unit": "kg", "date": "2025-07-01"}
    )
    assert created.status_code == 201
    assert total_grams() == 2000
    path = f"/harvests/{created.json()['id']}"
    assert client.patch(path, {"quantity": "3"}).status_code == 200
    assert total_grams() == 3000
    assert _upload(client, "date,crop,quantity,unit\n2025-07-02,Tomatoes,1,kg\n").status_code == 201
    assert total_grams() == 4000
    assert api(coordinator).delete(path).status_code == 204
    assert total_grams() == 1000


def test_summary_refuses_another_grouping(api, member):
    response = api(member).get("/harvests/summary", {"by": "gardener"})
    assert response.status_code == 422
    assert response.json()["fields"] == [
        {"in": "query", "field": "by", "message": "Input should be 'crop' or 'month'"}
    ]


def test_summary_needs_few_queries_whatever_the_size(
    api, member, other_member, garden, django_assert_max_num_queries
):
    client = api(member)
    fill_logs(garden, [member, other_member], 20)
    small = _queries(client, "/harvests/summary", {"by": "month"})
    fill_logs(garden, [member, other_member], 2000, seed=2)  # the cached totals are forgotten
    with django_assert_max_num_queries(7):
        large = _queries(client, "/harvests/summary", {"by": "month"})
    assert large == small  # both computed afresh


def test_author_and_coordinator_change_and_delete_others_cannot(
    api, member, other_member, coordinator, tomatoes
):
    log = make_log(member, tomatoes, "1")
    path = f"/harvests/{log.pk}"
    assert api(other_member).get(path).status_code == 403
    assert api(other_member).patch(path, {"note": "mine"}).status_code == 403
    assert api(other_member).delete(path).status_code == 403
    response = api(member).patch(path, {"quantity": "2", "unit": "pieces", "plot": "C3"})
    assert response.status_code == 200, response.content
    assert (response.json()["pieces"], response.json()["plot"]) == (2, "C3")
    assert api(coordinator).patch(path, {"note": "checked"}).json()["note"] == "checked"
    assert api(member).patch(path, {"unit": None}).status_code == 422
    assert api(coordinator).delete(path).status_code == 204
    assert not HarvestLog.objects.exists()
    assert api(member).get(path).status_code == 404


def test_crops_are_listed_and_added_through_the_api(api, member, garden):
    client = api(member)
    assert len(client.get("/harvests/crops").json()) == 20
    assert client.post("/harvests/crops", {"name": "Okra"}).status_code == 201
    assert client.post("/harvests/crops", {"name": "OKRA"}).status_code == 409
    assert client.post("/harvests/crops", {"name": "   "}).status_code == 409
    assert Crop.objects.filter(name__iexact="okra").count() == 1


def _upload(client, text: str, **params):
    query = "?add_unknown_crops=true" if params.get("add_unknown_crops") else ""
    return client.client.post(
        f"/api/v1/harvests/import{query}",
        {"file": SimpleUploadedFile("h.csv", text.encode())},
        headers=client.headers,
    )


def test_import_through_the_api_reports_every_bad_line(api, member):
    client = api(member)
    response = _upload(
        client, "date,crop,quantity,unit\n2025-07-01,Nope,1,kg\n2025-07-01,Tomatoes,x,kg\n"
    )
    assert response.status_code == 409
    body = response.json()
    assert [e["line"] for e in body["errors"]] == [2, 3]
    assert body["unknown_crops"] == ["Nope"]
    assert not HarvestLog.objects.exists()
    response = _upload(
        client, "date,crop,quantity,unit\n2025-07-01,Nope,1,kg\n", add_unknown_crops=True
    )
    assert response.status_code == 201
    assert response.json() == {"imported": 1, "new_crops": ["Nope"]}


def _queries(client, path: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path, params).status_code == 200
    return len(context)
