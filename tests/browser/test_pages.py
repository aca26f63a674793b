"""Every main page in a real browser: an axe-core scan finds no serious or critical
violation, at phone and desktop width, and a screenshot of each is kept as an artifact; at
phone, tablet and desktop width nothing overflows sideways."""

import re

import pytest
from django.urls import Resolver404, resolve

from .conftest import axe_violations, log_in, new_page, screenshot

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)
OVERFLOW_WIDTHS = (360, 768, 1280)

# (artifact name, who is logged in, path). A path given as (page, pattern, example) means:
# open that page and follow its first link whose href matches the pattern ("a plot" from the
# plot list); the example only tells whether this checkout has such pages yet.
PAGES = [
    ("home-anonymous", None, "/"),
    ("login", None, "/accounts/login/"),
    ("signup", None, "/accounts/signup/"),
    ("join", "newcomer", "/join/"),
    ("home", "member1", "/"),
    ("home-coordinator", "coordinator", "/"),
    ("reminders", "member1", "/reminders/"),
    ("offline", "member1", "/offline/"),
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
    ("share-map", "member1", "/share/map/"),
    ("offers-mine", "member1", "/share/mine/"),
    ("offer-new", "member1", "/share/offers/new/"),
    ("tools", "member1", "/share/tools/"),
    ("loans", "member1", "/share/loans/"),
    ("peers", "coordinator", "/federation/peers/"),
    ("decisions", "member1", "/decisions/"),
    ("proposal", "member1", ("/decisions/", r"^/decisions/\d+/$", "/decisions/1/")),
    ("decision-records", "member1", "/decisions/records/"),
    ("decisions-settings", "coordinator", "/decisions/settings/"),
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


def open_page(sessions, name, who, path, width):
    """Open one of PAGES as `who` at `width` (skipping pages this checkout does not serve)."""
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
    return page, path


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_serious_accessibility_violations(sessions, name, who, path, width):
    page, path = open_page(sessions, name, who, path, width)
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, f"{path} at {width}px:\n{describe(violations)}"


# What sticks out sideways: the page itself wider than the window, or a box in it whose
# content is cut off or needs scrolling. On a phone a wide table may scroll inside its
# .table-scroll box (that is what the box is for); on a desktop nothing should need to. A
# map is a window onto a larger picture: Leaflet clips its panes on purpose.
OVERFLOW = """(narrow) => {
    const root = document.documentElement;
    const found = [];
    if (root.scrollWidth > root.clientWidth) {
        found.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
    }
    for (const element of document.querySelectorAll("main *")) {
        const style = getComputedStyle(element);
        if (!["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) continue;
        if (element.clientWidth <= 1 || element.closest(".visually-hidden")) continue;
        if (element.closest(".leaflet-container")) continue;
        if (element.scrollWidth <= element.clientWidth + 1) continue;
        if (narrow && element.matches(".table-scroll")) continue;
        const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
            + (element.className ? "." + String(element.className).split(" ").join(".") : "");
        found.push(`${name} holds ${element.scrollWidth}px in ${element.clientWidth}px`);
    }
    return found;
}"""


@pytest.mark.parametrize("width", OVERFLOW_WIDTHS)
@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_page_does_not_overflow_sideways(sessions, name, who, path, width):
    page, path = open_page(sessions, name, who, path, width)
    overflowing = page.evaluate(OVERFLOW, width < 1000)
    assert not overflowing, f"{path} at {width}px:\n" + "\n".join(overflowing)
