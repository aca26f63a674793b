"""The German catalogue is complete: every user-facing string in the code is translated."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"

needs_gettext = pytest.mark.skipif(
    shutil.which("msgattrib") is None, reason="gettext (msgattrib) is not installed"
)


def _entries(po: Path, flag: str) -> list[str]:
    output = subprocess.run(
        ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The header (msgid "" with the Content-Type) is no message.
    return [e.strip() for e in output.split("\n\n") if "msgid" in e and "Content-Type" not in e]


def _missing(po: Path) -> str:
    return "\n\n".join(_entries(po, "--untranslated") + _entries(po, "--only-fuzzy"))


@needs_gettext
def test_the_committed_catalogue_has_no_untranslated_or_fuzzy_entries():
    missing = _missing(CATALOGUE)
    assert missing == "", f"untranslated or fuzzy (run `make messages`):\n{missing}"


@needs_gettext
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    for part in ("garden", "federation", "templates", "locale", "manage.py"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / part)
    env = {**os.environ, "ALLMENDE_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--no-location"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    missing = _missing(tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po")
    assert missing == "", f"not in the German catalogue (run `make messages`):\n{missing}"
