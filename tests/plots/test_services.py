import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from garden.core.errors import RuleError
from garden.members.exports import export_user_data
from garden.plots import services
from garden.plots.models import Fee, Plot, PlotEvent, Tenancy, WaitlistEntry

from .conftest import make_plot


def refresh(plot: Plot) -> Plot:
    plot.refresh_from_db()
    return plot


def actions(plot=None) -> list[str]:
    events = PlotEvent.objects.order_by("created_at", "pk")
    if plot is not None:
        events = events.filter(plot=plot)
    return list(events.values_list("action", flat=True))


def test_claiming_a_free_plot_makes_it_mine_at_once(member, plot):
    tenancy = services.claim(member, plot.pk)
    assert tenancy.status == Tenancy.Status.ACTIVE
    assert refresh(plot).status == Plot.Status.CLAIMED
    assert actions(plot) == ["claim"]


def test_claim_waits_for_approval_when_the_policy_says_so(member, coordinator, plot, policy):
    policy.approval_required = True
    policy.save()
    tenancy = services.claim(member, plot.pk)
    assert tenancy.status == Tenancy.Status.PENDING
    assert refresh(plot).status == Plot.Status.PENDING
    assert coordinator.notifications.filter(kind="plot_claim_request").exists()


def test_approving_a_claim_tells_the_member(member, coordinator, plot, policy):
    policy.approval_required = True
    policy.save()
    services.claim(member, plot.pk)
    services.decide_claim(plot.pk, approve=True, by=coordinator, reason="welcome")
    assert refresh(plot).status == Plot.Status.CLAIMED
    assert member.notifications.filter(kind="plot_claim_approved").exists()
    event = PlotEvent.objects.get(action="approve")
    assert (event.actor, event.subject, event.reason) == (coordinator, member, "welcome")


def test_declining_a_claim_frees_the_plot_and_says_why(member, coordinator, plot, policy):
    policy.approval_required = True
    policy.save()
    services.claim(member, plot.pk)
    services.decide_claim(plot.pk, approve=False, by=coordinator, reason="new members first")
    assert refresh(plot).status == Plot.Status.AVAILABLE
    note = member.notifications.get(kind="plot_claim_declined")
    assert "new members first" in note.message


def test_deciding_twice_is_a_conflict(member, coordinator, plot, policy):
    policy.approval_required = True
    policy.save()
    services.claim(member, plot.pk)
    services.decide_claim(plot.pk, approve=True, by=coordinator)
    with pytest.raises(RuleError) as error:
        services.decide_claim(plot.pk, approve=False, by=coordinator)
    assert error.value.status == 409


def test_a_taken_plot_cannot_be_claimed(member, other_member, plot):
    services.claim(member, plot.pk)
    with pytest.raises(RuleError) as error:
        services.claim(other_member, plot.pk)
    assert error.value.status == 409
    assert Tenancy.objects.filter(plot=plot).count() == 1


def test_the_plots_per_member_limit_holds(member, plot, second_plot, policy):
    services.claim(member, plot.pk)
    with pytest.raises(RuleError) as error:
        services.claim(member, second_plot.pk)
    assert error.value.status == 409
    policy.plots_per_member = 2
    policy.save()
    services.claim(member, second_plot.pk)
    assert services.holdings_count(member) == 2


def test_outsiders_cannot_claim(outsider, plot):
    with pytest.raises(RuleError) as error:
        services.claim(outsider, plot.pk)
    assert error.value.status == 403
    assert refresh(plot).status == Plot.Status.AVAILABLE


def test_unknown_plot_is_404(member, garden):
    with pytest.raises(RuleError) as error:
        services.claim(member, 999)
    assert error.value.status == 404


def test_the_database_refuses_a_second_current_tenancy(member, other_member, plot):
    services.claim(member, plot.pk)
    with pytest.raises(IntegrityError):
        Tenancy.objects.create(plot=plot, user=other_member, status=Tenancy.Status.PENDING)


def test_release_returns_the_plot_to_the_pool(member, plot):
    services.claim(member, plot.pk)
    services.release(member, plot.pk, "moving away")
    assert refresh(plot).status == Plot.Status.AVAILABLE
    assert Tenancy.objects.get().status == Tenancy.Status.ENDED
    assert actions(plot) == ["claim", "release"]


def test_only_the_holder_can_release(member, other_member, plot):
    services.claim(member, plot.pk)
    with pytest.raises(RuleError):
        services.release(other_member, plot.pk)
    assert refresh(plot).status == Plot.Status.CLAIMED


def test_joining_the_waitlist_needs_every_plot_taken(member, plot):
    with pytest.raises(RuleError) as error:
        services.join_waitlist(member)
    assert error.value.status == 409
    assert not WaitlistEntry.objects.exists()


def test_waitlist_is_first_come_first_served(member, other_member, coordinator, plot):
    services.claim(coordinator, plot.pk)
    services.join_waitlist(member)
    services.join_waitlist(other_member)
    assert services.waitlist_position(member) == 1
    assert services.waitlist_position(other_member) == 2
    with pytest.raises(RuleError):
        services.join_waitlist(member)

    services.release(coordinator, plot.pk)
    assert refresh(plot).status == Plot.Status.OFFERED
    offer = Tenancy.objects.get(status=Tenancy.Status.OFFERED)
    assert offer.user == member
    note = member.notifications.get(kind="plot_offered")
    assert "A1" in note.message
    assert PlotEvent.objects.get(action="offer").actor is None  # the list decides, nobody else
    assert services.waitlist_position(other_member) == 2  # the offered entry keeps its place


def test_accepting_an_offer_gives_the_plot(member, coordinator, plot):
    services.claim(coordinator, plot.pk)
    services.join_waitlist(member)
    services.release(coordinator, plot.pk)
    services.accept_offer(member, plot.pk)
    assert refresh(plot).status == Plot.Status.CLAIMED
    assert WaitlistEntry.objects.get(user=member).status == WaitlistEntry.Status.SERVED
    assert services.waitlist_position(member) is None


def test_refusing_passes_the_offer_on(member, other_member, coordinator, plot):
    services.claim(coordinator, plot.pk)
    services.join_waitlist(member)
    services.join_waitlist(other_member)
    services.release(coordinator, plot.pk)
    services.refuse_offer(member, plot.pk)
    offer = Tenancy.objects.get(status=Tenancy.Status.OFFERED)
    assert offer.user == other_member
    assert "refuse" in actions(plot)


def test_an_unanswered_offer_expires_and_passes_on(member, other_member, coordinator, plot):
    services.claim(coordinator, plot.pk)
    services.join_waitlist(member)
    services.join_waitlist(other_member)
    services.release(coordinator, plot.pk)
    assert services.expire_offers() == 0
    later = timezone.now() + datetime.timedelta(days=8)
    assert services.expire_offers(later) == 1
    offer = Tenancy.objects.get(status=Tenancy.Status.OFFERED)
    assert offer.user == other_member
    skip = PlotEvent.objects.get(action="skip", subject=member)
    assert skip.actor is None and "in time" in skip.reason
    with pytest.raises(RuleError):
        services.accept_offer(member, plot.pk)


def test_an_offer_nobody_takes_returns_the_plot_to_the_pool(member, coordinator, plot):
    services.claim(coordinator, plot.pk)
    services.join_waitlist(member)
    services.release(coordinator, plot.pk)
    services.refuse_offer(member, plot.pk)
    assert refresh(plot).status == Plot.Status.AVAILABLE


def test_members_at_their_limit_are_skipped(member, other_member, coordinator, plot, second_plot):
    services.claim(coordinator, plot.pk)
    services.claim(member, second_plot.pk)
    WaitlistEntry.objects.create(user=member, joined_at=timezone.now())
    services.join_waitlist(other_member)
    services.release(coordinator, plot.pk)
    assert Tenancy.objects.get(status=Tenancy.Status.OFFERED).user == other_member
    assert PlotEvent.objects.filter(action="skip", subject=member).exists()


def test_leaving_the_waitlist(member, coordinator, plot):
    services.claim(coordinator, plot.pk)
    services.join_waitlist(member)
    services.leave_waitlist(member)
    assert services.waitlist_position(member) is None
    with pytest.raises(RuleError) as error:
        services.leave_waitlist(member)
    assert error.value.status == 404


def test_coordinator_assigns_and_revokes(member, coordinator, plot):
    services.assign(plot.pk, member, by=coordinator, reason="long waiting")
    assert refresh(plot).status == Plot.Status.CLAIMED
    assert member.notifications.filter(kind="plot_assigned").exists()
    with pytest.raises(RuleError):
        services.revoke(plot.pk, by=coordinator, reason=" ")
    services.revoke(plot.pk, by=coordinator, reason="abandoned")
    assert refresh(plot).status == Plot.Status.AVAILABLE
    assert member.notifications.filter(kind="plot_revoked").exists()
    assert actions(plot) == ["assign", "revoke"]


def test_assign_respects_the_limit(member, coordinator, plot, second_plot):
    services.claim(member, plot.pk)
    with pytest.raises(RuleError) as error:
        services.assign(second_plot.pk, member, by=coordinator)
    assert error.value.status == 409


def test_out_of_use_plots_cannot_be_claimed(member, coordinator, plot):
    services.set_out_of_use(plot.pk, True, by=coordinator, reason="flooded")
    with pytest.raises(RuleError):
        services.claim(member, plot.pk)
    services.set_out_of_use(plot.pk, False, by=coordinator)
    services.claim(member, plot.pk)


def test_a_held_plot_cannot_be_put_out_of_use(member, coordinator, plot):
    services.claim(member, plot.pk)
    with pytest.raises(RuleError) as error:
        services.set_out_of_use(plot.pk, True, by=coordinator)
    assert error.value.status == 409


def test_back_in_use_serves_the_waitlist(member, coordinator, plot):
    services.set_out_of_use(plot.pk, True, by=coordinator)
    services.join_waitlist(member)
    services.set_out_of_use(plot.pk, False, by=coordinator)
    assert Tenancy.objects.get(status=Tenancy.Status.OFFERED).user == member


@pytest.fixture
def season(policy):
    policy.season_end = datetime.date(2026, 10, 31)
    policy.fee = Decimal("30.00")
    policy.save()
    return policy


def test_renewal_reminder_once_per_season(member, plot, season):
    services.claim(member, plot.pk)
    assert services.send_renewal_reminders(datetime.date(2026, 10, 1)) == 0
    assert services.send_renewal_reminders(datetime.date(2026, 10, 20)) == 1
    assert services.send_renewal_reminders(datetime.date(2026, 10, 21)) == 0
    assert member.notifications.filter(kind="plot_renewal_reminder").count() == 1


def test_renewed_plots_are_not_reminded(member, plot, season):
    services.claim(member, plot.pk)
    services.renew(member, plot.pk)
    assert services.send_renewal_reminders(datetime.date(2026, 10, 20)) == 0
    with pytest.raises(RuleError):
        services.renew(member, plot.pk)


def test_season_end_returns_unrenewed_plots_and_serves_the_waitlist(
    member, other_member, coordinator, plot, second_plot, season
):
    services.claim(member, plot.pk)
    services.claim(coordinator, second_plot.pk)
    services.renew(coordinator, second_plot.pk)
    services.join_waitlist(other_member)
    assert services.close_season(datetime.date(2026, 10, 31)) == 0
    assert services.close_season(datetime.date(2026, 11, 1)) == 1
    assert Tenancy.objects.get(plot=plot, user=member).status == Tenancy.Status.ENDED
    assert Tenancy.objects.get(plot=plot, status=Tenancy.Status.OFFERED).user == other_member
    assert refresh(second_plot).status == Plot.Status.CLAIMED
    season.refresh_from_db()
    assert season.season_end == datetime.date(2027, 10, 31)
    assert PlotEvent.objects.filter(action="season_end", subject=member).exists()


def test_fees_are_charged_and_marked_paid(member, coordinator, plot, season):
    services.claim(member, plot.pk)
    fee = Fee.objects.get()
    assert (fee.amount, fee.season_end) == (Decimal("30.00"), season.season_end)
    assert list(services.fees_owed(member)) == [fee]
    services.renew(member, plot.pk)
    assert services.fees_owed(member).count() == 2
    services.mark_fee_paid(fee.pk, "cash", by=coordinator)
    assert services.fees_owed(member).count() == 1
    with pytest.raises(RuleError) as error:
        services.mark_fee_paid(fee.pk, "cash", by=coordinator)
    assert error.value.status == 409
    with pytest.raises(RuleError):
        services.mark_fee_paid(fee.pk, "bitcoin", by=coordinator)


def test_free_gardens_charge_nothing(member, plot, policy):
    services.claim(member, plot.pk)
    assert not Fee.objects.exists()


def test_tick_runs_every_periodic_check(member, coordinator, plot):
    services.claim(coordinator, plot.pk)
    services.join_waitlist(member)
    services.release(coordinator, plot.pk)
    result = services.tick(timezone.now() + datetime.timedelta(days=30))
    assert result["expired_offers"] == 1


def test_the_plots_tick_command_and_task(member, coordinator, plot):
    from django.core.management import call_command

    from garden.plots.tasks import plots_tick

    call_command("plots_tick")
    result = plots_tick.enqueue()
    assert result.return_value == {"expired_offers": 0, "reminders": 0, "returned_plots": 0}


def test_data_export_holds_tenancies_waitlist_and_fees(member, coordinator, plot, season):
    services.claim(member, plot.pk)
    data = export_user_data(member)["plots"]
    assert data["tenancies"][0]["plot"] == "A1"
    assert data["fees"][0]["amount"] == "30.00"
    assert data["waitlist"] == []


def test_demo_is_idempotent(garden):
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")
    assert Plot.objects.count() == 24
    assert Plot.objects.filter(status=Plot.Status.CLAIMED).count() >= 20
    assert Plot.objects.filter(status=Plot.Status.PENDING).count() == 1
    assert Plot.objects.filter(status=Plot.Status.OUT_OF_USE).count() == 1
    assert services.open_entries().count() == 2
    assert Fee.objects.filter(paid_at__isnull=False).exists()
    assert Fee.objects.filter(paid_at__isnull=True).exists()


def test_make_plot_helper_is_unique(garden):
    make_plot("Z1")
    with pytest.raises(IntegrityError):
        make_plot("Z1")


def test_leaving_the_garden_returns_plots_and_serves_the_waitlist(
    member, other_member, coordinator, plot
):
    from garden.members import services as members

    services.claim(member, plot.pk)
    services.join_waitlist(other_member)
    members.remove(member.membership, by=coordinator)
    assert Tenancy.objects.get(status="offered").user == other_member


def test_deleting_an_account_frees_its_plot(member, plot):
    services.claim(member, plot.pk)
    member.delete()
    assert refresh(plot).status == Plot.Status.AVAILABLE
    assert not Tenancy.objects.exists()


def test_plots_tick_is_a_registered_periodic_job():
    from garden.core.periodic import registered_jobs
    from garden.plots.tasks import plots_tick

    assert plots_tick in [job.task for job in registered_jobs()]
