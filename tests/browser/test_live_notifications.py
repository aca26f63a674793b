"""In a real browser: notifications arrive live (badge, list, announcement), reading them in
one tab updates the others, focus stays put, and without JavaScript everything still works."""

import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.live.servers import log_in as http_log_in
from tests.live.servers import post_form

from .conftest import DEMO_PASSWORD, log_in, new_page, wait_live

pytestmark = pytest.mark.browser

LIST = "[data-live-region=notifications]"
WELCOME = "Welcome! Your membership was approved."
_applicants = itertools.count(1)


@pytest.fixture
def applicant(demo_node):
    """Someone whose request to join waits for a coordinator; returns (username, membership id)."""
    username = f"applicant{next(_applicants)}"
    membership_id = demo_node.shell(
        "from django.contrib.auth.models import User\n"
        "from garden.members.models import Garden, Membership\n"
        f"user = User.objects.create_user('{username}', '', '{DEMO_PASSWORD}')\n"
        "print(Membership.objects.create(user=user, garden=Garden.objects.get_current(),"
        " role='member', status='pending').pk)\n"
    )
    return username, int(membership_id.strip())


def approve(demo_node, membership_id: int) -> None:
    coordinator = http_log_in(demo_node.url, "coordinator", DEMO_PASSWORD)
    response = post_form(coordinator, f"/members/{membership_id}/", {"action": "approve"})
    assert response.status_code == 302


def test_notification_appears_live_and_reading_it_updates_other_tabs(browser, demo_node, applicant):
    username, membership_id = applicant
    page = new_page(browser, demo_node.url, width=360)
    log_in(page, username)
    page.goto("/notifications/")
    wait_live(page)
    badge = page.locator('[data-live="unread-count"]')
    assert badge.is_hidden()
    # A second tab of the same person, on another page.
    other_tab = page.context.new_page()
    other_tab.goto("/")
    wait_live(other_tab)
    page.locator("#main").focus()

    approve(demo_node, membership_id)

    page.locator(LIST).get_by_role("link", name=WELCOME).wait_for()
    assert page.locator('[data-live="unread-number"]').first.text_content() == "1"
    expect(other_tab.locator('[data-live="unread-number"]').first).to_have_text("1")
    expect(page.locator("#live-status")).to_contain_text(f"New notification: {WELCOME}")
    assert page.evaluate("document.activeElement.id") == "main"

    # Marking it read in this tab (a plain form post) updates the other tab's badge.
    # A refresh still under way could replace the button between focusing and pressing.
    page.wait_for_selector("html:not([data-live-fetching])", state="attached")
    mark = page.get_by_role("button", name=re.compile("Mark as read"))
    mark.focus()
    # Wait for the post itself: the URL matches before and after, so waiting for it would not.
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.keyboard.press("Enter")
    assert posted.value.status == 302, posted.value.status
    page.wait_for_load_state()
    expect(page.locator("#unread-summary")).to_have_text("0 unread")
    expect(other_tab.locator('[data-live="unread-count"]').first).to_be_hidden()
    page.context.close()


def test_live_region_keeps_focus_inside_when_it_is_swapped(browser, demo_node, applicant):
    username, membership_id = applicant
    page = new_page(browser, demo_node.url)
    log_in(page, username)
    page.goto("/notifications/")
    wait_live(page)
    # Put focus inside the region that is about to be replaced.
    page.evaluate(
        "() => { const r = document.querySelector('[data-live-region=notifications]');"
        " r.setAttribute('tabindex', '-1'); r.focus(); }"
    )
    approve(demo_node, membership_id)
    page.locator(LIST).get_by_role("link", name=WELCOME).wait_for()
    assert page.evaluate(
        "document.activeElement.closest('[data-live-region=notifications]') !== null"
    )
    page.context.close()


def test_notifications_work_without_javascript(browser, demo_node, applicant):
    username, membership_id = applicant
    approve(demo_node, membership_id)
    context = browser.new_context(base_url=demo_node.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, username)
    page.goto("/notifications/")
    assert page.locator('[data-live="unread-number"]').first.text_content() == "1"
    page.get_by_role("button", name="Mark all as read").click()
    page.locator("#unread-summary", has_text="0 unread").wait_for()
    assert page.locator('[data-live="unread-count"]').is_hidden()
    context.close()


def test_a_region_someone_is_typing_in_waits_until_they_leave_it(browser, demo_node, applicant):
    username, membership_id = applicant
    page = new_page(browser, demo_node.url)
    log_in(page, username)
    page.goto("/notifications/")
    wait_live(page)
    # Stand-in for a form inside a live region: a text field in the notification list.
    page.evaluate(
        "() => { const input = document.createElement('input');"
        " input.id = 'draft'; input.setAttribute('aria-label', 'Draft');"
        " document.querySelector('[data-live-region=notifications]').append(input); }"
    )
    page.locator("#draft").fill("half a sentence")

    approve(demo_node, membership_id)
    # The badge follows at once; the list waits while the field holds unsent typing.
    expect(page.locator('[data-live="unread-number"]').first).to_have_text("1")
    page.wait_for_selector("html[data-live-fetches='1']", state="attached")
    assert page.locator("#draft").input_value() == "half a sentence"
    assert page.locator(LIST).get_by_role("link", name=WELCOME).count() == 0

    page.locator("#draft").fill("")
    page.locator("#main").focus()
    page.locator(LIST).get_by_role("link", name=WELCOME).wait_for()
    page.context.close()
