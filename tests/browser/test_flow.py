"""The newcomer's journey in real browsers, across two federated nodes.

On garden A a newcomer signs up, joins, claims a free plot on the map, signs up for a
watering shift, logs a harvest and offers the surplus. In a second browser a gardener of the
neighbour garden B watches the nearby feed: the offer appears without a reload; she claims
some, and the newcomer's offer page shows the claim without a reload.
"""

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from tests.nodes import Node, peer

from .conftest import DEMO_PASSWORD, log_in, new_page, screenshot, wait_live


def _sharing_landed() -> bool:
    try:
        resolve("/share/offers/new/")
    except Resolver404:
        return False
    return True


pytestmark = [
    pytest.mark.browser,
    pytest.mark.nodes,
    pytest.mark.skipif(not _sharing_landed(), reason="sharing has not landed in this checkout"),
]

SHIFT_START = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
SETUP_A = """
import datetime as dt
from decimal import Decimal
from garden.members.models import Garden
from garden.plots.models import Plot, PlotPolicy
from garden.shifts.models import Shift
garden = Garden.objects.get_current()
garden.join_policy = Garden.JoinPolicy.OPEN
garden.rules = "Be kind. Share water."
garden.timezone = "UTC"  # the shift's week below is reckoned in UTC, like the test
garden.save()
policy = PlotPolicy.current()
policy.approval_required = False
policy.save()
for n in range(3):
    Plot.objects.create(
        label=f"A{n + 1}", area_m2=Decimal("20"), x=1 + n * 6, y=1, width=5, height=5
    )
start = dt.datetime.fromisoformat("SHIFT_START")
Shift.objects.create(garden=garden, title="Evening watering", start=start,
                     end=start + dt.timedelta(hours=1), min_volunteers=1, max_volunteers=2)
"""


SETUP_B = f"""
from django.contrib.auth.models import User
from garden.members.models import Garden, Membership
bea = User.objects.create_user("bea", "bea@example.org", {DEMO_PASSWORD!r})
bea.profile.display_name = "Bea"
bea.profile.save()
Membership.objects.create(user=bea, garden=Garden.objects.get_current(), status="active")
"""


@pytest.fixture(scope="module")
def gardens(tmp_path_factory):
    root = tmp_path_factory.mktemp("flow")
    a = Node(root / "a", "Garten A", latitude=52.500, longitude=13.400)
    b = Node(root / "b", "Garten B", latitude=52.510, longitude=13.410)

    def boot(node: Node, data: str) -> None:
        node.setup()
        node.shell(data)
        node.start()

    try:
        # Both nodes migrate, fill and start side by side: it halves the wait.
        with ThreadPoolExecutor(2) as pool:
            list(
                pool.map(
                    boot, (a, b), (SETUP_A.replace("SHIFT_START", SHIFT_START.isoformat()), SETUP_B)
                )
            )
        peer(a, b)
        yield a, b
    finally:
        for node in (a, b):
            node.destroy()


def still_same_document(page) -> bool:
    return page.evaluate("window.flowMarker === true")


def test_newcomer_journey_and_neighbour_sees_the_offer_live(browser, gardens):
    a, b = gardens
    newcomer = new_page(browser, a.url, width=360, height=780)

    # Sign up and join.
    newcomer.goto("/accounts/signup/")
    newcomer.locator("#id_username").fill("nele")
    newcomer.locator("#id_email").fill("nele@example.org")
    newcomer.locator("#id_display_name").fill("Nele")
    newcomer.locator("#id_password1").fill("Gurken-und-Bohnen-7")
    newcomer.locator("#id_password2").fill("Gurken-und-Bohnen-7")
    newcomer.get_by_role("button", name="Create account").click()
    newcomer.wait_for_url(re.compile(r"/join/"))
    newcomer.get_by_label("I accept the garden rules").check()
    newcomer.locator("main").get_by_role("button", name="Join").click()
    newcomer.wait_for_url(lambda url: "/join/" not in url)

    # Claim a free plot on the map.
    newcomer.goto("/plots/")
    newcomer.locator("svg.garden-map a:has(rect.available)").first.click()
    newcomer.wait_for_url(re.compile(r"/plots/\d+/$"))
    newcomer.get_by_role("button", name="Claim this plot").click()
    newcomer.goto("/plots/")
    newcomer.locator("#mine-heading").wait_for()
    assert newcomer.locator("svg.garden-map rect.mine").count() == 1
    screenshot(newcomer, "flow-plot-claimed")

    # Sign up for the watering shift.
    newcomer.goto(f"/shifts/?week={SHIFT_START.date().isoformat()}")
    newcomer.get_by_role("button", name=re.compile(r"^Sign up Evening watering")).click()
    newcomer.get_by_role("button", name=re.compile(r"^Withdraw Evening watering")).wait_for()

    # Log a harvest.
    newcomer.goto("/harvests/new/")
    newcomer.locator("#id_new_crop").fill("Zucchini")
    newcomer.locator("#id_quantity").fill("3")
    newcomer.locator("#id_date").fill(dt.date.today().isoformat())
    newcomer.locator("main").get_by_role("button", name="Save").click()
    newcomer.wait_for_url(lambda url: "/harvests/new/" not in url)
    newcomer.goto("/harvests/mine/")
    newcomer.locator("main").get_by_text("Zucchini").first.wait_for()

    # Bea, in the neighbour garden, has the nearby feed open.
    neighbour = new_page(browser, b.url, width=1280)
    log_in(neighbour, "bea")
    neighbour.goto("/share/")
    wait_live(neighbour)
    assert neighbour.locator("main").get_by_text("Zucchini").count() == 0
    neighbour.evaluate("window.flowMarker = true")

    # Offer the surplus to neighbour gardens too.
    newcomer.goto("/share/offers/new/")
    newcomer.locator("#id_crop").fill("Zucchini")
    newcomer.locator("#id_quantity").fill("2")
    newcomer.locator("input[name=audience][value=neighbours]").check()
    newcomer.locator("main").get_by_role("button", name="Offer it").click()
    newcomer.wait_for_url(re.compile(r"/share/offers/\d+/$"))
    wait_live(newcomer)
    newcomer.evaluate("window.flowMarker = true")
    screenshot(newcomer, "flow-offer")

    # It appears in Bea's feed without a reload; she claims one kilo.
    offer_card = neighbour.locator("[data-live-region=sharing-nearby]").get_by_text("Zucchini")
    offer_card.first.wait_for()
    assert still_same_document(neighbour), "the feed was reloaded instead of updated live"
    neighbour.locator("[data-live-region=sharing-nearby] a", has_text="Zucchini").first.click()
    neighbour.wait_for_url(re.compile(r"/share/offers/\d+/$"))
    neighbour.get_by_label("How much?").fill("1")
    neighbour.locator("main").get_by_role("button", name="Claim").click()
    screenshot(neighbour, "flow-neighbour-claimed")

    # The newcomer's offer page shows the claim without a reload.
    claims = newcomer.locator("[data-live-region^=sharing-offer-]")
    claims.get_by_text("Bea").wait_for()
    claims.get_by_text("Garten B").first.wait_for()
    assert still_same_document(newcomer), "the offer page was reloaded instead of updated live"
    # The claim is also a notification: the badge counts it without a reload.
    expect(newcomer.locator('[data-live="unread-number"]').first).to_have_text("1")
    screenshot(newcomer, "flow-claim-seen")
