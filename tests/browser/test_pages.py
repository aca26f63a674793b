"""Every main page in a real browser: an axe-core scan finds no serious or critical
violation, at phone and desktop width, and a screenshot of each is kept as an artifact."""

import re

import pytest

from .conftest import axe_violations, log_in, new_page, screenshot

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)

# (artifact name, who is logged in, path). A path of None is found by following the first
# link matching the pattern on the page named before it ("a plot" from the plot list).
PAGES = [
    ("home-anonymous", None, "/"),
    ("login", None, "/accounts/login/"),
    ("signup", None, "/accounts/signup/"),
    ("join", "newcomer", "/join/"),
    ("home", "member1", "/"),
    ("profile", "member1", "/accounts/profile/"),
    ("notifications", "member1", "/notifications/"),
    ("members", "coordinator", "/members/"),
    ("plots", "member1", "/plots/"),
    ("shifts", "member1", "/shifts/"),
    ("harvests", "member1", "/harvests/"),
    ("share", "member1", "/share/"),
]


@pytest.fixture(scope="module")
def sessions(browser, demo_node):
    """One logged-in page per (person, width), reused across the scans."""
    pages = {}

    def page_for(who, width):
        key = (who, width)
        if key not in pages:
            page = new_page(browser, demo_node.url, width=width)
            if who:
                log_in(page, who)
            pages[key] = page
        return pages[key]

    yield page_for
    for page in pages.values():
        page.context.close()


def describe(violations) -> str:
    return "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_serious_accessibility_violations(sessions, name, who, path, width):
    page = sessions(who, width)
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    assert not re.search(r"/accounts/login/", page.url) or name == "login", "sent to login"
    page.wait_for_load_state("load")
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, f"{path} at {width}px:\n{describe(violations)}"
