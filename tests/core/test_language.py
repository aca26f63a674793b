"""Which language a page is in: profile, else browser, else the garden's default."""

import pytest

from garden.members.models import Profile
from tests.conftest import client_for


@pytest.fixture
def german_garden(garden):
    garden.default_language = "de"
    garden.save()
    return garden


def _lang(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_garden_default_language_when_the_browser_sends_none(client, german_garden):
    assert _lang(client.get("/")) == "de"


def test_garden_default_language_when_the_browser_wants_an_unsupported_one(client, german_garden):
    assert _lang(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})) == "de"


def test_browser_language_wins_over_the_garden(client, german_garden):
    assert _lang(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})) == "en"


def test_profile_language_wins_over_the_browser(german_garden, member):
    Profile.objects.filter(user=member).update(language="en")
    client = client_for(member)
    assert _lang(client.get("/", headers={"Accept-Language": "de"})) == "en"


def test_member_without_profile_language_gets_the_garden_default(german_garden, member):
    assert _lang(client_for(member).get("/")) == "de"


def test_english_garden_default(client, garden):
    assert _lang(client.get("/")) == "en"
