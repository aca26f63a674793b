import datetime

from garden.harvests import totals
from garden.harvests.charts import bar_chart

from .conftest import make_log


def test_pieces_and_bunches_are_never_added_to_kilograms(garden, member, tomatoes, radishes):
    make_log(member, tomatoes, "1.5", "kg")
    make_log(member, tomatoes, "500", "g")
    make_log(member, tomatoes, "3", "pieces")
    make_log(member, radishes, "2", "bunches")
    rows = {row.label: row for row in totals.by_crop(garden, 2025)}
    assert (rows["Tomatoes"].grams, rows["Tomatoes"].pieces, rows["Tomatoes"].bunches) == (
        2000,
        3,
        0,
    )
    assert rows["Tomatoes"].kg == 2
    assert (rows["Radishes"].grams, rows["Radishes"].bunches) == (0, 2)
    total = totals.overall(list(rows.values()))
    assert (total.grams, total.pieces, total.bunches, total.logs) == (2000, 3, 2, 4)


def test_donated_totals_count_only_what_was_given_away(garden, member, tomatoes):
    make_log(member, tomatoes, "2", donated_to="Food bank")
    make_log(member, tomatoes, "1", donated_to="Café")
    make_log(member, tomatoes, "5")
    [row] = totals.by_crop(garden, 2025)
    assert (row.grams, row.donated_grams) == (8000, 3000)
    recipients = totals.by_recipient(garden, 2025)
    assert [(r.label, r.grams) for r in recipients] == [("Food bank", 2000), ("Café", 1000)]


def test_a_season_is_a_calendar_year(garden, member, tomatoes):
    make_log(member, tomatoes, "1", date=datetime.date(2024, 12, 31))
    make_log(member, tomatoes, "2", date=datetime.date(2025, 1, 1))
    make_log(member, tomatoes, "4", date=datetime.date(2025, 12, 31))
    seasons = {row.key: row.grams for row in totals.by_season(garden)}
    assert seasons == {2024: 1000, 2025: 6000}
    assert totals.overall(totals.by_crop(garden, 2025)).grams == 6000
    assert totals.overall(totals.by_crop(garden, None)).grams == 7000


def test_month_totals_list_every_month_of_a_season(garden, member, tomatoes):
    make_log(member, tomatoes, "1", date=datetime.date(2025, 7, 3))
    make_log(member, tomatoes, "2", date=datetime.date(2025, 7, 30))
    make_log(member, tomatoes, "3", date=datetime.date(2025, 9, 1))
    months = totals.by_month(garden, 2025)
    assert [m.key.month for m in months] == list(range(1, 13))
    assert {m.key.month: m.grams for m in months if m.grams} == {7: 3000, 9: 3000}


def test_all_time_months_carry_their_year(garden, member, tomatoes):
    make_log(member, tomatoes, "1", date=datetime.date(2024, 7, 3))
    make_log(member, tomatoes, "2", date=datetime.date(2025, 7, 3))
    months = totals.by_month(garden, None)
    assert [(m.key, m.grams) for m in months] == [
        (datetime.date(2024, 7, 1), 1000),
        (datetime.date(2025, 7, 1), 2000),
    ]


def test_my_totals_leave_out_other_peoples_logs(garden, member, other_member, tomatoes):
    make_log(member, tomatoes, "1")
    make_log(other_member, tomatoes, "9")
    assert [row.grams for row in totals.by_season(garden, user=member)] == [1000]


def test_bars_scale_to_the_largest_value():
    chart = bar_chart("kg", [("Tomatoes", 10), ("Beans", 5), ("Peas", 0), ("Herbs", 0.001)], "kg")
    widths = [bar.width for bar in chart.bars]
    assert widths[0] == 2 * widths[1]
    assert widths[2] == 0
    assert widths[3] == 1.0  # a tiny harvest stays visible
    assert not chart.empty
    assert bar_chart("kg", [("Peas", 0)], "kg").empty
