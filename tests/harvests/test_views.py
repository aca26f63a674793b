import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from garden.harvests.models import Crop, HarvestLog
from tests.conftest import client_for

from .conftest import fill_logs, make_log

MEMBER_PAGES = [
    "/harvests/",
    "/harvests/?season=all",
    "/harvests/mine/",
    "/harvests/new/",
    "/harvests/crops/",
    "/harvests/import/",
    "/harvests/export/mine.csv",
]


@pytest.mark.parametrize("url", [*MEMBER_PAGES, "/harvests/export/garden.csv"])
def test_anonymous_visitors_are_sent_to_log_in(client, garden, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("url", [*MEMBER_PAGES, "/harvests/export/garden.csv"])
def test_non_members_are_refused(outsider, url):
    assert client_for(outsider).get(url).status_code == 403


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_members_see_the_pages(member, tomatoes, url):
    make_log(member, tomatoes)
    assert client_for(member).get(url).status_code == 200


def test_only_coordinators_export_the_whole_garden(member, other_member, coordinator, tomatoes):
    make_log(member, tomatoes, "1", note="mara's")
    make_log(other_member, tomatoes, "2", note="otto's")
    assert client_for(member).get("/harvests/export/garden.csv").status_code == 403
    response = client_for(coordinator).get("/harvests/export/garden.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert text.splitlines()[0].endswith(",gardener")
    assert "mara's" in text and "otto's" in text and "Otto" in text


def test_my_export_holds_only_my_logs(member, other_member, tomatoes):
    make_log(member, tomatoes, "1", note="mara's")
    make_log(other_member, tomatoes, "2", note="otto's")
    response = client_for(member).get("/harvests/export/mine.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "mara's" in text and "otto's" not in text


def test_logging_a_harvest_through_the_form(member, tomatoes):
    response = client_for(member).post(
        "/harvests/new/",
        {
            "crop": tomatoes.pk,
            "quantity": "1,5",
            "unit": "kg",
            "date": "2025-07-01",
            "donated_to": "Food bank",
        },
    )
    assert response.status_code == 302
    log = HarvestLog.objects.get()
    assert (log.grams, log.harvested_by, log.donated_to) == (1500, member, "Food bank")


def test_the_form_adds_a_new_crop_or_reuses_one_spelt_differently(member, garden):
    client = client_for(member)
    data = {"quantity": "2", "unit": "pieces", "date": "2025-07-01"}
    client.post("/harvests/new/", {**data, "new_crop": "Okra"})
    client.post("/harvests/new/", {**data, "new_crop": "OKRA"})
    assert Crop.objects.filter(garden=garden, name__iexact="okra").count() == 1
    assert HarvestLog.objects.filter(crop__name="Okra").count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {"quantity": "1", "unit": "kg", "date": "2025-07-01"},
        {"quantity": "lots", "unit": "kg", "date": "2025-07-01", "crop": "TOMATO"},
        {"quantity": "1.5", "unit": "pieces", "date": "2025-07-01", "crop": "TOMATO"},
        {"quantity": "1", "unit": "kg", "date": "2999-01-01", "crop": "TOMATO"},
        {"quantity": "1", "unit": "stone", "date": "2025-07-01", "crop": "TOMATO"},
        {"quantity": "1", "unit": "kg", "date": "2025-07-01", "crop": "999999"},
    ],
)
def test_bad_form_input_shows_errors_and_stores_nothing(member, tomatoes, data):
    if data.get("crop") == "TOMATO":
        data["crop"] = tomatoes.pk
    response = client_for(member).post("/harvests/new/", data)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not HarvestLog.objects.exists()


def test_others_cannot_edit_or_delete_but_coordinators_can(
    member, other_member, coordinator, tomatoes
):
    log = make_log(member, tomatoes)
    other = client_for(other_member)
    assert other.get(f"/harvests/{log.pk}/edit/").status_code == 403
    assert other.post(f"/harvests/{log.pk}/delete/").status_code == 403
    assert HarvestLog.objects.filter(pk=log.pk).exists()
    response = client_for(coordinator).post(
        f"/harvests/{log.pk}/edit/",
        {"crop": tomatoes.pk, "quantity": "3", "unit": "kg", "date": "2025-07-02"},
    )
    assert response.status_code == 302
    assert HarvestLog.objects.get(pk=log.pk).grams == 3000
    assert client_for(coordinator).post(f"/harvests/{log.pk}/delete/").status_code == 302
    assert not HarvestLog.objects.filter(pk=log.pk).exists()


def test_the_author_edits_and_deletes_their_log(member, tomatoes):
    log = make_log(member, tomatoes)
    client = client_for(member)
    page = client.get(f"/harvests/{log.pk}/edit/").content.decode()
    assert 'value="1"' in page
    client.post(
        f"/harvests/{log.pk}/edit/",
        {"crop": tomatoes.pk, "quantity": "250", "unit": "g", "date": "2025-07-01"},
    )
    assert HarvestLog.objects.get(pk=log.pk).grams == 250
    assert "cannot be undone" in client.get(f"/harvests/{log.pk}/delete/").content.decode()
    client.post(f"/harvests/{log.pk}/delete/")
    assert not HarvestLog.objects.exists()


def test_members_add_crops_on_the_crop_page(member, garden):
    client = client_for(member)
    assert client.post("/harvests/crops/", {"name": "Okra"}).status_code == 302
    response = client.post("/harvests/crops/", {"name": "okra"})
    assert response.status_code == 200 and "already on the crop list" in response.content.decode()
    assert Crop.objects.filter(name__iexact="okra").count() == 1


def test_the_totals_page_draws_a_chart_with_a_table_beside_it(member, tomatoes, radishes):
    make_log(member, tomatoes, "2.5", date=datetime.date(2025, 7, 1), donated_to="Food bank")
    make_log(member, radishes, "4", "bunches", date=datetime.date(2025, 6, 1))
    page = client_for(member).get("/harvests/?season=2025").content.decode()
    assert page.count("<svg") == 2 and 'role="img"' in page
    assert "<caption>Totals per crop</caption>" in page
    assert "Food bank" in page
    assert 'data-live-region="harvest-totals"' in page
    assert "2.5 kg" in page  # bar label
    assert "<script" not in page.split("<main")[1].split("</main>")[0]


def test_the_totals_page_follows_the_season_filter(member, tomatoes):
    make_log(member, tomatoes, "1", date=datetime.date(2024, 7, 1))
    make_log(member, tomatoes, "7", date=datetime.date(2025, 7, 1))
    client = client_for(member)
    assert "7.0 kg" in client.get("/harvests/?season=2025").content.decode()
    assert "7.0 kg" not in client.get("/harvests/?season=2024").content.decode()
    assert "8.0 kg" in client.get("/harvests/?season=all").content.decode()
    assert client.get("/harvests/?season=nonsense").status_code == 200


def test_numbers_are_written_the_german_way_in_german(member, tomatoes):
    make_log(member, tomatoes, "2.5", date=datetime.date(2025, 7, 1))
    page = client_for(member).get("/harvests/?season=2025", HTTP_ACCEPT_LANGUAGE="de")
    assert "2,5 kg" in page.content.decode()
    assert 'width="250.0"' in page.content.decode()  # SVG coordinates stay in dots


def test_my_harvests_are_paginated(member, other_member, tomatoes):
    for day in range(1, 31):
        make_log(member, tomatoes, "1", date=datetime.date(2025, 6, day))
    make_log(other_member, tomatoes, "1", note="not mine")
    client = client_for(member)
    first = client.get("/harvests/mine/").content.decode()
    assert "Page 1 of 2" in first and "not mine" not in first
    assert client.get("/harvests/mine/?page=2").content.decode().count('class="card"') == 5
    assert client.get("/harvests/mine/?page=99").status_code == 200


def test_the_import_form_lists_every_bad_line(member):
    upload = SimpleUploadedFile(
        "old.csv", b"date;crop;quantity;unit\n2025-07-01;Tomatoes;1;kg\n2025-07-01;Nope;1;kg\n"
    )
    response = client_for(member).post("/harvests/import/", {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and '<td class="num">3</td>' in page
    assert "Nope" in page
    assert not HarvestLog.objects.exists()


def test_the_import_form_imports_a_clean_file(member):
    upload = SimpleUploadedFile("old.csv", b"date;crop;quantity;unit\n01.07.2025;Okra;1;kg\n")
    response = client_for(member).post(
        "/harvests/import/", {"file": upload, "add_unknown_crops": "on"}
    )
    assert response.status_code == 302
    assert HarvestLog.objects.get().crop.name == "Okra"


def test_the_import_form_needs_a_file(member):
    assert client_for(member).post("/harvests/import/", {}).status_code == 400


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize(
    "url", ["/harvests/?season=2025", "/harvests/?season=all", "/harvests/mine/"]
)
def test_pages_need_the_same_queries_for_few_and_many_logs(
    member, other_member, garden, url, django_assert_max_num_queries
):
    client = client_for(member)
    fill_logs(garden, [member, other_member], 20)
    small = _queries(client, url)
    fill_logs(garden, [member, other_member], 2000, seed=2)  # the cached totals are forgotten
    with django_assert_max_num_queries(12):
        large = _queries(client, url)
    assert large == small  # both computed afresh
    assert _queries(client, url) <= small  # then the garden's totals come from the cache
