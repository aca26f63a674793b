"""The cards of a member's home page: what is mine, and what is needed.

Each card is read through its app's own services and models (never a copy of a rule), with
a bounded number of rows and a fixed number of queries, so the page costs the same in a small
garden and a big one. A card with nothing in it is not shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
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
# A shift's sign-ups with their people, in one query for all the shifts of a card.
SIGNUPS = Prefetch("signups", queryset=Signup.objects.select_related("user"))


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


def my_shifts(garden: Garden, user, now: dt.datetime) -> Card:
    """My next shifts, and the ones that are due to be marked done."""
    mine = (
        Shift.objects.filter(
            garden=garden,
            status=Shift.Status.OPEN,
            end__gt=now - CHECK_OFF_GRACE,
            signups__user=user,
            signups__done_at__isnull=True,
        )
        .order_by("start")
        .select_related("required_skill")
        .prefetch_related(SIGNUPS)
    )
    rows, more = _bounded(mine)
    return Card(
        "my-shifts",
        _("My next shifts"),
        reverse("shifts:index"),
        _("All shifts"),
        shifts.shift_views_of(rows, user, now),
        more,
    )


def short_shifts(garden: Garden, user, now: dt.datetime) -> Card:
    """Shifts in the next 48 hours that are short of people and that I am not on."""
    soon = Shift.objects.filter(
        garden=garden,
        status=Shift.Status.OPEN,
        start__gt=now,
        start__lte=now + shifts.URGENT_WINDOW,
    ).order_by("start")
    soon = soon.select_related("required_skill")
    views = [
        view
        for view in shifts.shift_views_of(list(soon.prefetch_related(SIGNUPS)), user, now)
        if view.short and not view.mine
    ]
    return Card(
        "short-shifts",
        _("Help needed in the next 48 hours"),
        reverse("shifts:index"),
        _("All shifts"),
        views[:ROWS],
        len(views) > ROWS,
    )


@dataclass
class PlotRow:
    tenancy: Tenancy
    renewal_due: bool
    fees: list


def my_plots(user, today: dt.date) -> Card:
    """My plots, with a renewal or a fee that is due."""
    policy = plots.get_policy()
    tenancies = list(plots.my_tenancies(user).order_by("plot__label"))
    fees = list(plots.fees_owed(user)) if tenancies else []
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
    # The card shows no helpers: the list's prefetch of them is dropped.
    mine = shifts.tasks_filtered(garden, user, "mine").prefetch_related(None)
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
        .order_by("offer__pickup_until")
    )
    loans, more_loans = _bounded(
        Loan.objects.filter(borrower=user, status__in=IN_PROGRESS_LOANS)
        .select_related("tool")
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
    offers = sharing.nearby().exclude(offered_by=user)
    if since is not None:
        offers = offers.filter(created_at__gt=since)
    rows, more = _bounded(offers)
    return Card(
        "new-offers", _("New offers nearby"), reverse("sharing:index"), _("All offers"), rows, more
    )


def announcements(garden: Garden) -> Card:
    # With the replies from the fediverse under the public ones (one query for all).
    rows = list(
        garden.announcements.select_related("author__profile", "public_post").prefetch_related(
            visible_replies_of("public_post")
        )[:ROWS]
    )
    return Card("announcements", _("Announcements"), "", "", rows)


# What waits for coordinators --------------------------------------------------------------


def pending_claims() -> Card:
    rows, more = _bounded(
        Tenancy.objects.filter(status=Tenancy.Status.PENDING)
        .select_related("plot", "user__profile")
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
        .order_by("joined_at")
    )
    return Card(
        "join-requests", _("Requests to join"), reverse("members"), _("Members"), rows, more
    )


def loan_requests() -> Card:
    rows, more = _bounded(
        Loan.objects.filter(tool__origin_actor="", status=Loan.Status.REQUESTED)
        .select_related("tool", "borrower__profile")
        .order_by("start_date", "pk")
    )
    return Card(
        "loan-requests", _("Loan requests"), reverse("sharing:loans"), _("Loans"), rows, more
    )


def peering_requests() -> Card:
    rows, more = _bounded(Peer.objects.filter(state=Peer.State.PENDING).order_by("created_at"))
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


def remember_visit(user, now: dt.datetime, *, real_visit: bool) -> dt.datetime | None:
    """The time of the visit before this one (None on the first); a real visit moves it on."""
    visit = HomeVisit.objects.filter(user=user).first()
    if visit is None:
        if real_visit:
            HomeVisit.objects.create(user=user, previous_at=None, last_at=now)
        return None
    if real_visit:
        HomeVisit.objects.filter(pk=visit.pk).update(previous_at=visit.last_at, last_at=now)
        return visit.last_at
    return visit.previous_at


def member_cards(garden: Garden, user, *, since: dt.datetime | None, now=None) -> list[Card]:
    now = now or timezone.now()
    today = now.astimezone(garden.tz).date()
    cards = [
        my_shifts(garden, user, now),
        short_shifts(garden, user, now),
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
