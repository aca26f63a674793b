import pytest
from django.urls import reverse

from garden.plots import services
from garden.plots.models import Fee, Plot, PlotPolicy, Tenancy
from tests.conftest import client_for

INDEX = reverse("plots:index")


def act(client, plot, action, **data):
    return client.post(reverse("plots:act", args=[plot.pk]), {"action": action, **data})


@pytest.mark.parametrize(
    "name,args",
    [
        ("plots:index", []),
        ("plots:waitlist", []),
        ("plots:log", []),
        ("plots:fees", []),
        ("plots:policy", []),
        ("plots:new", []),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, garden, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert "login" in response.url


def test_non_members_are_forbidden(outsider, plot):
    client = client_for(outsider)
    assert client.get(INDEX).status_code == 403
    assert client.get(reverse("plots:detail", args=[plot.pk])).status_code == 403
    assert act(client, plot, "claim").status_code == 403
    assert Plot.objects.get().status == Plot.Status.AVAILABLE


@pytest.mark.parametrize("name", ["plots:fees", "plots:policy", "plots:new"])
def test_coordinator_pages_are_forbidden_to_members(member, name):
    assert client_for(member).get(reverse(name)).status_code == 403


def test_the_map_draws_every_plot_with_status_and_mine(member, plot, second_plot):
    services.claim(member, plot.pk)
    html = client_for(member).get(INDEX).content.decode()
    assert '<svg class="garden-map"' in html
    assert 'class="plot claimed mine"' in html
    assert 'class="plot available"' in html
    assert "<title>Plot A1, 20.0 m², claimed · yours</title>" in html
    assert reverse("plots:detail", args=[second_plot.pk]) in html
    assert 'data-live-region="plots-map"' in html and 'data-live-region="plots-list"' in html
    assert "style=" not in html  # the CSP forbids inline styles


def test_claiming_through_the_page(member, other_member, plot):
    response = act(client_for(member), plot, "claim")
    assert response.status_code == 302
    assert Plot.objects.get().status == Plot.Status.CLAIMED
    other = client_for(other_member)
    response = act(other, plot, "claim")
    page = other.get(response.url).content.decode()
    assert "This plot is not free." in page
    assert Tenancy.objects.get().user == member


def test_unknown_action_and_unknown_plot(member, plot):
    client = client_for(member)
    assert act(client, plot, "steal").status_code == 400
    assert client.post(reverse("plots:act", args=[999]), {"action": "claim"}).status_code == 404
    assert client.get(reverse("plots:detail", args=[999])).status_code == 404


def test_members_cannot_use_coordinator_actions(member, other_member, plot):
    services.claim(other_member, plot.pk)
    response = act(client_for(member), plot, "revoke", reason="mine now")
    assert response.status_code == 403
    assert Plot.objects.get().status == Plot.Status.CLAIMED


def test_coordinator_approves_on_the_plot_page(member, coordinator, plot, policy):
    policy.approval_required = True
    policy.save()
    act(client_for(member), plot, "claim")
    page = client_for(coordinator).get(reverse("plots:detail", args=[plot.pk])).content.decode()
    assert "Mara asks for this plot." in page
    assert page.count('id="id_reason"') == 1
    act(client_for(coordinator), plot, "approve", reason="ok")
    assert Plot.objects.get().status == Plot.Status.CLAIMED


def test_coordinator_assigns_and_revokes_on_the_page(member, coordinator, plot):
    client = client_for(coordinator)
    act(client, plot, "assign", member=member.pk, reason="")
    assert Tenancy.objects.get(status="active").user == member
    act(client, plot, "revoke", reason="left town")
    assert Plot.objects.get().status == Plot.Status.AVAILABLE
    act(client, plot, "assign", member="nobody")
    assert Plot.objects.get().status == Plot.Status.AVAILABLE


def test_member_accepts_an_offer_on_the_page(member, coordinator, plot):
    services.claim(coordinator, plot.pk)
    services.join_waitlist(member)
    services.release(coordinator, plot.pk)
    client = client_for(member)
    assert "Accept the plot" in client.get(reverse("plots:detail", args=[plot.pk])).content.decode()
    act(client, plot, "accept")
    assert Tenancy.objects.get(status="active").user == member


def test_waitlist_shows_positions_and_names_only_to_coordinators(
    member, other_member, coordinator, plot
):
    services.claim(coordinator, plot.pk)
    client_for(member).post(reverse("plots:waitlist"), {"action": "join"})
    client_for(other_member).post(reverse("plots:waitlist"), {"action": "join"})
    page = client_for(member).get(reverse("plots:waitlist")).content.decode()
    assert "You are number 1." in page
    assert "Otto" not in page
    page = client_for(coordinator).get(reverse("plots:waitlist")).content.decode()
    assert "Otto" in page and "Mara" in page
    client_for(member).post(reverse("plots:waitlist"), {"action": "leave"})
    assert services.waitlist_position(member) is None


def test_allocation_record_hides_names_from_members(member, other_member, coordinator, plot):
    services.claim(other_member, plot.pk)
    page = client_for(member).get(reverse("plots:log")).content.decode()
    assert "Claimed" in page and "Otto" not in page
    assert "Otto" in client_for(coordinator).get(reverse("plots:log")).content.decode()


def test_policy_form_saves_and_rejects_bad_input(coordinator, garden):
    client = client_for(coordinator)
    data = {
        "plots_per_member": 2,
        "approval_required": "on",
        "season_end": "2026-10-31",
        "reminder_days": 14,
        "offer_days": 5,
        "fee": "12.50",
        "currency": "EUR",
    }
    assert client.post(reverse("plots:policy"), data).status_code == 302
    policy = PlotPolicy.current()
    assert (policy.plots_per_member, policy.approval_required, policy.offer_days) == (2, True, 5)
    response = client.post(reverse("plots:policy"), {**data, "plots_per_member": 0, "fee": "-1"})
    assert response.status_code == 200
    assert PlotPolicy.current().fee == policy.fee


def test_coordinator_lays_out_a_plot(coordinator, garden):
    client = client_for(coordinator)
    data = {"label": "B7", "area_m2": "18", "x": 3, "y": 4, "width": 5, "height": 4}
    response = client.post(reverse("plots:new"), data)
    plot = Plot.objects.get(label="B7")
    assert response.url == reverse("plots:detail", args=[plot.pk])
    response = client.post(reverse("plots:edit", args=[plot.pk]), {**data, "x": 38, "width": 5})
    assert response.status_code == 200
    assert "right edge" in response.content.decode()
    assert Plot.objects.get(pk=plot.pk).x == 3


def test_fees_page_lists_unpaid_and_marks_paid(member, coordinator, plot, policy):
    policy.fee = 20
    policy.save()
    services.claim(member, plot.pk)
    client = client_for(coordinator)
    assert "Mara" in client.get(reverse("plots:fees")).content.decode()
    fee = Fee.objects.get()
    client.post(reverse("plots:fees"), {"fee": fee.pk, "method": "transfer"})
    fee.refresh_from_db()
    assert fee.method == "transfer" and fee.paid_at
    assert client.post(reverse("plots:fees"), {"fee": "x", "method": "cash"}).status_code == 400


def test_members_see_what_they_owe(member, plot, policy):
    policy.fee = 20
    policy.save()
    services.claim(member, plot.pk)
    assert "20.00 EUR" in client_for(member).get(INDEX).content.decode()


def test_plots_may_not_overlap_on_the_map(coordinator, plot):
    data = {"label": "B1", "area_m2": "10", "x": 3, "y": 2, "width": 4, "height": 4}
    response = client_for(coordinator).post(reverse("plots:new"), data)
    assert "overlaps plot A1" in response.content.decode()
    response = client_for(coordinator).post(reverse("plots:new"), {**data, "x": 5})
    assert response.status_code == 302


def test_members_at_their_limit_are_not_offered_the_waitlist(member, plot):
    services.claim(member, plot.pk)
    page = client_for(member).get(INDEX).content.decode()
    assert "You hold as many plots as the garden allows." in page
    assert "Join the waitlist" not in page
