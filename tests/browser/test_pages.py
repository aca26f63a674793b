"""Every main page in a real browser: an axe-core scan finds no serious or critical
violation, at phone and desktop width, and a screenshot of each is kept as an artifact."""

import re

import pytest
from django.urls import Resolver404, resolve

from .conftest import axe_violations, log_in, new_page, screenshot

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)

# (artifact name, who is logged in, path). A path given as (page, pattern, example) means:
# open that page and follow its first link whose href matches the pattern ("a plot" from the
# plot list); the example only tells whether this checkout has such pages yet.
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
    ("plot", "member1", ("/plots/", r"^/plots/\d+/$", "/plots/1/")),
    ("plots-waitlist", "member1", "/plots/waitlist/"),
    ("shifts-week", "member1", "/shifts/"),
    ("shift", "member1", ("/shifts/", r"^/shifts/\d+/$", "/shifts/1/")),
    ("tasks", "member1", "/shifts/tasks/"),
    ("harvests", "member1", "/harvests/"),
    ("harvests-mine", "member1", "/harvests/mine/"),
    ("harvest-new", "member1", "/harvests/new/"),
    ("nearby", "member1", "/share/"),
    ("offers-mine", "member1", "/share/mine/"),
    ("offer-new", "member1", "/share/offers/new/"),
    ("tools", "member1", "/share/tools/"),
    ("loans", "member1", "/share/loans/"),
    ("peers", "coordinator", "/federation/peers/"),
    ("followers", "coordinator", "/federation/followers/"),
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
    example = path[2] if isinstance(path, tuple) else path
    try:
        resolve(example.split("?")[0])
    except Resolver404:
        pytest.skip(f"{example} is not served by this checkout (its app has not landed)")
    page = sessions(who, width)
    if isinstance(path, tuple):
        listing, pattern, _example = path
        page.goto(listing)
        hrefs = page.eval_on_selector_all(
            "main a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        path = next((href for href in hrefs if re.match(pattern, href)), None)
        assert path, f"no link matching {pattern} on {listing}"
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    assert not re.search(r"/accounts/login/", page.url) or name == "login", "sent to login"
    page.wait_for_load_state("load")
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, f"{path} at {width}px:\n{describe(violations)}"
