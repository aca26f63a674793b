"""Withdrawing one's own claim or loan request: here, towards a neighbour (an Undo), and the
origin's side of that Undo."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from federation.errors import ActivityRejected
from federation.registry import handler_for
from garden.core.errors import RuleError
from garden.members.models import Notification
from garden.sharing import federate, inbox, services
from garden.sharing.models import Claim, Loan, Offer, Tool

from .conftest import sent
from .test_inbox import _claim, _loan_request, produce, remote_tool


def _undo(peer, kind: str, number: int, object_type: str) -> dict:
    host = peer.actor_url.split("/")[2]
    return {
        "type": "Undo",
        "object": {"id": f"https://{host}/objects/{kind}/{number}", "type": object_type},
    }


def test_undo_handlers_are_registered():
    assert handler_for({"type": "Undo", "object": {"type": "Claim"}}) is inbox.claim_undone
    assert handler_for({"type": "Undo", "object": {"type": "Loan"}}) is inbox.loan_undone


# --- claims on our own offers ----------------------------------------------------------------


def test_claimant_withdraws_a_local_claim_and_the_quantity_is_free_again(
    api, member, other_member, offer
):
    claim = services.claim_offer(other_member, offer, Decimal("2"))
    response = api(other_member).post(f"/claims/{claim.pk}/withdraw")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    offer.refresh_from_db()
    assert offer.quantity_left == Decimal("5")
    messages = Notification.objects.filter(user=member, kind="sharing_claim")
    assert any("withdrew their claim of 2 kg" in n.message for n in messages)


def test_withdrawing_the_claim_that_took_everything_opens_the_offer_again(other_member, offer):
    claim = services.claim_offer(other_member, offer, Decimal("5"))
    offer.refresh_from_db()
    assert offer.status == Offer.Status.CLAIMED
    services.withdraw_claim(other_member, claim)
    offer.refresh_from_db()
    assert (offer.status, offer.quantity_left) == (Offer.Status.OPEN, Decimal("5"))


def test_only_the_claimant_withdraws_a_claim(api, member, other_member, coordinator, offer):
    claim = services.claim_offer(other_member, offer, Decimal("1"))
    for someone in (member, coordinator):
        response = api(someone).post(f"/claims/{claim.pk}/withdraw")
        assert response.status_code == 403
        assert "Only the person who made this claim" in response.json()["detail"]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONFIRMED


@pytest.mark.parametrize("status", [Claim.Status.PICKED_UP, Claim.Status.WITHDRAWN])
def test_a_claim_picked_up_or_withdrawn_cannot_be_withdrawn(api, other_member, offer, status):
    claim = services.claim_offer(other_member, offer, Decimal("1"))
    Claim.objects.filter(pk=claim.pk).update(status=status)
    response = api(other_member).post(f"/claims/{claim.pk}/withdraw")
    assert response.status_code == 409
    assert "can no longer be withdrawn" in response.json()["detail"]
    offer.refresh_from_db()
    assert offer.quantity_left == Decimal("4")


def test_withdraw_unknown_claim_is_404(api, member):
    assert api(member).post("/claims/999/withdraw").status_code == 404


def test_claimant_withdraws_on_the_offer_page_after_confirming(other_member, offer):
    claim = services.claim_offer(other_member, offer, Decimal("1"))
    client = Client()
    client.force_login(other_member)
    page = client.get(f"/share/offers/{offer.pk}/").content.decode()
    assert f'action="/share/claims/{claim.pk}/withdraw/"' in page
    assert '<details class="confirm">' in page  # asks before it withdraws
    response = client.post(f"/share/claims/{claim.pk}/withdraw/")
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.WITHDRAWN
    page = client.get(f"/share/offers/{offer.pk}/").content.decode()
    assert f"/share/claims/{claim.pk}/withdraw/" not in page


# --- our claim on a neighbour's offer --------------------------------------------------------


def _remote_claim(near, member) -> Claim:
    inbox.offer_arrived(produce(near), near)
    return services.claim_offer(member, Offer.objects.get(), Decimal("1.5"))


@pytest.mark.parametrize("answered", [False, True])
def test_our_claim_on_a_neighbours_offer_is_withdrawn_with_an_undo(near, member, answered):
    claim = _remote_claim(near, member)
    if answered:  # confirmed: the origin holds the quantity for us
        inbox.claim_accepted(
            {"type": "Accept", "object": {"id": federate.object_url("claims", claim.pk)}}, near
        )
    services.withdraw_claim(member, claim)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.WITHDRAWN
    [undo] = sent("Undo")
    assert undo["_to"] == ["Garten Nord"]
    assert undo["object"] == {
        "id": federate.object_url("claims", claim.pk),
        "type": "Claim",
        "object": claim.offer.remote_id,
    }
    # The origin's answer may cross the Undo on the way: it no longer changes our claim.
    inbox.claim_accepted(
        {"type": "Accept", "object": {"id": federate.object_url("claims", claim.pk)}}, near
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.WITHDRAWN


def test_declined_claim_on_a_neighbours_offer_cannot_be_withdrawn(near, member):
    claim = _remote_claim(near, member)
    inbox.claim_rejected(
        {"type": "Reject", "object": {"id": federate.object_url("claims", claim.pk)}}, near
    )
    with pytest.raises(RuleError) as error:
        services.withdraw_claim(member, claim)
    assert error.value.status == 409
    assert sent("Undo") == []


# --- the origin's side: an Undo of a neighbour's claim ---------------------------------------


def test_origin_frees_the_quantity_when_the_claiming_garden_withdraws(shared_offer, near, member):
    inbox.claim_arrived(_claim(near, shared_offer, 1, "3"), near)
    shared_offer.refresh_from_db()
    assert shared_offer.quantity_left == Decimal("2")
    inbox.claim_undone(_undo(near, "claims", 1, "Claim"), near)
    claim = Claim.objects.get()
    assert claim.status == Claim.Status.WITHDRAWN
    shared_offer.refresh_from_db()
    assert shared_offer.quantity_left == Decimal("5")
    # Neighbours see the quantity left again; the offerer is told.
    assert sent("Update")[-1]["object"]["quantityLeft"] == "5.00"
    assert Notification.objects.filter(
        user=member, message__contains="Bea (Garten Nord) withdrew their claim of 3 kg"
    ).exists()
    # Delivered again: nothing more happens.
    inbox.claim_undone(_undo(near, "claims", 1, "Claim"), near)
    shared_offer.refresh_from_db()
    assert shared_offer.quantity_left == Decimal("5")


def test_another_garden_cannot_undo_a_neighbours_claim(shared_offer, near, far):
    inbox.claim_arrived(_claim(near, shared_offer, 1, "3"), near)
    # Naming the claim's URL on the claiming garden's host: not the sender's object.
    with pytest.raises(ActivityRejected) as error:
        inbox.claim_undone(_undo(near, "claims", 1, "Claim"), far)
    assert error.value.status == 400
    # Naming a URL on its own host: no such claim from that garden.
    with pytest.raises(ActivityRejected) as error:
        inbox.claim_undone(_undo(far, "claims", 1, "Claim"), far)
    assert error.value.status == 404
    assert Claim.objects.get().status == Claim.Status.CONFIRMED
    shared_offer.refresh_from_db()
    assert shared_offer.quantity_left == Decimal("2")


def test_origin_refuses_to_undo_a_claim_already_picked_up(shared_offer, near, member):
    inbox.claim_arrived(_claim(near, shared_offer, 1, "3"), near)
    services.mark_picked_up(member, Claim.objects.get())
    with pytest.raises(ActivityRejected) as error:
        inbox.claim_undone(_undo(near, "claims", 1, "Claim"), near)
    assert error.value.status == 422  # final, so the sender does not retry
    assert Claim.objects.get().status == Claim.Status.PICKED_UP


def test_undo_of_a_declined_claim_changes_nothing(shared_offer, near):
    inbox.claim_arrived(_claim(near, shared_offer, 1, "9"), near)
    inbox.claim_undone(_undo(near, "claims", 1, "Claim"), near)
    assert Claim.objects.get().status == Claim.Status.DECLINED
    shared_offer.refresh_from_db()
    assert shared_offer.quantity_left == Decimal("5")


# --- loan requests ---------------------------------------------------------------------------


def _remote_loan(near, member) -> Loan:
    inbox.tool_arrived(remote_tool(near), near)
    start = services.garden_today() + timedelta(days=1)
    return services.request_loan(member, Tool.objects.get(), start_date=start, end_date=start)


def test_borrower_withdraws_a_request_for_a_neighbours_tool(api, near, member, other_member):
    loan = _remote_loan(near, member)
    assert api(other_member).post(f"/loans/{loan.pk}/cancel").status_code == 403
    response = api(member).post(f"/loans/{loan.pk}/cancel")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    [undo] = sent("Undo")
    assert undo["_to"] == ["Garten Nord"]
    assert undo["object"] == {
        "id": federate.object_url("loans", loan.pk),
        "type": "Loan",
        "object": loan.tool.remote_id,
    }


def test_an_approved_loan_of_a_neighbours_tool_cannot_be_withdrawn(api, near, member):
    loan = _remote_loan(near, member)
    accept = {"type": "Accept", "object": {"id": federate.object_url("loans", loan.pk)}}
    inbox.loan_accepted(accept, near)
    response = api(member).post(f"/loans/{loan.pk}/cancel")
    assert response.status_code == 409
    assert "Garten Nord already approved this loan" in response.json()["detail"]
    assert sent("Undo") == []


def test_loans_page_offers_withdrawing_a_waiting_request(near, member):
    loan = _remote_loan(near, member)
    client = Client()
    client.force_login(member)
    page = client.get("/share/loans/").content.decode()
    assert "Withdraw your request? Garten Nord is told." in page
    response = client.post(f"/share/loans/{loan.pk}/", {"action": "cancel"})
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CANCELLED


def test_owner_cancels_a_request_its_garden_withdraws(tool, near, far, coordinator):
    start = services.garden_today() + timedelta(days=3)
    inbox.loan_arrived(_loan_request(near, tool, 1, start, start), near)
    with pytest.raises(ActivityRejected):
        inbox.loan_undone(_undo(near, "loans", 1, "Loan"), far)
    assert Loan.objects.get().status == Loan.Status.REQUESTED
    inbox.loan_undone(_undo(near, "loans", 1, "Loan"), near)
    assert Loan.objects.get().status == Loan.Status.CANCELLED
    assert Notification.objects.filter(
        user=coordinator, message__contains="Bea (Garten Nord) withdrew their request"
    ).exists()
    # Nothing goes back: the borrowing garden knows.
    assert [a for a in sent() if a["object"].get("type") == "Loan"] == []


def test_owner_refuses_to_undo_an_approved_loan(tool, near, coordinator):
    start = services.garden_today() + timedelta(days=3)
    inbox.loan_arrived(_loan_request(near, tool, 1, start, start), near)
    services.decide_loan(coordinator, Loan.objects.get(), approve=True)
    with pytest.raises(ActivityRejected) as error:
        inbox.loan_undone(_undo(near, "loans", 1, "Loan"), near)
    assert error.value.status == 422
    assert Loan.objects.get().status == Loan.Status.APPROVED
