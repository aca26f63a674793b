"""The member home page: the cards a member and a coordinator see, in English and German,
empty cards left out, "new since my last visit", and a query count that does not grow."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federation.models import Delivery, OutboxActivity, Peer
from garden.home import cards
from garden.home.models import HomeVisit
from garden.members.models import Membership, Profile
from garden.plots import services as plots
from garden.plots.models import Fee, Tenancy
from garden.sharing import services as sharing
from garden.sharing.models import Loan
from garden.shifts import services as shifts
from garden.shifts.models import Shift, Task
from tests.conftest import client_for, make_user
from tests.plots.conftest import make_plot

ENGLISH = {"Accept-Language": "en"}
MEMBER_CARDS = [
    "My next shifts",
    "Help needed in the next 48 hours",
    "My plot",
    "My open tasks",
    "My claims and loans",
    "New offers nearby",
]
GERMAN = {"Accept-Language": "de"}


def make_shift(garden, hours_from_now: float, title="Watering", **fields) -> Shift:
    start = timezone.now() + dt.timedelta(hours=hours_from_now)
    fields.setdefault("min_volunteers", 1)
    fields.setdefault("max_volunteers", 2)
    return Shift.objects.create(
        garden=garden, title=title, start=start, end=start + dt.timedelta(hours=1),
        hours=Decimal("1"), **fields,
    )  # fmt: skip


def on_shift(shift: Shift, user) -> None:
    shift.signups.create(user=user)


def offer_values(crop: str) -> dict:
    now = timezone.now()
    return {
        "crop": crop,
        "quantity": Decimal("5"),
        "unit": "kg",
        "pickup_from": now + dt.timedelta(hours=1),
        "pickup_until": now + dt.timedelta(days=1),
        "pickup_place": "Shed",
        "expires_at": now + dt.timedelta(days=2),
        "audience": "garden",
    }


@pytest.fixture
def scene(garden, member, other_member, coordinator):
    """Something for every card: the member's shifts, plot, task, claim and loan; a short
    shift; a new offer; and what waits for a coordinator."""
    due = make_shift(garden, -0.5, title="Morning watering")
    on_shift(due, member)
    on_shift(make_shift(garden, 30, title="Evening watering"), member)
    make_shift(garden, 20, title="Short watering", min_volunteers=2)
    plot = make_plot(label="A1", x=0, y=0, width=10, height=10)
    tenancy = Tenancy.objects.create(
        plot=plot, user=member, status=Tenancy.Status.ACTIVE, started_at=timezone.now()
    )
    Fee.objects.create(tenancy=tenancy, amount=Decimal("25"), currency="EUR")
    task = Task.objects.create(garden=garden, title="Fix the gate", created_by=coordinator)
    task.volunteers.add(member)
    offer = sharing.create_offer(other_member, **offer_values("Zucchini"))
    sharing.claim_offer(member, offer, Decimal("1"))
    tool = sharing.create_tool(coordinator, name="Tiller", description="")
    start = timezone.localdate() + dt.timedelta(days=3)
    sharing.request_loan(member, tool, start_date=start, end_date=start)
    # For the coordinator:
    Tenancy.objects.create(
        plot=make_plot(label="B2", x=20, y=0, width=10, height=10),
        user=other_member,
        status=Tenancy.Status.PENDING,
    )
    make_user("paula", garden, Membership.Role.MEMBER, status=Membership.Status.PENDING)
    peer = Peer.objects.create(
        actor_url="https://nord.example/actor", inbox_url="https://nord.example/inbox",
        name="Garten Nord", state=Peer.State.PENDING,
    )  # fmt: skip
    activity = OutboxActivity.objects.create(
        activity_id="https://here.example/a/1", activity_type="Create", activity={}
    )
    Delivery.objects.create(
        activity=activity, peer=peer, inbox_url=peer.inbox_url, state=Delivery.State.FAILED,
        next_attempt_at=timezone.now(),
    )  # fmt: skip
    sharing.create_offer(other_member, **offer_values("Mangold"))
    return {"due": due, "offer": offer}


def card_titles(response) -> list[str]:
    """The headings of the cards on the page, in order (without their counts)."""
    html = response.content.decode()
    return [title.strip() for title in re.findall(r'id="card-[a-z-]+-heading">([^<]*)', html)]


def test_member_sees_their_cards_in_english(scene, member):
    response = client_for(member).get("/", headers=ENGLISH)
    assert response.status_code == 200
    assert card_titles(response) == MEMBER_CARDS
    html = response.content.decode()
    assert "Morning watering" in html and "Evening watering" in html
    assert "Short watering" in html
    assert "Fee due: 25.00 EUR" in html
    assert "Fix the gate" in html and "Tiller" in html and "Mangold" in html
    # The shift that has started can be marked done with one tap, here.
    assert f'action="/shifts/{scene["due"].pk}/done/"' in html
    assert "Waiting for you" not in html  # no coordinator cards for a member


def test_member_sees_their_cards_in_german(scene, member):
    response = client_for(member).get("/", headers=GERMAN)
    assert card_titles(response) == [
        "Meine nächsten Schichten",
        "Hilfe in den nächsten 48 Stunden gebraucht",
        "Mein Beet",
        "Meine offenen Aufgaben",
        "Meine Reservierungen und Ausleihen",
        "Neue Angebote in der Nähe",
    ]
    assert "Gebühr fällig: 25,00 EUR" in response.content.decode()


def test_coordinator_also_sees_what_waits_for_them(scene, coordinator):
    response = client_for(coordinator).get("/", headers=ENGLISH)
    titles = card_titles(response)
    assert titles[:5] == [
        "Plot claims to decide",
        "Requests to join",
        "Loan requests",
        "Gardens asking to peer",
        "Failed deliveries",
    ]
    assert titles[5:] == ["Help needed in the next 48 hours", "New offers nearby"]  # as a member
    html = response.content.decode()
    assert "Plot B2: Otto" in html and "Paula" in html and "Garten Nord" in html
    assert "1 activity could not be delivered" in html


def test_coordinator_cards_in_german(scene, coordinator):
    titles = card_titles(client_for(coordinator).get("/", headers=GERMAN))
    assert titles[:5] == [
        "Beetanfragen zu entscheiden",
        "Beitrittsanfragen",
        "Ausleihanfragen",
        "Gärten, die sich verbinden wollen",
        "Fehlgeschlagene Zustellungen",
    ]


def test_empty_cards_are_left_out(garden, member):
    response = client_for(member).get("/", headers=ENGLISH)
    assert card_titles(response) == []
    assert "Nothing needs you right now" in response.content.decode()


def test_offers_are_new_until_the_next_visit_and_a_live_refresh_keeps_them(
    garden, member, other_member
):
    client = client_for(member)
    client.get("/")  # the first visit
    sharing.create_offer(other_member, **offer_values("Kohlrabi"))
    assert "Kohlrabi" in client.get("/").content.decode()
    # The open page refreshed live still shows it; the next real visit does not.
    live = client.get("/", headers={"X-Requested-With": "allmende-live"})
    assert "Kohlrabi" in live.content.decode()
    assert "Kohlrabi" not in client.get("/").content.decode()
    assert HomeVisit.objects.get(user=member).previous_at is not None


def test_checking_off_from_home_credits_the_shift_once(scene, member):
    client = client_for(member)
    client.post(f"/shifts/{scene['due'].pk}/done/", {"next": "/"})
    assert scene["due"].signups.get(user=member).done_at is not None
    assert "Morning watering" not in client.get("/").content.decode()


def test_a_visit_answers_the_one_before_and_a_live_refresh_moves_nothing(member):
    first, second = timezone.now(), timezone.now() + dt.timedelta(minutes=5, microseconds=7)
    assert cards.remember_visit(member, first, real_visit=True) is None
    assert cards.remember_visit(member, second, real_visit=True) == first
    assert cards.remember_visit(member, second + dt.timedelta(1), real_visit=False) == first
    visit = HomeVisit.objects.get(user=member)
    assert (visit.previous_at, visit.last_at) == (first, second)


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_garden(scene, garden, member, coordinator):
    member_client, coordinator_client = client_for(member), client_for(coordinator)
    _queries(member_client), _queries(coordinator_client)  # first visits store HomeVisit
    before = (_queries(member_client), _queries(coordinator_client))
    # Six for the session, the person and the visit, one for the layout's unread count, the
    # rest for the cards: two shared by both shift cards, three for the plot card (one for
    # someone without a plot, the coordinator: the policy and fees only for a card with
    # rows), four more, and five for a coordinator.
    assert before == (17, 20)
    # Much more of everything.
    for n in range(8):
        on_shift(make_shift(garden, 40 + n * 3), member)
        make_shift(garden, 2 + n, min_volunteers=2)
        task = Task.objects.create(garden=garden, title=f"Task {n}", created_by=coordinator)
        task.volunteers.add(member)
        person = make_user(f"p{n}", garden, Membership.Role.MEMBER)
        sharing.create_offer(person, **offer_values(f"Crop {n}"))
        make_user(f"q{n}", garden, Membership.Role.MEMBER, status=Membership.Status.PENDING)
        Tenancy.objects.create(
            plot=make_plot(label=f"C{n}", x=30 + n, y=0, width=1, height=1),
            user=person,
            status=Tenancy.Status.PENDING,
        )
    Profile.objects.all().update(language="")
    assert (_queries(member_client), _queries(coordinator_client)) == before


def test_announcements_card_costs_the_same_for_more_public_ones(garden, member, coordinator):
    """The card reads a few columns of each announcement (.only()); none is read per row."""
    from garden.members.models import Announcement
    from garden.posts.models import PublicPost, Reply

    def announce(n: int) -> None:
        announcement = Announcement.objects.create(
            garden=garden, author=coordinator, title=f"News {n}", body="Body", public=True
        )
        post = PublicPost.objects.create(announcement=announcement)
        Reply.objects.create(
            post=post,
            remote_id=f"https://social.example/r/{n}",
            actor_url="https://social.example/ada",
            author_name="Ada",
            content=f"Reply {n}",
        )

    client = client_for(member)
    announce(0)
    _queries(client)  # the first visit stores HomeVisit
    before = _queries(client)
    for n in range(1, 4):
        announce(n)
    assert _queries(client) == before
    html = client.get("/").content.decode()
    assert all(f"News {n}" in html and f"Reply {n}" in html for n in range(4))
    assert html.count("Cora") == 4  # each announcement names its author


def test_non_members_still_get_the_front_door(client, outsider):
    assert "Sign up to join" in client.get("/", headers=ENGLISH).content.decode()
    assert "Join this garden" in client_for(outsider).get("/", headers=ENGLISH).content.decode()


def test_shift_views_of_is_the_same_rule_as_shift_views(scene, member):
    views = shifts.shift_views(Shift.objects.filter(pk=scene["due"].pk), member)
    assert views[0].mine and views[0].started
    assert plots.my_tenancies(member).count() == 1
    assert Loan.objects.filter(borrower=member).count() == 1
