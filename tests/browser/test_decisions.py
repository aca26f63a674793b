"""A proposal in a real browser: created, voted on by three members, counted by the worker
at its deadline, shown live on the open page and found among the decision records.
Every page on the way is scanned with axe-core."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_violations, log_in, new_page, screenshot

pytestmark = pytest.mark.browser


def _no_violations(page, name: str) -> None:
    screenshot(page, f"decisions-{name}")
    assert axe_violations(page) == [], name


def _reload_until(page, heading: str, tries: int = 30) -> None:
    for _ in range(tries):
        if page.get_by_role("heading", name=heading).count():
            return
        page.wait_for_timeout(1000)
        page.reload()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()


def test_a_proposal_from_creation_through_votes_to_its_decision_record(browser, demo_node):
    author = new_page(browser, demo_node.url, width=360)
    log_in(author, "member1")
    author.goto("/decisions/new/")
    _no_violations(author, "new")
    author.get_by_label("Title").fill("A rain barrel by the shed")
    author.get_by_label("What is proposed").fill("Collect rain water: https://example.org/barrel")
    author.get_by_label("Simple majority", exact=False).check()
    author.get_by_label("Options, one per line").fill("Blue barrel\nGreen barrel")
    deadline = dt.datetime.now() + dt.timedelta(days=2)
    author.get_by_label("Votes close").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    author.get_by_role("button", name="Open for votes").click()
    author.wait_for_url(re.compile(r"/decisions/\d+/$"))
    proposal_path = author.url.removeprefix(demo_node.url)
    expect(author.get_by_role("heading", name="A rain barrel by the shed")).to_be_visible()
    _no_violations(author, "proposal-open")

    for who, option in (("member2", "Green barrel"), ("member3", "Green barrel")):
        voter = new_page(browser, demo_node.url)
        log_in(voter, who)
        voter.goto(proposal_path)
        voter.get_by_label(option, exact=True).check()
        voter.get_by_role("button", name="Cast vote").click()
        expect(voter.locator("main").get_by_text(f"You chose: {option}")).to_be_visible()
        voter.get_by_label("Your message").fill("Green fits the hedge, @member1")
        voter.get_by_role("button", name="Post message").click()
        expect(
            voter.locator("main").get_by_text("Green fits the hedge, @member1").first
        ).to_be_visible()
        voter.context.close()
    author.reload()
    author.get_by_label("Blue barrel", exact=True).check()
    author.get_by_role("button", name="Cast vote").click()
    # In the page's main content: a live notification (member1 is mentioned, and told of the
    # decision) is also announced in the hidden live-status region, in the same words.
    main = author.locator("main")
    expect(main.get_by_text("You chose: Blue barrel")).to_be_visible()
    expect(main.get_by_text("Green fits the hedge, @member1").first).to_be_visible()

    # The deadline passes and the node's own worker counts. (Its live push reaches the
    # page only through Redis, so without REDIS_URL the page is reloaded until it shows.)
    proposal_id = int(proposal_path.strip("/").split("/")[-1])
    demo_node.shell(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from garden.decisions.models import Proposal\n"
        "from garden.decisions.tasks import close_due_proposals\n"
        f"Proposal.objects.filter(pk={proposal_id}).update("
        "deadline=timezone.now() - timedelta(seconds=1))\n"
        "close_due_proposals.enqueue()\n"
    )
    _reload_until(author, "Decision record")
    expect(main.get_by_text("chosen: Green barrel")).to_be_visible()
    expect(main.get_by_text(re.compile(r"3 of \d+ members voted"))).to_be_visible()
    _no_violations(author, "proposal-decided")

    author.goto("/decisions/records/")
    author.get_by_label("Search decisions").fill("rain barrel")
    author.get_by_role("button", name="Search").click()
    author.get_by_role("link", name="A rain barrel by the shed").click()
    expect(main.get_by_text("chosen: Green barrel")).to_be_visible()
    author.goto("/decisions/records/?q=barrel")
    _no_violations(author, "records")
