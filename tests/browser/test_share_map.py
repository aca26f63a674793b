"""The sharing map in a real browser, at phone width: Leaflet from our own static files draws
our garden and the offers on a plain background (no tile server in tests) with a scale bar,
the list beside it says the same, and nothing is loaded from another server."""

import pytest

from .conftest import log_in, new_page, screenshot

pytestmark = pytest.mark.browser


def test_the_map_works_on_a_phone_without_tiles(browser, demo_node):
    page = new_page(browser, demo_node.url, width=360, height=740)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, "member1")
    page.goto("/share/map/")
    page.wait_for_selector("#share-map .leaflet-control-scale")
    markers = page.locator("#share-map path.leaflet-interactive")
    assert page.locator("#share-map path.marker-here").count() == 1
    offers = page.locator(".share-map-list li a[href^='/share/offers/']").count()
    assert offers >= 1 and page.locator("#share-map path.marker-offer").count() == offers
    assert markers.count() == 1 + offers
    assert page.locator("#share-map").evaluate("e => e.classList.contains('share-map-plain')")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#share-map path.marker-offer").first.click()
    assert page.locator(".leaflet-popup-content").inner_text().strip()
    assert all(url.startswith(demo_node.url) for url in requests), requests
    screenshot(page, "share-map-no-tiles")  # not test_pages.py's "share-map" (same width)
    page.context.close()
