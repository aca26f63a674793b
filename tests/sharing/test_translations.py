"""The German fragments cover every string of the sharing app (sharing.po, and the fragments
later changes to sharing brought along)."""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAGMENTS = ROOT / "locale" / "de" / "fragments"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> dict[str, str]:
    if shutil.which("msgfmt") is None or shutil.which("msgcat") is None:
        pytest.skip("msgfmt and msgcat (gettext) are not installed")
    directory = tmp_path_factory.mktemp("po")
    header = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
    )
    parts = []
    for fragment in sorted(FRAGMENTS.glob("*.po")):
        part = directory / fragment.name
        text = fragment.read_text()
        has_header = re.search(r'^msgid ""\nmsgstr', text, re.MULTILINE)
        part.write_text(text if has_header else header + text)
        parts.append(part)
    source = directory / "all.po"
    subprocess.run(["msgcat", "--use-first", "-o", source, *parts], check=True, capture_output=True)
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
