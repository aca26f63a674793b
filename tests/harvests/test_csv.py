import datetime
from decimal import Decimal

import pytest

from garden.core.errors import RuleError
from garden.harvests import csvio
from garden.harvests.models import Crop, HarvestLog

from .conftest import make_log

GOOD = (
    "date;crop;quantity;unit;plot;donated_to;note\n"
    "2025-07-14;Tomatoes;2,5;kg;B7;;first ripe ones\n"
    "15.07.2025;radishes;3;Bund;;Food bank;\n"
    "2025-07-16;Courgettes;4;Stück;;;\n"
)


def test_a_clean_german_spreadsheet_file_is_imported(member):
    data = ("\ufeff" + GOOD).encode("utf-8")
    result = csvio.import_csv(member, data)
    assert result.imported == 3
    logs = {log.crop.name: log for log in HarvestLog.objects.select_related("crop")}
    assert logs["Tomatoes"].grams == 2500 and logs["Tomatoes"].plot_label == "B7"
    assert logs["Radishes"].bunches == 3 and logs["Radishes"].donated_to == "Food bank"
    assert logs["Radishes"].date == datetime.date(2025, 7, 15)
    assert logs["Courgettes"].pieces == 4
    assert all(log.harvested_by == member for log in logs.values())


def test_comma_separated_files_with_crlf_and_windows_encoding_work(member):
    text = 'Datum,Kultur,Menge,Einheit,Notiz\r\n2025-07-14,Tomatoes,"1,5",kg,Sorte Ochsenherz\r\n'
    result = csvio.import_csv(member, text.encode("cp1252"))
    assert result.imported == 1
    assert HarvestLog.objects.get().grams == 1500


def test_every_bad_row_is_reported_and_nothing_is_imported(member):
    text = (
        "date;crop;quantity;unit\n"
        "2025-07-14;Tomatoes;2;kg\n"
        "2025-13-01;Tomatoes;2;kg\n"
        "2025-07-14;Dragonfruit;2;kg\n"
        "2025-07-14;Tomatoes;two;kg\n"
        "\n"
        "2025-07-14;Tomatoes;2;tons\n"
        "2025-07-14;Tomatoes;1,5;pieces\n"
        "2025-07-14;;2;kg\n"
        f"{(datetime.date.today() + datetime.timedelta(days=2)).isoformat()};Tomatoes;1;kg\n"
        "2025-07-14;Tomatoes;2;kg\n"
    )
    with pytest.raises(csvio.ImportRejected) as rejected:
        csvio.import_csv(member, text.encode())
    lines = [error.line for error in rejected.value.errors]
    assert lines == [3, 4, 5, 7, 8, 9, 10]
    assert rejected.value.unknown_crops == ["Dragonfruit"]
    assert all(error.message for error in rejected.value.errors)
    assert not HarvestLog.objects.exists()


def test_unknown_crops_can_be_added_on_import(member, garden):
    text = "date,crop,quantity,unit\n2025-07-14,Dragonfruit,2,kg\n2025-07-15,dragonfruit,1,kg\n"
    result = csvio.import_csv(member, text.encode(), add_unknown_crops=True)
    assert result.imported == 2 and result.new_crops == ["Dragonfruit"]
    assert Crop.objects.get(garden=garden, name="Dragonfruit").logs.count() == 2


def test_unknown_crops_are_not_added_when_another_row_is_bad(member, garden):
    text = "date,crop,quantity,unit\n2025-07-14,Dragonfruit,2,kg\n2025-07-15,Tomatoes,-1,kg\n"
    with pytest.raises(csvio.ImportRejected):
        csvio.import_csv(member, text.encode(), add_unknown_crops=True)
    assert not Crop.objects.filter(name="Dragonfruit").exists()


@pytest.mark.parametrize(
    "text",
    ["", "date;crop\n2025-07-14;Tomatoes\n", "date;crop;quantity;unit\n\n\n", "a\x00b\n"],
)
def test_files_without_harvests_are_refused(member, text):
    with pytest.raises(csvio.ImportRejected) as rejected:
        csvio.import_csv(member, text.encode())
    assert rejected.value.errors[0].line >= 1


def test_a_file_over_the_size_limit_is_refused(member):
    with pytest.raises(RuleError) as error:
        csvio.import_csv(member, b"x" * (csvio.MAX_IMPORT_BYTES + 1))
    assert error.value.status == 413


def test_non_members_cannot_import(outsider):
    with pytest.raises(RuleError) as error:
        csvio.import_csv(outsider, GOOD.encode())
    assert error.value.status == 403


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,5", "1.5"), ("1.234,5", "1234.5"), ("1,234.5", "1234.5"), (" 2 ", "2"), ("0.25", "0.25")],
)
def test_decimals_with_comma_or_point(text, value):
    assert csvio.parse_decimal(text) == Decimal(value)


def test_export_escapes_formulas_and_round_trips_through_import(member, tomatoes):
    make_log(member, tomatoes, "1.5", note="=HYPERLINK(1)", donated_to="Food bank")
    make_log(member, tomatoes, "3", "pieces", plot_label="B2")
    lines = list(csvio.export_lines(HarvestLog.objects.filter(harvested_by=member)))
    text = "".join(lines)
    assert text.startswith("\ufeffdate,crop,quantity,unit,plot,donated_to,note")
    assert "'=HYPERLINK(1)" in text
    HarvestLog.objects.all().delete()
    assert csvio.import_csv(member, text.encode()).imported == 2
    assert sorted(HarvestLog.objects.values_list("grams", "pieces")) == [(0, 3), (1500, 0)]
