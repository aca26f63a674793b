"""The installable app in a real browser: Chromium's own installability check (through the
DevTools protocol), the service worker, an offline reload that shows my shifts "as of" when
they were last seen, and a check-off made offline that is sent on reconnect and applied once
— even when it is sent twice."""

import re

import pytest
from playwright.sync_api import expect

from tests.nodes import Node

from .conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, _open_pages, log_in, new_page, wait_live

pytestmark = pytest.mark.browser

DUE_SHIFT = """
import datetime as dt
from django.contrib.auth.models import User
from django.utils import timezone
from garden.members.models import Garden
from garden.shifts.models import Shift
now = timezone.now()
shift = Shift.objects.create(
    garden=Garden.objects.get_current(), title="Offline watering",
    start=now - dt.timedelta(minutes=30), end=now + dt.timedelta(minutes=30),
    min_volunteers=1, max_volunteers=2, hours=1,
)
shift.signups.create(user=User.objects.get(username="member1"))
print(shift.pk)
"""

CREDITED = """
from garden.shifts.models import HoursEntry, Signup
signup = Signup.objects.get(shift_id={pk}, user__username="member1")
print(bool(signup.done_at), HoursEntry.objects.filter(signup=signup).count())
"""


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    node = Node(tmp_path_factory.mktemp("app"), "Gemeinschaftsgarten Lindenhof")
    try:
        node.setup()
        node.manage("seed_demo")
        node.start()
        yield node
    finally:
        node.destroy()


@pytest.fixture
def app_page(browser, tmp_path, node):
    """A page in a persistent (not incognito) profile: Chromium installs no app from an
    incognito window, and Playwright's ordinary contexts are that."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        base_url=node.url,
        viewport={"width": 390, "height": 800},
        locale="en-GB",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.pages[0] if context.pages else context.new_page()
    _open_pages.append(page)
    yield page
    context.close()


def test_manifest_is_valid_and_chromium_finds_the_app_installable(app_page):
    page = app_page
    log_in(page, "member1")
    page.goto("/")
    page.wait_for_selector("html[data-sw=ready]", state="attached")
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert '"display": "standalone"' in manifest["data"].replace("\n", "")
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    state = page.evaluate(
        "navigator.serviceWorker.getRegistration('/').then(r => r && r.active && r.active.state)"
    )
    assert state == "activated"


def test_offline_reload_shows_my_shifts_as_of_and_a_queued_check_off_is_applied_once(
    app_page, node
):
    pk = int(node.shell(DUE_SHIFT).strip())
    page = app_page
    log_in(page, "member1")
    page.goto("/")
    # The service worker has kept the pages a member needs offline.
    page.wait_for_selector("html[data-kept=true]", state="attached")
    card = page.locator("#card-my-shifts")
    expect(card).to_contain_text("Offline watering")

    node.stop()  # the garden's server is out of reach: a real loss of connection
    try:
        page.reload()
        expect(page.locator(".as-of")).to_be_visible()
        expect(page.locator(".as-of")).to_contain_text(re.compile(r"as of .+ \d\d:\d\d"))
        expect(card).to_contain_text("Offline watering")
        # Marked done without a connection: queued, and the page says so.
        card.locator(f"form[action='/shifts/{pk}/done/'] button").click()
        page.wait_for_selector("html[data-queued='1']", state="attached")
        expect(page.locator("#queue-status")).to_contain_text("Offline watering")
        queued = page.evaluate("localStorage.getItem('allmende-queue')")
    finally:
        node.start()

    # Back online: the queue is sent and the page shows the garden as it is now.
    page.wait_for_selector("html[data-queued='0'][data-served='network']", state="attached")
    expect(page.locator(".messages, [role=status]").first).to_be_attached()
    assert node.shell(CREDITED.format(pk=pk)).split() == ["True", "1"]

    # The same queued action sent again (say its answer was lost): applied once.
    page.evaluate("queue => localStorage.setItem('allmende-queue', queue)", queued)
    page.reload()
    page.wait_for_selector("html[data-queued='0']", state="attached")
    assert node.shell(CREDITED.format(pk=pk)).split() == ["True", "1"]
    expect(page.locator("main")).not_to_contain_text("already marked this shift done")


def test_home_cards_follow_the_garden_live(browser, node):
    member = new_page(browser, node.url, width=390, height=800)
    log_in(member, "member1")
    member.goto("/")
    wait_live(member)
    coordinator = new_page(browser, node.url)
    log_in(coordinator, "coordinator")
    coordinator.goto("/garden/announcements/")
    coordinator.locator("#id_title").fill("Compost delivery on Friday")
    coordinator.locator("#id_body").fill("Please leave the gate open.")
    coordinator.locator("main").get_by_role("button", name="Post announcement").click()
    # The member's open home page shows it without a reload.
    expect(member.locator("#card-announcements")).to_contain_text("Compost delivery on Friday")
    member.context.close()
    coordinator.context.close()
