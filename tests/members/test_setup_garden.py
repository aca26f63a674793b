"""manage.py setup_garden: flags, questions in a terminal, validation."""

import io

import pytest
from django.core.management import CommandError, call_command

from garden.members.models import Garden, Membership
from tests.conftest import make_user

FLAGS = {
    "name": "Kiezgarten",
    "description": "Zwölf Beete",
    "address": "Hof 3",
    "latitude": "48.1",
    "longitude": "11.5",
    "timezone": "Europe/Berlin",
    "language": "de",
    "rules": "Gießen!",
    "join_policy": "approval",
}


def _run(**options):
    out = io.StringIO()
    call_command("setup_garden", no_input=True, stdout=out, **options)
    return out.getvalue()


def test_flags_set_up_the_garden(db):
    output = _run(**FLAGS)
    garden = Garden.objects.get_current()
    assert "Kiezgarten" in output
    assert (garden.name, garden.latitude, garden.longitude) == ("Kiezgarten", 48.1, 11.5)
    assert (garden.default_language, garden.join_policy, garden.rules) == (
        "de",
        "approval",
        "Gießen!",
    )


def test_only_given_flags_change(garden):
    _run(name="Nur der Name")
    garden.refresh_from_db()
    assert garden.name == "Nur der Name"
    assert garden.rules == "Be kind."


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timezone": "Europe/Atlantis"}, "time zone"),
        ({"latitude": "95", "longitude": "10"}, "latitude"),
        ({"longitude": "200", "latitude": "10"}, "longitude"),
        ({"latitude": "north"}, "number"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(garden, options, message):
    with pytest.raises(CommandError, match=message):
        _run(**{**FLAGS, **options})
    garden.refresh_from_db()
    assert garden.name == "Testgarten"


def test_unknown_choices_are_refused(garden):
    with pytest.raises(CommandError):
        _run(join_policy="anyone")
    with pytest.raises(CommandError):
        _run(language="fr")


def test_coordinator_flag_appoints_a_coordinator(garden):
    user = make_user("olga")
    _run(coordinator="olga")
    assert Membership.objects.get(user=user).is_coordinator


def test_unknown_coordinator_is_refused(garden):
    with pytest.raises(CommandError, match="No user"):
        _run(name="Changed", coordinator="ghost")
    garden.refresh_from_db()
    assert garden.name == "Testgarten"


def test_questions_in_a_terminal(garden, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter(["Fragegarten", "", "", "", "", "Europe/Zurich", "de", "", "invite"])
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    call_command("setup_garden", stdout=io.StringIO())
    garden.refresh_from_db()
    assert (garden.name, garden.timezone, garden.default_language) == (
        "Fragegarten",
        "Europe/Zurich",
        "de",
    )
    assert garden.join_policy == "invite"
    assert (garden.rules, garden.latitude) == ("Be kind.", 52.5)


def test_flags_are_not_asked_again(garden, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    asked = []
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "")
    call_command("setup_garden", name="Per Flag", stdout=io.StringIO())
    assert not any(prompt.startswith("Name") for prompt in asked)
    assert len(asked) == 8
