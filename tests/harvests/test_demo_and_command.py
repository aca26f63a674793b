import pytest
from django.core.management import CommandError, call_command

from garden.core.management.commands.seed_demo import demo_user
from garden.harvests import demo
from garden.harvests.models import HarvestLog


@pytest.fixture
def demo_users(garden):
    users = {"coordinator": demo_user("coordinator", "Kim", "coordinator", garden)}
    for number in range(1, 6):
        users[f"member{number}"] = demo_user(
            f"member{number}", f"Gardener {number}", "member", garden
        )
    return users


def test_the_demo_has_a_season_of_harvests_and_runs_twice_without_doubling(garden, demo_users):
    demo.seed(garden, demo_users)
    count = HarvestLog.objects.count()
    assert count >= 200
    assert HarvestLog.objects.exclude(donated_to="").count() > 10
    assert HarvestLog.objects.values("crop").distinct().count() >= 15
    assert HarvestLog.objects.dates("date", "month").count() >= 6
    demo.seed(garden, demo_users)
    assert HarvestLog.objects.count() == count


def test_the_import_command_imports_or_explains(member, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("date;crop;quantity;unit\n2025-07-01;Tomatoes;2;kg\n")
    call_command("import_harvests", str(good), "--user", "mara")
    assert HarvestLog.objects.get().grams == 2000
    bad = tmp_path / "bad.csv"
    bad.write_text("date;crop;quantity;unit\n2025-07-01;Nope;2;kg\n")
    with pytest.raises(CommandError):
        call_command("import_harvests", str(bad), "--user", "mara")
    with pytest.raises(CommandError):
        call_command("import_harvests", str(good), "--user", "nobody")
    assert HarvestLog.objects.count() == 1
