"""The rules of plot allocation, for pages, API and commands alike.

Lock order, everywhere: the member's Membership row first, then the Plot row. The
partial unique constraint on Tenancy is the last word should two requests still meet.
"""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from garden.core.errors import RuleError
from garden.core.live import push_garden
from garden.members.models import Membership
from garden.members.notifications import notify
from garden.members.services import coordinators, display_name, get_garden, is_member

from .models import Fee, Plot, PlotEvent, PlotPolicy, Tenancy, WaitlistEntry


class PlotError(RuleError):
    """An allocation the garden's rules do not allow."""


def get_policy() -> PlotPolicy:
    return PlotPolicy.current()


def record(action: str, *, plot=None, subject=None, actor=None, reason: str = "") -> PlotEvent:
    return PlotEvent.objects.create(
        action=action, plot=plot, subject=subject, actor=actor, reason=str(reason)[:500]
    )


def plot_changed(plot: Plot) -> None:
    push_garden("plots", {"id": plot.pk})


def _plot_url(plot: Plot) -> str:
    return reverse("plots:detail", args=[plot.pk])


def _lock_member(user) -> Membership:
    membership = Membership.objects.select_for_update().filter(user=user).first()
    if membership is None or not membership.is_active:
        raise PlotError(_("Only members of this garden may hold plots."), status=403)
    return membership


def _lock_plot(plot_id: int) -> Plot:
    plot = Plot.objects.select_for_update().filter(pk=plot_id).first()
    if plot is None:
        raise PlotError(_("There is no such plot."), status=404)
    return plot


def current_tenancy(plot: Plot) -> Tenancy | None:
    return plot.tenancies.filter(status__in=Tenancy.CURRENT).select_related("user").first()


def holdings_count(user) -> int:
    return Tenancy.objects.filter(user=user, status__in=Tenancy.CURRENT).count()


def _check_limit(user, policy: PlotPolicy) -> None:
    if holdings_count(user) >= policy.plots_per_member:
        raise PlotError(
            _("You already hold as many plots as the garden allows (%(count)d).")
            % {"count": policy.plots_per_member},
            status=409,
        )


def _create_tenancy(plot: Plot, user, status: str, **fields) -> Tenancy:
    try:
        with transaction.atomic():
            return Tenancy.objects.create(plot=plot, user=user, status=status, **fields)
    except IntegrityError:
        raise PlotError(_("Someone else has just taken this plot."), status=409) from None


def _charge(tenancy: Tenancy, policy: PlotPolicy, season_end) -> None:
    if policy.fee > Decimal("0"):
        Fee.objects.get_or_create(
            tenancy=tenancy,
            season_end=season_end,
            defaults={"amount": policy.fee, "currency": policy.currency},
        )


def _activate(tenancy: Tenancy, policy: PlotPolicy) -> None:
    tenancy.status = Tenancy.Status.ACTIVE
    tenancy.started_at = timezone.now()
    tenancy.offer_expires_at = None
    tenancy.save(update_fields=["status", "started_at", "offer_expires_at"])
    Plot.objects.filter(pk=tenancy.plot_id).update(status=Plot.Status.CLAIMED)
    tenancy.plot.status = Plot.Status.CLAIMED
    _charge(tenancy, policy, policy.season_end)
    WaitlistEntry.objects.filter(user=tenancy.user, status__in=WaitlistEntry.OPEN).update(
        status=WaitlistEntry.Status.SERVED, closed_at=timezone.now()
    )


def _set_status(plot: Plot, status: str) -> None:
    plot.status = status
    plot.save(update_fields=["status"])


@transaction.atomic
def claim(user, plot_id: int) -> Tenancy:
    """A member claims a free plot: active at once, or pending where coordinators approve."""
    policy = get_policy()
    _lock_member(user)
    plot = _lock_plot(plot_id)
    if plot.status != Plot.Status.AVAILABLE:
        raise PlotError(_("This plot is not free."), status=409)
    _check_limit(user, policy)
    tenancy = _create_tenancy(plot, user, Tenancy.Status.PENDING)
    tenancy.plot = plot
    record(PlotEvent.Action.CLAIM, plot=plot, subject=user, actor=user)
    if policy.approval_required:
        _set_status(plot, Plot.Status.PENDING)
        for coordinator in coordinators():
            notify(
                coordinator.user,
                "plot_claim_request",
                _("%(name)s claims plot %(plot)s.")
                % {"name": display_name(user), "plot": plot.label},
                url=_plot_url(plot),
            )
    else:
        _activate(tenancy, policy)
    plot_changed(plot)
    return tenancy


@transaction.atomic
def decide_claim(plot_id: int, *, approve: bool, by, reason: str = "") -> Tenancy:
    """A coordinator approves or declines the pending claim on a plot."""
    plot = _lock_plot(plot_id)
    tenancy = plot.tenancies.filter(status=Tenancy.Status.PENDING).first()
    if tenancy is None:
        raise PlotError(_("There is no claim waiting for a decision on this plot."), status=409)
    tenancy.plot = plot
    url = _plot_url(plot)
    if approve:
        _activate(tenancy, get_policy())
        record(PlotEvent.Action.APPROVE, plot=plot, subject=tenancy.user, actor=by, reason=reason)
        notify(
            tenancy.user,
            "plot_claim_approved",
            _("Your claim for plot %(plot)s was approved.") % {"plot": plot.label},
            url=url,
        )
    else:
        _end(tenancy, Tenancy.Status.DECLINED)
        record(PlotEvent.Action.DECLINE, plot=plot, subject=tenancy.user, actor=by, reason=reason)
        message = _("Your claim for plot %(plot)s was declined.") % {"plot": plot.label}
        if reason:
            message += " " + _("Reason: %(reason)s") % {"reason": reason}
        notify(tenancy.user, "plot_claim_declined", message, url=url)
        _free(plot)
    plot_changed(plot)
    return tenancy


def _end(tenancy: Tenancy, status: str) -> None:
    tenancy.status = status
    tenancy.ended_at = timezone.now()
    tenancy.save(update_fields=["status", "ended_at"])


def _free(plot: Plot) -> None:
    """The plot is free again: offer it to the waitlist, or put it back in the pool."""
    _set_status(plot, Plot.Status.AVAILABLE)
    serve_waitlist(plot)


@transaction.atomic
def release(user, plot_id: int, reason: str = "") -> Tenancy:
    """The holder gives a plot back (or withdraws a pending claim)."""
    _lock_member_row_if_any(user)
    plot = _lock_plot(plot_id)
    tenancy = plot.tenancies.filter(
        user=user, status__in=[Tenancy.Status.ACTIVE, Tenancy.Status.PENDING]
    ).first()
    if tenancy is None:
        raise PlotError(_("You do not hold this plot."), status=409)
    _end(tenancy, Tenancy.Status.ENDED)
    record(PlotEvent.Action.RELEASE, plot=plot, subject=user, actor=user, reason=reason)
    _free(plot)
    plot_changed(plot)
    return tenancy


def _lock_member_row_if_any(user) -> None:
    Membership.objects.select_for_update().filter(user=user).first()


@transaction.atomic
def assign(plot_id: int, user, *, by, reason: str = "") -> Tenancy:
    """A coordinator gives a free plot to a member directly."""
    policy = get_policy()
    _lock_member(user)
    plot = _lock_plot(plot_id)
    if plot.status != Plot.Status.AVAILABLE:
        raise PlotError(_("Only a free plot can be assigned."), status=409)
    if holdings_count(user) >= policy.plots_per_member:
        raise PlotError(
            _("%(name)s already holds as many plots as the garden allows.")
            % {"name": display_name(user)},
            status=409,
        )
    tenancy = _create_tenancy(plot, user, Tenancy.Status.PENDING)
    tenancy.plot = plot
    _activate(tenancy, policy)
    record(PlotEvent.Action.ASSIGN, plot=plot, subject=user, actor=by, reason=reason)
    notify(
        user,
        "plot_assigned",
        _("You were given plot %(plot)s.") % {"plot": plot.label},
        url=_plot_url(plot),
    )
    plot_changed(plot)
    return tenancy


@transaction.atomic
def revoke(plot_id: int, *, by, reason: str) -> Tenancy:
    """A coordinator takes a plot back from whoever holds (or was offered) it."""
    if not reason.strip():
        raise PlotError(_("Please give a reason."))
    plot = _lock_plot(plot_id)
    tenancy = current_tenancy(plot)
    if tenancy is None:
        raise PlotError(_("Nobody holds this plot."), status=409)
    _end(tenancy, Tenancy.Status.ENDED)
    WaitlistEntry.objects.filter(user=tenancy.user, status=WaitlistEntry.Status.OFFERED).update(
        status=WaitlistEntry.Status.SKIPPED, closed_at=timezone.now()
    )
    record(PlotEvent.Action.REVOKE, plot=plot, subject=tenancy.user, actor=by, reason=reason)
    notify(
        tenancy.user,
        "plot_revoked",
        _("Plot %(plot)s was taken back by a coordinator. Reason: %(reason)s")
        % {"plot": plot.label, "reason": reason},
        url=_plot_url(plot),
    )
    _free(plot)
    plot_changed(plot)
    return tenancy


@transaction.atomic
def set_out_of_use(plot_id: int, out_of_use: bool, *, by, reason: str = "") -> Plot:
    plot = _lock_plot(plot_id)
    if out_of_use:
        if plot.status != Plot.Status.AVAILABLE:
            raise PlotError(
                _("Someone holds or was offered this plot; take it back first."), status=409
            )
        _set_status(plot, Plot.Status.OUT_OF_USE)
        record(PlotEvent.Action.OUT_OF_USE, plot=plot, actor=by, reason=reason)
    else:
        if plot.status != Plot.Status.OUT_OF_USE:
            raise PlotError(_("This plot is already in use."), status=409)
        record(PlotEvent.Action.BACK_IN_USE, plot=plot, actor=by, reason=reason)
        _free(plot)
    plot_changed(plot)
    return plot


# The waitlist


def open_entries():
    return WaitlistEntry.objects.filter(status__in=WaitlistEntry.OPEN).select_related(
        "user__profile"
    )


def waitlist_position(user) -> int | None:
    entries = list(open_entries().values_list("user_id", flat=True))
    return entries.index(user.pk) + 1 if user.pk in entries else None


@transaction.atomic
def join_waitlist(user) -> WaitlistEntry:
    policy = get_policy()
    _lock_member(user)
    if WaitlistEntry.objects.filter(user=user, status__in=WaitlistEntry.OPEN).exists():
        raise PlotError(_("You are already on the waitlist."), status=409)
    if Plot.objects.filter(status=Plot.Status.AVAILABLE).exists():
        raise PlotError(_("A plot is free: claim it instead of waiting."), status=409)
    _check_limit(user, policy)
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(user=user, joined_at=timezone.now())
    except IntegrityError:
        raise PlotError(_("You are already on the waitlist."), status=409) from None
    record(PlotEvent.Action.WAITLIST_JOIN, subject=user, actor=user)
    push_garden("plots", {"waitlist": True})
    return entry


@transaction.atomic
def leave_waitlist(user) -> None:
    _lock_member_row_if_any(user)
    entry = WaitlistEntry.objects.filter(user=user, status=WaitlistEntry.Status.WAITING).first()
    if entry is None:
        if WaitlistEntry.objects.filter(user=user, status=WaitlistEntry.Status.OFFERED).exists():
            raise PlotError(
                _("You have been offered a plot: accept or refuse the offer."), status=409
            )
        raise PlotError(_("You are not on the waitlist."), status=404)
    entry.status = WaitlistEntry.Status.LEFT
    entry.closed_at = timezone.now()
    entry.save(update_fields=["status", "closed_at"])
    record(PlotEvent.Action.WAITLIST_LEAVE, subject=user, actor=user)
    push_garden("plots", {"waitlist": True})


def serve_waitlist(plot: Plot) -> Tenancy | None:
    """Offer a free (locked) plot to the first in line who may take it; skip the others.

    Offers and skips follow the list alone, so they are recorded as automatic (no actor)."""
    if plot.status != Plot.Status.AVAILABLE:
        return None
    policy = get_policy()
    for entry in WaitlistEntry.objects.select_for_update().filter(
        status=WaitlistEntry.Status.WAITING
    ):
        user = entry.user
        if not is_member(user):
            reason = _("no longer a member")
        elif holdings_count(user) >= policy.plots_per_member:
            reason = _("already holds as many plots as allowed")
        else:
            expires = timezone.now() + datetime.timedelta(days=policy.offer_days)
            tenancy = _create_tenancy(plot, user, Tenancy.Status.OFFERED, offer_expires_at=expires)
            entry.status = WaitlistEntry.Status.OFFERED
            entry.save(update_fields=["status"])
            _set_status(plot, Plot.Status.OFFERED)
            record(PlotEvent.Action.OFFER, plot=plot, subject=user)
            notify(
                user,
                "plot_offered",
                _("Plot %(plot)s is offered to you from the waitlist: accept it by %(deadline)s")
                % {
                    "plot": plot.label,
                    "deadline": date_format(
                        timezone.localtime(expires, get_garden().tz), "SHORT_DATETIME_FORMAT"
                    ),
                },
                url=_plot_url(plot),
            )
            return tenancy
        entry.status = WaitlistEntry.Status.SKIPPED
        entry.closed_at = timezone.now()
        entry.save(update_fields=["status", "closed_at"])
        record(PlotEvent.Action.SKIP, plot=plot, subject=user, reason=reason)
    return None


def _my_offer(user, plot: Plot) -> Tenancy:
    tenancy = plot.tenancies.filter(user=user, status=Tenancy.Status.OFFERED).first()
    if tenancy is None:
        raise PlotError(_("This plot is not offered to you."), status=409)
    return tenancy


@transaction.atomic
def accept_offer(user, plot_id: int) -> Tenancy:
    _lock_member(user)
    plot = _lock_plot(plot_id)
    tenancy = _my_offer(user, plot)
    if tenancy.offer_expires_at and tenancy.offer_expires_at <= timezone.now():
        raise PlotError(_("This offer has expired."), status=409)
    tenancy.plot = plot
    _activate(tenancy, get_policy())
    record(PlotEvent.Action.ACCEPT, plot=plot, subject=user, actor=user)
    plot_changed(plot)
    return tenancy


@transaction.atomic
def refuse_offer(user, plot_id: int) -> Tenancy:
    _lock_member_row_if_any(user)
    plot = _lock_plot(plot_id)
    tenancy = _my_offer(user, plot)
    _pass_on(tenancy, plot, PlotEvent.Action.REFUSE, actor=user, reason="")
    plot_changed(plot)
    return tenancy


def _pass_on(tenancy: Tenancy, plot: Plot, action: str, *, actor, reason: str) -> None:
    _end(tenancy, Tenancy.Status.LAPSED)
    WaitlistEntry.objects.filter(user=tenancy.user, status=WaitlistEntry.Status.OFFERED).update(
        status=WaitlistEntry.Status.SKIPPED, closed_at=timezone.now()
    )
    record(action, plot=plot, subject=tenancy.user, actor=actor, reason=reason)
    _free(plot)


def expire_offers(now: datetime.datetime | None = None) -> int:
    """Pass every offer whose time is up on to the next in line."""
    now = now or timezone.now()
    expired = 0
    due = Tenancy.objects.filter(status=Tenancy.Status.OFFERED, offer_expires_at__lte=now)
    for plot_id in due.values_list("plot_id", flat=True):
        with transaction.atomic():
            plot = _lock_plot(plot_id)
            tenancy = plot.tenancies.filter(
                status=Tenancy.Status.OFFERED, offer_expires_at__lte=now
            ).first()
            if tenancy is None:  # accepted or passed on meanwhile
                continue
            _pass_on(
                tenancy,
                plot,
                PlotEvent.Action.SKIP,
                actor=None,
                reason=_("the offer was not accepted in time"),
            )
            plot_changed(plot)
            expired += 1
    return expired


# Seasons


def next_season_end(season_end: datetime.date) -> datetime.date:
    try:
        return season_end.replace(year=season_end.year + 1)
    except ValueError:  # 29 February
        return season_end.replace(year=season_end.year + 1, day=28)


def needs_renewal(tenancy: Tenancy, policy: PlotPolicy) -> bool:
    return bool(
        policy.season_end
        and tenancy.status == Tenancy.Status.ACTIVE
        and tenancy.renewed_for != policy.season_end
    )


@transaction.atomic
def renew(user, plot_id: int) -> Tenancy:
    policy = PlotPolicy.objects.select_for_update().get(pk=get_policy().pk)
    plot = _lock_plot(plot_id)
    tenancy = plot.tenancies.filter(user=user, status=Tenancy.Status.ACTIVE).first()
    if tenancy is None:
        raise PlotError(_("You do not hold this plot."), status=409)
    if not policy.season_end:
        raise PlotError(_("This garden has no seasons to renew for."), status=409)
    if tenancy.renewed_for == policy.season_end:
        raise PlotError(_("You have already renewed this plot."), status=409)
    tenancy.renewed_for = policy.season_end
    tenancy.save(update_fields=["renewed_for"])
    _charge(tenancy, policy, next_season_end(policy.season_end))
    record(PlotEvent.Action.RENEW, plot=plot, subject=user, actor=user)
    plot_changed(plot)
    return tenancy


def send_renewal_reminders(today: datetime.date) -> int:
    policy = get_policy()
    if not policy.season_end:
        return 0
    if today < policy.season_end - datetime.timedelta(days=policy.reminder_days):
        return 0
    sent = 0
    for tenancy in Tenancy.objects.filter(status=Tenancy.Status.ACTIVE).select_related("plot"):
        if not needs_renewal(tenancy, policy) or tenancy.reminded_for == policy.season_end:
            continue
        with transaction.atomic():
            updated = (
                Tenancy.objects.filter(pk=tenancy.pk)
                .exclude(reminded_for=policy.season_end)
                .update(reminded_for=policy.season_end)
            )
            if not updated:
                continue
            notify(
                tenancy.user,
                "plot_renewal_reminder",
                _("The season ends on %(date)s. Renew plot %(plot)s or release it.")
                % {
                    "date": date_format(policy.season_end, "SHORT_DATE_FORMAT"),
                    "plot": tenancy.plot.label,
                },
                url=_plot_url(tenancy.plot),
            )
            sent += 1
    return sent


def close_season(today: datetime.date) -> int:
    """After the season end: unrenewed plots go back to the pool, the waitlist is served."""
    returned = 0
    with transaction.atomic():
        policy = PlotPolicy.objects.select_for_update().get(pk=get_policy().pk)
        if not policy.season_end or today <= policy.season_end:
            return 0
        season_end = policy.season_end
        for tenancy in Tenancy.objects.filter(status=Tenancy.Status.ACTIVE).exclude(
            renewed_for=season_end
        ):
            plot = _lock_plot(tenancy.plot_id)
            _end(tenancy, Tenancy.Status.ENDED)
            record(
                PlotEvent.Action.SEASON_END,
                plot=plot,
                subject=tenancy.user,
                reason=_("not renewed by %(date)s")
                % {"date": date_format(season_end, "SHORT_DATE_FORMAT")},
            )
            _free(plot)
            plot_changed(plot)
            returned += 1
        while policy.season_end < today:
            policy.season_end = next_season_end(policy.season_end)
        policy.save(update_fields=["season_end"])
    return returned


def tick(now: datetime.datetime | None = None) -> dict:
    """The periodic check: expired offers, renewal reminders, the season end."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return {
        "expired_offers": expire_offers(now),
        "reminders": send_renewal_reminders(today),
        "returned_plots": close_season(today),
    }


# Fees


def unpaid_fees():
    return Fee.objects.filter(paid_at__isnull=True).select_related("tenancy__plot", "tenancy__user")


@transaction.atomic
def mark_fee_paid(fee_id: int, method: str, *, by) -> Fee:
    if method not in Fee.Method.values:
        raise PlotError(_("Choose how the fee was paid."))
    fee = Fee.objects.select_for_update().select_related("tenancy__plot").filter(pk=fee_id).first()
    if fee is None:
        raise PlotError(_("There is no such fee."), status=404)
    if fee.paid_at:
        raise PlotError(_("This fee is already marked paid."), status=409)
    fee.paid_at = timezone.now()
    fee.method = method
    fee.marked_by = by
    fee.save(update_fields=["paid_at", "method", "marked_by"])
    record(
        PlotEvent.Action.FEE_PAID,
        plot=fee.tenancy.plot,
        subject=fee.tenancy.user,
        actor=by,
        reason=fee.get_method_display(),
    )
    return fee


def fees_owed(user):
    return Fee.objects.filter(tenancy__user=user, paid_at__isnull=True).select_related(
        "tenancy__plot"
    )


def my_tenancies(user):
    return Tenancy.objects.filter(user=user, status__in=Tenancy.CURRENT).select_related("plot")


def export(user) -> dict:
    """What the plots app holds about one person (GDPR download)."""
    tenancies = Tenancy.objects.filter(user=user).select_related("plot")
    return {
        "tenancies": [
            {
                "plot": t.plot.label,
                "status": t.status,
                "created_at": t.created_at.isoformat(),
                "started_at": t.started_at and t.started_at.isoformat(),
                "ended_at": t.ended_at and t.ended_at.isoformat(),
                "renewed_for": t.renewed_for and t.renewed_for.isoformat(),
            }
            for t in tenancies
        ],
        "waitlist": [
            {
                "joined_at": e.joined_at.isoformat(),
                "status": e.status,
                "closed_at": e.closed_at and e.closed_at.isoformat(),
            }
            for e in WaitlistEntry.objects.filter(user=user)
        ],
        "fees": [
            {
                "plot": f.tenancy.plot.label,
                "season_end": f.season_end and f.season_end.isoformat(),
                "amount": str(f.amount),
                "currency": f.currency,
                "paid_at": f.paid_at and f.paid_at.isoformat(),
                "method": f.method,
            }
            for f in Fee.objects.filter(tenancy__user=user).select_related("tenancy__plot")
        ],
        "events": [
            {"plot": e.plot and e.plot.label, "action": e.action, "at": e.created_at.isoformat()}
            for e in PlotEvent.objects.filter(Q(subject=user)).select_related("plot")
        ],
    }


@transaction.atomic
def membership_ended(user) -> int:
    """Someone left the garden (or deleted their account): their plots go back to the pool."""
    WaitlistEntry.objects.filter(user=user, status__in=WaitlistEntry.OPEN).update(
        status=WaitlistEntry.Status.LEFT, closed_at=timezone.now()
    )
    returned = 0
    for plot_id in my_tenancies(user).values_list("plot_id", flat=True):
        plot = _lock_plot(plot_id)
        tenancy = plot.tenancies.filter(user=user, status__in=Tenancy.CURRENT).first()
        if tenancy is None:
            continue
        _end(tenancy, Tenancy.Status.ENDED)
        record(PlotEvent.Action.RELEASE, plot=plot, subject=user, reason=_("membership ended"))
        _free(plot)
        plot_changed(plot)
        returned += 1
    return returned
