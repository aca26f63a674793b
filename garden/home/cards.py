"""The cards of a member's home page: what is mine, and what is needed.

Each card is read through its app's own services and models (never a copy of a rule), with
a bounded number of rows and a fixed number of queries, so the page costs the same in a small
garden and a big one. A card with nothing in it is not shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from federation.models import Delivery, Peer
from garden.members.models import Garden, Membership
from garden.plots import services as plots
from garden.plots.models import Tenancy
from garden.posts.services import visible_replies_of
from garden.sharing import services as sharing
from garden.sharing.models import Claim, Loan
from garden.shifts import services as shifts
from garden.shifts.models import Shift, Signup

from .models import HomeVisit

ROWS = 5  # a card shows at most this many rows and links on for the rest
# A shift one was on stays on the card this long after it ended, to be marked done.
CHECK_OFF_GRACE = dt.timedelta(hours=12)
FAILED_DELIVERIES_WINDOW = dt.timedelta(days=14)
# A shift's sign-ups with their people, in one query for all the shifts of a card. The cards
# name no volunteer: of the person only the username is read (a sign-up's view lists them),
# which spares compiling and loading the user's other columns.
SIGNUPS = Prefetch(
    "signups",
    queryset=Signup.objects.select_related("user").only(
        "shift_id", "user_id", "created_at", "done_at", "user__username"
    ),
)
# A person's name on a card (Profile.name): the username and the display name, nothing else.
PERSON = ("username", "profile__display_name")


def _person(path: str) -> list[str]:
    return [f"{path}__{field}" for field in PERSON]


@dataclass
class Card:
    key: str
    title: str
    url: str
    link: str
    rows: list = field(default_factory=list)
    more: bool = False  # there are more rows than shown
    count: int | None = None  # for cards that only count

    def __bool__(self) -> bool:
        return bool(self.rows) or bool(self.count)


def _bounded(queryset) -> tuple[list, bool]:
    rows = list(queryset[: ROWS + 1])
    return rows[:ROWS], len(rows) > ROWS


def shift_cards(garden: Garden, user, now: dt.datetime) -> tuple[Card, Card]:
    """My next shifts (and the ones due to be marked done), and the shifts in the next 48
    hours that are short of people and that I am not on: one query for the shifts of both
    cards and one for their sign-ups."""
    my_next = (
        Signup.objects.filter(
            user=user,
            done_at__isnull=True,
            shift__garden=garden,
            shift__status=Shift.Status.OPEN,
            shift__end__gt=now - CHECK_OFF_GRACE,
        )
        .order_by("shift__start")
        .values("shift_id")[: ROWS + 1]
    )
    soon = Q(
        garden=garden,
        status=Shift.Status.OPEN,
        start__gt=now,
        start__lte=now + shifts.URGENT_WINDOW,
    )
    both = (
        Shift.objects.filter(Q(pk__in=my_next) | soon)
        .order_by("start")
        .select_related("required_skill")
        # What the cards and the shift's view read, not the description and the schedule.
        .only(
            "title",
            "start",
            "end",
            "min_volunteers",
            "max_volunteers",
            "status",
            "required_skill__name",
        )
        .prefetch_related(SIGNUPS)
    )
    views = shifts.shift_views_of(list(both), user, now)
    # Told apart by what the query asked for (cheaper than annotating it onto each shift).
    my_views = [
        view
        for view in views
        if view.my_signup is not None
        and view.my_signup.done_at is None
        and view.shift.end > now - CHECK_OFF_GRACE
    ]
    short_views = [view for view in views if view.urgent and not view.mine]
    return (
        Card(
            "my-shifts",
            _("My next shifts"),
            reverse("shifts:index"),
            _("All shifts"),
            my_views[:ROWS],
            len(my_views) > ROWS,
        ),
        Card(
            "short-shifts",
            _("Help needed in the next 48 hours"),
            reverse("shifts:index"),
            _("All shifts"),
            short_views[:ROWS],
            len(short_views) > ROWS,
        ),
    )


@dataclass
class PlotRow:
    tenancy: Tenancy
    renewal_due: bool
    fees: list


def my_plots(user, today: dt.date) -> Card:
    """My plots, with a renewal or a fee that is due. Someone without a plot costs one query:
    the policy and the fees are read only for a card with rows."""
    tenancies = list(
        plots.my_tenancies(user)
        .only("plot__label", "status", "renewed_for")  # the card and needs_renewal()
        .order_by("plot__label")
    )
    if not tenancies:
        return Card("my-plots", _("My plot"), reverse("plots:index"), _("The plot map"))
    policy = plots.get_policy()
    fees = list(plots.fees_owed(user).select_related(None).only("tenancy_id", "amount", "currency"))
    renewal_opens = policy.season_end and policy.season_end - dt.timedelta(
        days=policy.reminder_days
    )
    rows = [
        PlotRow(
            tenancy,
            renewal_due=bool(renewal_opens)
            and today >= renewal_opens
            and plots.needs_renewal(tenancy, policy),
            fees=[fee for fee in fees if fee.tenancy_id == tenancy.pk],
        )
        for tenancy in tenancies
    ]
    return Card("my-plots", _("My plot"), reverse("plots:index"), _("The plot map"), rows)


def my_tasks(garden: Garden, user) -> Card:
    # The card shows no helpers (the list's prefetch of them is dropped) and of a task only
    # its title and due day (nor is the plot joined).
    mine = (
        shifts.tasks_filtered(garden, user, "mine")
        .prefetch_related(None)
        .select_related(None)
        .only("title", "due_date")
    )
    rows, more = _bounded(mine.order_by("due_date", "pk"))
    return Card(
        "my-tasks",
        _("My open tasks"),
        reverse("shifts:tasks") + "?show=mine",
        _("My tasks"),
        rows,
        more,
    )


IN_PROGRESS_CLAIMS = (Claim.Status.PENDING, Claim.Status.CONFIRMED)
IN_PROGRESS_LOANS = (Loan.Status.REQUESTED, Loan.Status.APPROVED, Loan.Status.LENT)


def my_claims_and_loans(user) -> Card:
    claims, more_claims = _bounded(
        Claim.objects.filter(claimant=user, status__in=IN_PROGRESS_CLAIMS)
        .select_related("offer")
        .only("status", "offer__crop", "offer__pickup_until")
        .order_by("offer__pickup_until")
    )
    loans, more_loans = _bounded(
        Loan.objects.filter(borrower=user, status__in=IN_PROGRESS_LOANS)
        .select_related("tool")
        .only("status", "start_date", "end_date", "tool__name")
        .order_by("start_date")
    )
    return Card(
        "my-sharing",
        _("My claims and loans"),
        reverse("sharing:mine"),
        _("My offers and claims"),
        [("claim", claim) for claim in claims] + [("loan", loan) for loan in loans],
        more_claims or more_loans,
    )


def new_offers(user, since: dt.datetime | None) -> Card:
    # The card names no one who offers: the list's join of their profiles is dropped.
    offers = (
        sharing.nearby().select_related(None).only("crop", "origin_name").exclude(offered_by=user)
    )
    if since is not None:
        offers = offers.filter(created_at__gt=since)
    rows, more = _bounded(offers)
    return Card(
        "new-offers", _("New offers nearby"), reverse("sharing:index"), _("All offers"), rows, more
    )


def announcements(garden: Garden) -> Card:
    # With the replies from the fediverse under the public ones (one query for all).
    rows = list(
        garden.announcements.select_related("author__profile", "public_post")
        .only(
            "garden",  # set by the garden's related manager
            "title",
            "body",
            "public",
            "created_at",
            *_person("author"),
            "public_post__id",  # for its replies
        )
        .prefetch_related(visible_replies_of("public_post"))[:ROWS]
    )
    return Card("announcements", _("Announcements"), "", "", rows)


# What waits for coordinators --------------------------------------------------------------


def pending_claims() -> Card:
    rows, more = _bounded(
        Tenancy.objects.filter(status=Tenancy.Status.PENDING)
        .select_related("plot", "user__profile")
        .only("plot__label", *_person("user"))
        .order_by("created_at")
    )
    return Card(
        "pending-claims",
        _("Plot claims to decide"),
        reverse("plots:index"),
        _("The plot map"),
        rows,
        more,
    )


def join_requests(garden: Garden) -> Card:
    rows, more = _bounded(
        Membership.objects.filter(garden=garden, status=Membership.Status.PENDING)
        .select_related("user__profile")
        .only(*_person("user"))
        .order_by("joined_at")
    )
    return Card(
        "join-requests", _("Requests to join"), reverse("members"), _("Members"), rows, more
    )


def loan_requests() -> Card:
    rows, more = _bounded(
        Loan.objects.filter(tool__origin_actor="", status=Loan.Status.REQUESTED)
        .select_related("tool", "borrower__profile")
        .only(
            "tool__name",
            *_person("borrower"),
            "remote_borrower_name",
            "remote_garden_name",
            "start_date",
            "end_date",
        )
        .order_by("start_date", "pk")
    )
    return Card(
        "loan-requests", _("Loan requests"), reverse("sharing:loans"), _("Loans"), rows, more
    )


def peering_requests() -> Card:
    rows, more = _bounded(
        Peer.objects.filter(state=Peer.State.PENDING)
        .only("name", "handle", "actor_url")  # its display_name
        .order_by("created_at")
    )
    return Card(
        "peering-requests",
        _("Gardens asking to peer"),
        reverse("federation:peers"),
        _("Neighbour gardens"),
        rows,
        more,
    )


def failed_deliveries(now: dt.datetime) -> Card:
    count = Delivery.objects.filter(
        state=Delivery.State.FAILED, created_at__gte=now - FAILED_DELIVERIES_WINDOW
    ).count()
    return Card(
        "failed-deliveries",
        _("Failed deliveries"),
        reverse("federation:peers"),
        _("Neighbour gardens"),
        count=count,
    )


# The page ---------------------------------------------------------------------------------


# One statement moves a person's visit on and answers the visit before (SET reads the old
# values, RETURNING the new ones: previous_at is the old last_at). PostgreSQL and SQLite
# (3.35+) both have RETURNING; the ORM's update() cannot return a column.
_MOVE_VISIT_ON = (
    'UPDATE "home_homevisit" SET "previous_at" = "last_at", "last_at" = %s'
    ' WHERE "user_id" = %s RETURNING "previous_at"'
)


def remember_visit(user, now: dt.datetime, *, real_visit: bool) -> dt.datetime | None:
    """The time of the visit before this one (None on the first); a real visit moves it on."""
    if not real_visit:
        visits = HomeVisit.objects.filter(user=user)
        return visits.values_list("previous_at", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_VISIT_ON, [connection.ops.adapt_datetimefield_value(now), user.pk])
        row = cursor.fetchone()
    if row is None:  # the first visit
        HomeVisit.objects.get_or_create(user=user, defaults={"previous_at": None, "last_at": now})
        return None
    return _as_aware(row[0])


def _as_aware(value) -> dt.datetime | None:
    """A datetime read by raw SQL: SQLite gives the stored text, naive and in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def member_cards(garden: Garden, user, *, since: dt.datetime | None, now=None) -> list[Card]:
    now = now or timezone.now()
    today = now.astimezone(garden.tz).date()
    cards = [
        *shift_cards(garden, user, now),
        my_plots(user, today),
        my_tasks(garden, user),
        my_claims_and_loans(user),
        new_offers(user, since),
        announcements(garden),
    ]
    return [card for card in cards if card]


def offline_pages(cards: list[Card]) -> list[str]:
    """The pages the service worker keeps for reading offline: home, this week's shifts and
    roster, and my plots."""
    pages = [reverse("home"), reverse("shifts:index"), reverse("shifts:roster")]
    for card in cards:
        if card.key == "my-plots":
            pages += [reverse("plots:detail", args=[row.tenancy.plot_id]) for row in card.rows]
    return pages


def coordinator_cards(garden: Garden, now=None) -> list[Card]:
    now = now or timezone.now()
    cards = [
        pending_claims(),
        join_requests(garden),
        loan_requests(),
        peering_requests(),
        failed_deliveries(now),
    ]
    return [card for card in cards if card]
