"""Pages are built for phones: a viewport meta, no fixed widths, no inline styles or scripts."""

import re
from pathlib import Path

import pytest

from tests.conftest import client_for

ROOT = Path(__file__).resolve().parents[2]

PAGES = {
    None: [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/login/email/",
        "/accounts/password/reset/",
    ],
    "member": [
        "/",
        "/accounts/profile/",
        "/accounts/delete/",
        "/accounts/password/",
        "/notifications/",
    ],
    "coordinator": [
        "/members/",
        "/garden/settings/",
        "/garden/invites/",
        "/garden/announcements/",
        "/garden/status/",
    ],
}


def _pages():
    for who, paths in PAGES.items():
        for path in paths:
            yield pytest.param(who, path, id=f"{who}:{path}")


@pytest.mark.parametrize(("who", "path"), list(_pages()))
def test_pages_render_for_phones(request, garden, who, path):
    user = request.getfixturevalue(who) if who else None
    response = client_for(user).get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert " onclick=" not in html
    assert "<main" in html and "<nav" in html


def test_stylesheets_have_no_fixed_widths_wider_than_a_phone():
    for name in ("allmende.css", "print.css"):
        css = (ROOT / "static" / "css" / name).read_text()
        for match in re.finditer(r"(?<![-\w])(?:min-|max-)?width:\s*(\d+)px", css):
            assert int(match.group(1)) <= 360, f"{name}: {match.group(0)}"
