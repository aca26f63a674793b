"""The German fragment covers every string of the sharing app."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAGMENT = ROOT / "locale" / "de" / "fragments" / "sharing.po"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> dict[str, str]:
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt (gettext) is not installed")
    directory = tmp_path_factory.mktemp("po")
    source = directory / "sharing.po"
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    source.write_text(header + FRAGMENT.read_text())
    compiled = directory / "sharing.mo"
    subprocess.run(["msgfmt", "-c", "-o", compiled, source], check=True, capture_output=True)
    with compiled.open("rb") as handle:
        return {k: v for k, v in gettext.GNUTranslations(handle)._catalog.items() if k}


def _msgids() -> set[str]:
    found = set()
    for path in (ROOT / "templates" / "sharing").glob("*.html"):
        text = path.read_text()
        found |= set(re.findall(r'{% translate "([^"]+)"', text))
        found |= set(re.findall(r"{% translate '([^']+)'", text))
        found |= set(re.findall(r"{% blocktranslate[^%]*%}(.*?){% endblocktranslate %}", text))
    for path in (ROOT / "garden" / "sharing").glob("**/*.py"):
        found |= set(re.findall(r'\b_\(\s*"([^"\\]+)"', path.read_text()))
    return {re.sub(r"{{ (\w+) }}", r"%(\1)s", msgid) for msgid in found}


def test_every_string_of_sharing_has_a_german_translation(catalogue):
    assert all(catalogue.values())
    missing = sorted(_msgids() - set(catalogue))
    assert not missing
