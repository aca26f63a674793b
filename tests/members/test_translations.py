"""The German fragment covers the members app, garden/core and the shared layout."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAGMENT = ROOT / "locale" / "de" / "fragments" / "members.po"
SOURCES = [
    *ROOT.glob("garden/members/**/*.py"),
    *ROOT.glob("garden/core/**/*.py"),
]
TEMPLATES = [
    ROOT / "templates" / "base.html",
    *ROOT.glob("templates/partials/*.html"),
    *ROOT.glob("templates/members/**/*.html"),
    *ROOT.glob("templates/members/**/*.txt"),
    *ROOT.glob("templates/core/*.html"),
]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> dict[str, str]:
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (gettext) is not installed")
    directory = tmp_path_factory.mktemp("po")
    source = directory / "members.po"
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    source.write_text(header + FRAGMENT.read_text())
    compiled = directory / "members.mo"
    subprocess.run(["msgfmt", "-c", "-o", compiled, source], check=True, capture_output=True)
    with compiled.open("rb") as handle:
        return {k: v for k, v in gettext.GNUTranslations(handle)._catalog.items() if k}


def _msgids() -> set[str]:
    found = set()
    for path in TEMPLATES:
        text = path.read_text()
        found |= set(re.findall(r'{% translate "([^"]+)"', text))
        found |= set(re.findall(r"{% translate '([^']+)'", text))
    for path in SOURCES:
        found |= set(re.findall(r'\b_\(\s*"([^"\\]+)"\s*\)', path.read_text()))
    return found


def test_fragment_compiles_and_every_entry_is_translated(catalogue):
    assert len(catalogue) > 150
    assert all(catalogue.values())


def test_every_string_in_our_code_has_a_german_translation(catalogue):
    missing = sorted(_msgids() - set(catalogue))
    assert not missing


def test_placeholders_survive_translation(catalogue):
    for msgid, msgstr in catalogue.items():
        assert sorted(re.findall(r"%\(\w+\)[sd]", msgid)) == sorted(
            re.findall(r"%\(\w+\)[sd]", msgstr)
        ), msgid
