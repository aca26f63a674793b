"""Playwright for Python driving Debian's chromium, headless, against real daphne nodes.

Never a downloaded browser: chromium is launched from CHROMIUM (default /usr/bin/chromium).
Without it the browser tests skip, except under CI=true where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.nodes import Node

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "allmende-demo"
# Generous: two cores are shared with other work, and a live update crosses processes.
TIMEOUT_MS = 30_000


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def browser():
    """Chromium under Playwright, one per test module. Not per session: while Playwright's sync
    API is started, its event loop counts as running in this thread, and Django refuses
    database calls from an "async context" in a test that follows in the same process. Run
    serially that went unseen; under pytest-xdist tests/federation/test_inbox_batch.py, run
    after browser tests on the same worker, failed so. The module's end stops it."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
        if _in_ci():
            pytest.fail(message + "; CI must run the browser tests")
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def demo_node(tmp_path_factory) -> Iterator[Node]:
    """A node (daphne + worker) with the demo garden, every app's demo data, for page scans."""
    node = Node(tmp_path_factory.mktemp("demo"), "Gemeinschaftsgarten Lindenhof")
    try:
        node.setup()
        node.manage("seed_demo")
        # Someone with an account who has not joined yet, for the join page.
        node.shell(
            "from django.contrib.auth.models import User; "
            f"User.objects.create_user('newcomer', 'newcomer@example.org', '{DEMO_PASSWORD}')"
        )
        node.start()
        yield node
    finally:
        node.destroy()


_open_pages: list = []


def new_page(browser, base_url: str, width: int = 1280, height: int = 900):
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": height}, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    _open_pages.append(page)
    return page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails, keep a picture of every page it had open."""
    report = yield
    if report.when == "call" and report.failed and "browser" in item.keywords:
        failures = ROOT / "test-artifacts" / "failures"
        failures.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(_open_pages):
            if page.is_closed():
                continue
            try:
                page.screenshot(path=failures / f"{item.name}-{number}.png", full_page=True)
            except Exception:  # a crashed page must not hide the real failure
                pass
    if report.when == "teardown":
        _open_pages[:] = [page for page in _open_pages if not page.is_closed()]
    return report


def log_in(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main").get_by_role("button", name=re.compile("log in", re.I)).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def wait_live(page) -> None:
    """Wait until the page's live socket is open, so no event can slip past it."""
    page.wait_for_selector("html[data-live=open]", state="attached")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page; return the violations of these impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated by the devtools protocol, so the page's Content-Security-Policy allows it.
        page.evaluate(AXE.read_text())
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary).slice(0, 5),
            }));
        }"""
    )
    return [v for v in results if v["impact"] in impacts]
