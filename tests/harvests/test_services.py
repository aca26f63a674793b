import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError

from garden.core.errors import RuleError
from garden.harvests import services
from garden.harvests.defaults import DEFAULT_CROPS
from garden.harvests.models import Crop, HarvestLog
from garden.members.exports import export_user_data

from .conftest import make_log


def log(user, crop, **data):
    data.setdefault("quantity", Decimal("1.5"))
    data.setdefault("unit", "kg")
    data.setdefault("date", datetime.date(2025, 7, 1))
    return services.log_harvest(user, crop=crop, **data)


def test_a_new_garden_starts_with_the_common_crops(garden):
    names = set(Crop.objects.filter(garden=garden).values_list("name", flat=True))
    assert names == set(DEFAULT_CROPS)
    assert len(names) == 20


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        ("1.5", "kg", {"grams": 1500, "pieces": 0, "bunches": 0}),
        ("250", "g", {"grams": 250, "pieces": 0, "bunches": 0}),
        ("0.0004", "kg", None),
        ("3", "pieces", {"grams": 0, "pieces": 3, "bunches": 0}),
        ("2", "bunches", {"grams": 0, "pieces": 0, "bunches": 2}),
    ],
)
def test_weights_are_stored_in_grams_and_counts_apart(quantity, unit, expected):
    if expected is None:
        with pytest.raises(RuleError):
            services.normalise(Decimal(quantity), unit)
    else:
        assert services.normalise(Decimal(quantity), unit) == expected


@pytest.mark.parametrize(
    ("quantity", "unit"),
    [("0", "kg"), ("-1", "g"), ("1.5", "pieces"), ("2", "tons"), ("100000", "kg"), ("NaN", "kg")],
)
def test_nonsense_quantities_are_refused(quantity, unit):
    with pytest.raises(RuleError) as error:
        services.normalise(Decimal(quantity), unit)
    assert error.value.status == 400


def test_member_logs_a_harvest_with_the_unit_as_entered(member, tomatoes):
    entry = log(member, tomatoes, quantity=Decimal("1.25"), unit="kg", donated_to=" Food bank ")
    entry.refresh_from_db()
    assert (entry.quantity, entry.unit, entry.grams) == (Decimal("1.25"), "kg", 1250)
    assert entry.donated_to == "Food bank" and entry.donated
    assert entry.harvested_by == member


def test_a_harvest_cannot_be_in_the_future(member, tomatoes):
    tomorrow = services.today() + datetime.timedelta(days=1)
    with pytest.raises(RuleError):
        log(member, tomatoes, date=tomorrow)
    assert not HarvestLog.objects.exists()


def test_non_members_cannot_log(outsider, tomatoes):
    with pytest.raises(RuleError) as error:
        log(outsider, tomatoes)
    assert error.value.status == 403


def test_crop_names_are_unique_regardless_of_case(member, garden):
    crop = services.add_crop(member, "  Jerusalem   artichoke ")
    assert crop.name == "Jerusalem artichoke"
    with pytest.raises(RuleError) as error:
        services.add_crop(member, "JERUSALEM ARTICHOKE")
    assert error.value.status == 409
    with pytest.raises(RuleError):
        services.add_crop(member, "tomatoes")


def test_the_database_refuses_a_duplicate_crop_too(garden):
    with pytest.raises(IntegrityError):
        Crop.objects.create(garden=garden, name="TOMATOES")


def test_only_members_add_crops(outsider):
    with pytest.raises(RuleError) as error:
        services.add_crop(outsider, "Okra")
    assert error.value.status == 403


def test_the_author_changes_a_log_and_its_measure_follows_the_unit(member, tomatoes):
    entry = log(member, tomatoes)
    services.update_log(member, entry, quantity=Decimal(4), unit="pieces")
    entry.refresh_from_db()
    assert (entry.grams, entry.pieces, entry.unit) == (0, 4, "pieces")


def test_another_member_may_not_change_or_delete_a_log(member, other_member, tomatoes):
    entry = log(member, tomatoes)
    with pytest.raises(RuleError) as error:
        services.update_log(other_member, entry, note="mine now")
    assert error.value.status == 403
    with pytest.raises(RuleError):
        services.delete_log(other_member, entry)
    assert HarvestLog.objects.filter(pk=entry.pk, note="").exists()


def test_a_coordinator_may_change_and_delete_any_log(member, coordinator, tomatoes):
    entry = log(member, tomatoes)
    services.update_log(coordinator, entry, note="checked")
    assert HarvestLog.objects.get(pk=entry.pk).note == "checked"
    services.delete_log(coordinator, entry)
    assert not HarvestLog.objects.filter(pk=entry.pk).exists()


def test_a_crop_in_use_cannot_be_deleted(member, tomatoes):
    from django.db.models import ProtectedError

    log(member, tomatoes)
    with pytest.raises(ProtectedError):
        tomatoes.delete()


def test_deleting_an_account_keeps_the_gardens_totals(member, tomatoes):
    entry = log(member, tomatoes)
    member.delete()
    entry.refresh_from_db()
    assert entry.harvested_by is None and entry.grams == 1500


def test_my_logs_are_in_my_data_download(member, other_member, tomatoes):
    make_log(member, tomatoes, "2", note="sweet")
    make_log(other_member, tomatoes, "3")
    data = export_user_data(member)["harvests"]
    assert data == [
        {
            "date": "2025-07-01",
            "crop": "Tomatoes",
            "quantity": "2.000",
            "unit": "kg",
            "plot": "",
            "donated_to": "",
            "note": "sweet",
            "logged_at": data[0]["logged_at"],
        }
    ]


def test_changes_are_pushed_to_open_pages(member, tomatoes, monkeypatch):
    pushed = []
    monkeypatch.setattr(services, "push_garden", lambda event, data: pushed.append((event, data)))
    entry = log(member, tomatoes)
    services.update_log(member, entry, note="x")
    services.delete_log(member, entry)
    assert [event for event, _data in pushed] == ["harvests"] * 3


def test_a_log_is_linked_to_the_plot_of_its_label(member, tomatoes):
    from garden.plots.models import Plot

    plot = Plot.objects.create(label="B7", area_m2=Decimal("12.5"))
    assert log(member, tomatoes, plot_label="b7").plot == plot
    assert log(member, tomatoes, plot_label="Z99").plot is None
    assert log(member, tomatoes, plot_label="Z99").plot_label == "Z99"
