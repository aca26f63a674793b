"""Activities from neighbour gardens, handed to the sharing handlers as dicts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from federation.errors import ActivityRejected
from federation.registry import handler_for
from garden.members.models import Notification
from garden.sharing import federate, inbox, services
from garden.sharing.models import Claim, Loan, Offer, Tool

from .conftest import sent


def produce(peer, number: int = 1, **overrides) -> dict:
    now = timezone.now()
    obj = {
        "id": f"https://{peer.actor_url.split('/')[2]}/objects/offers/{number}",
        "type": "Produce",
        "name": "Tomatoes",
        "quantity": "4.00",
        "quantityLeft": "4.00",
        "unit": "kg",
        "pickupFrom": (now + timedelta(hours=1)).isoformat(),
        "pickupUntil": (now + timedelta(days=1)).isoformat(),
        "pickupPlace": "Gate",
        "expires": (now + timedelta(days=2)).isoformat(),
        "offeredBy": {"type": "Person", "name": "Bea"},
        "updated": now.isoformat(),
    }
    obj.update(overrides)
    return {"type": "Offer", "object": obj}


def test_handlers_are_registered_with_the_federation_registry():
    activity = {"type": "Accept", "object": {"type": "Claim"}}
    assert handler_for(activity) is inbox.claim_accepted
    assert handler_for({"type": "Offer", "object": {"type": "Produce"}}) is inbox.offer_arrived


def test_remote_offer_is_stored_as_plain_limited_text(near):
    activity = produce(near, name="<b>Tomatoes</b>\x00" + "x" * 200, pickupPlace="<script>")
    inbox.offer_arrived(activity, near)
    offer = Offer.objects.get()
    assert offer.is_remote and offer.origin_name == "Garten Nord"
    assert offer.crop.startswith("<b>Tomatoes</b>x") and len(offer.crop) == 80
    assert offer.pickup_place == "<script>"
    assert offer.distance_km == pytest.approx(2.2, abs=0.1)
    assert offer.quantity_left == Decimal("4")


def test_remote_text_is_escaped_on_the_page(near, member):
    from django.test import Client

    inbox.offer_arrived(produce(near, name="<img src=x onerror=alert(1)>"), near)
    client = Client()
    client.force_login(member)
    page = client.get("/share/").content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_remote_photo_is_only_a_link(near, member):
    from django.test import Client

    activity = produce(near, image={"type": "Image", "url": "https://garten-nord.example/p.jpg"})
    inbox.offer_arrived(activity, near)
    client = Client()
    client.force_login(member)
    page = client.get("/share/").content.decode()
    assert 'href="https://garten-nord.example/p.jpg"' in page
    assert 'src="https://garten-nord.example/p.jpg"' not in page


@pytest.mark.parametrize(
    "overrides",
    [
        {"quantity": "lots"},
        {"quantity": "-3"},
        {"quantityLeft": "9"},
        {"unit": "tonnes"},
        {"name": ""},
        {"name": ["a list"]},
        {"pickupFrom": "tomorrow"},
        {"expires": "2026-01-01T00:00:00"},  # no zone
        {"id": "https://someone-else.example/objects/offers/1"},
    ],
)
def test_malformed_or_foreign_offer_is_refused_with_400(near, overrides):
    with pytest.raises(ActivityRejected) as error:
        inbox.offer_arrived(produce(near, **overrides), near)
    assert error.value.status == 400
    assert not Offer.objects.exists()


def test_update_changes_the_copy_and_stale_update_is_ignored(near):
    inbox.offer_arrived(produce(near), near)
    later = (timezone.now() + timedelta(minutes=5)).isoformat()
    update = produce(near, quantityLeft="1.00", updated=later)
    inbox.offer_arrived({**update, "type": "Update"}, near)
    stale = produce(near, quantityLeft="3.00", updated=timezone.now().isoformat())
    inbox.offer_arrived({**stale, "type": "Update"}, near)
    assert Offer.objects.get().quantity_left == Decimal("1")


def test_delete_hides_the_offer_and_a_late_update_does_not_revive_it(near, member):
    activity = produce(near)
    inbox.offer_arrived(activity, near)
    inbox.offer_deleted({"type": "Delete", "object": {"id": activity["object"]["id"]}}, near)
    assert not services.nearby().exists()
    inbox.offer_arrived({**produce(near), "type": "Update"}, near)
    assert Offer.objects.get().status == Offer.Status.WITHDRAWN


def test_another_garden_cannot_delete_a_neighbours_offer(near, far):
    inbox.offer_arrived(produce(near), near)
    obj_id = Offer.objects.get().remote_id
    with pytest.raises(ActivityRejected):
        inbox.offer_deleted({"type": "Delete", "object": {"id": obj_id}}, far)
    assert Offer.objects.get().status == Offer.Status.OPEN


def _claim(peer, offer, number: int, quantity: str) -> dict:
    return {
        "type": "Create",
        "object": {
            "id": f"https://{peer.actor_url.split('/')[2]}/objects/claims/{number}",
            "type": "Claim",
            "object": federate.object_url("offers", offer.pk),
            "quantity": quantity,
            "claimant": {"type": "Person", "name": "Bea"},
        },
    }


def test_origin_confirms_remote_claims_up_to_the_quantity_and_declines_the_rest(
    shared_offer, near, far, member
):
    inbox.claim_arrived(_claim(near, shared_offer, 1, "3"), near)
    inbox.claim_arrived(_claim(far, shared_offer, 1, "3"), far)
    inbox.claim_arrived(_claim(far, shared_offer, 2, "2"), far)
    claims = list(Claim.objects.order_by("pk").values_list("status", "remote_garden_name"))
    assert claims == [
        ("confirmed", "Garten Nord"),
        ("declined", "Garten Fern"),
        ("confirmed", "Garten Fern"),
    ]
    shared_offer.refresh_from_db()
    assert shared_offer.quantity_left == 0
    answers = [(a["type"], a["_to"]) for a in sent() if a["type"] in ("Accept", "Reject")]
    assert answers == [
        ("Accept", ["Garten Nord"]),
        ("Reject", ["Garten Fern"]),
        ("Accept", ["Garten Fern"]),
    ]
    reject = sent("Reject")[0]
    assert "Only 2 kg are left" in reject["summary"]
    assert Notification.objects.filter(user=member, kind="sharing_claim").count() == 2


def test_redelivered_claim_is_decided_once(shared_offer, near):
    inbox.claim_arrived(_claim(near, shared_offer, 1, "2"), near)
    inbox.claim_arrived(_claim(near, shared_offer, 1, "2"), near)
    assert Claim.objects.count() == 1
    assert len(sent("Accept")) == 1


def test_claim_on_garden_only_offer_is_declined(offer, near):
    inbox.claim_arrived(_claim(near, offer, 1, "1"), near)
    assert Claim.objects.get().status == Claim.Status.DECLINED


def test_claim_on_unknown_offer_is_refused(near, shared_offer):
    activity = _claim(near, shared_offer, 1, "1")
    activity["object"]["object"] = "https://elsewhere.example/objects/offers/1"
    with pytest.raises(ActivityRejected) as error:
        inbox.claim_arrived(activity, near)
    assert error.value.status == 404


def test_claim_on_remote_offer_travels_to_the_origin_and_waits(api, near, member):
    inbox.offer_arrived(produce(near), near)
    offer = Offer.objects.get()
    response = api(member).post(f"/offers/{offer.pk}/claims", {"quantity": "1.5"})
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    [create] = sent("Create")
    assert create["_to"] == ["Garten Nord"]
    assert create["object"] == {
        "id": federate.object_url("claims", response.json()["id"]),
        "type": "Claim",
        "object": offer.remote_id,
        "quantity": "1.50",
        "claimant": {"type": "Person", "name": "Mara"},
    }


def _answer(kind: str, claim: Claim, **extra) -> dict:
    return {
        "type": kind,
        "object": {"id": federate.object_url("claims", claim.pk), "type": "Claim"},
        **extra,
    }


def test_origin_answer_settles_our_claim_and_tells_the_claimant(near, member):
    inbox.offer_arrived(produce(near), near)
    offer = Offer.objects.get()
    first = services.claim_offer(member, offer, Decimal("1"))
    second = services.claim_offer(member, offer, Decimal("1"))
    inbox.claim_accepted(_answer("Accept", first), near)
    inbox.claim_rejected(_answer("Reject", second, summary="Only 0 kg are left."), near)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Claim.Status.CONFIRMED
    assert (second.status, second.reason) == (Claim.Status.DECLINED, "Only 0 kg are left.")
    messages = Notification.objects.filter(user=member).values_list("message", flat=True)
    assert any("Garten Nord confirmed" in message for message in messages)


def test_only_the_origin_may_answer_a_claim(near, far, member):
    inbox.offer_arrived(produce(near), near)
    claim = services.claim_offer(member, Offer.objects.get(), Decimal("1"))
    with pytest.raises(ActivityRejected):
        inbox.claim_accepted(_answer("Accept", claim), far)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PENDING


def test_pickup_may_overtake_the_confirmation(near, member):
    inbox.offer_arrived(produce(near), near)
    claim = services.claim_offer(member, Offer.objects.get(), Decimal("1"))
    update = {
        "type": "Update",
        "object": {"id": federate.object_url("claims", claim.pk), "type": "Claim"},
    }
    update["object"]["status"] = "picked_up"
    inbox.claim_updated(update, near)
    inbox.claim_accepted(_answer("Accept", claim), near)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PICKED_UP


def test_picked_up_remote_claim_is_reported_to_its_garden(shared_offer, near, member):
    inbox.claim_arrived(_claim(near, shared_offer, 1, "2"), near)
    claim = Claim.objects.get()
    assert claim.claimant_name == "Bea" and claim.garden_name == "Garten Nord"
    services.mark_picked_up(member, claim)
    update = [a for a in sent("Update") if a["object"]["type"] == "Claim"]
    assert update[0]["object"]["status"] == "picked_up"
    assert update[0]["_to"] == ["Garten Nord"]


# --- tools and loans -------------------------------------------------------------------------


def remote_tool(peer, number: int = 1, **overrides) -> dict:
    obj = {
        "id": f"https://{peer.actor_url.split('/')[2]}/objects/tools/{number}",
        "type": "Tool",
        "name": "Chipper",
        "summary": "Garden shredder",
        "condition": "good",
        "busy": [{"start": "2030-01-01", "end": "2030-01-03"}],
    }
    obj.update(overrides)
    return {"type": "Create", "object": obj}


def test_neighbours_tool_is_listed_with_its_bookings(api, near, member):
    inbox.tool_arrived(remote_tool(near), near)
    [tool] = [t for t in api(member).get("/tools").json() if t["remote"]]
    assert tool["garden"] == "Garten Nord"
    assert tool["booked"] == [{"start": "2030-01-01", "end": "2030-01-03"}]


def test_malformed_tool_is_refused(near):
    with pytest.raises(ActivityRejected):
        inbox.tool_arrived(remote_tool(near, condition="shiny"), near)
    with pytest.raises(ActivityRejected):
        inbox.tool_arrived(remote_tool(near, busy=[{"start": "soon", "end": "later"}]), near)


def test_deleted_tool_leaves_the_library(near):
    activity = remote_tool(near)
    inbox.tool_arrived(activity, near)
    inbox.tool_deleted({"type": "Delete", "object": {"id": activity["object"]["id"]}}, near)
    assert not services.library().exists()


def test_loan_request_for_a_neighbours_tool_travels_there(api, near, member):
    inbox.tool_arrived(remote_tool(near), near)
    tool = Tool.objects.get()
    start = services.garden_today() + timedelta(days=1)
    payload = {"start_date": str(start), "end_date": str(start + timedelta(days=1))}
    response = api(member).post(f"/tools/{tool.pk}/loans", payload)
    assert response.status_code == 202
    [create] = sent("Create")
    assert create["object"]["type"] == "Loan"
    assert create["object"]["borrower"] == {"type": "Person", "name": "Mara"}
    assert create["_to"] == ["Garten Nord"]


def test_loan_request_on_booked_days_of_neighbours_tool_is_refused(near, member):
    inbox.tool_arrived(remote_tool(near), near)
    with pytest.raises(Exception) as error:
        services.request_loan(
            member,
            Tool.objects.get(),
            start_date=services.garden_today().replace(year=2030, month=1, day=2),
            end_date=services.garden_today().replace(year=2030, month=1, day=2),
        )
    assert "booked" in str(error.value)


def _loan_request(peer, tool, number: int, start, end) -> dict:
    return {
        "type": "Create",
        "object": {
            "id": f"https://{peer.actor_url.split('/')[2]}/objects/loans/{number}",
            "type": "Loan",
            "object": federate.object_url("tools", tool.pk),
            "startTime": str(start),
            "endTime": str(end),
            "content": "For our new beds",
            "borrower": {"type": "Person", "name": "Bea"},
        },
    }


def test_neighbours_loan_request_goes_the_whole_way_on_the_owners_side(tool, near, coordinator):
    start = services.garden_today() + timedelta(days=3)
    inbox.loan_arrived(_loan_request(near, tool, 1, start, start), near)
    loan = Loan.objects.get()
    assert (loan.borrower_name, loan.garden_name) == ("Bea", "Garten Nord")
    assert Notification.objects.filter(user=coordinator, kind="sharing_loan_request").exists()
    services.decide_loan(coordinator, loan, approve=True)
    services.mark_lent(coordinator, loan)
    services.mark_returned(coordinator, loan, condition_note="Blade dull")
    steps = [
        (a["type"], a["object"].get("status")) for a in sent() if a["object"].get("type") == "Loan"
    ]
    assert steps == [("Accept", None), ("Update", "lent"), ("Update", "returned")]
    returned = [a for a in sent("Update") if a["object"].get("status") == "returned"]
    assert returned[0]["object"]["conditionNote"] == "Blade dull"


def test_neighbours_request_for_a_members_only_tool_is_declined(coordinator, near):
    tool = services.create_tool(coordinator, name="Scythe", lend_to_neighbours=False)
    start = services.garden_today() + timedelta(days=3)
    inbox.loan_arrived(_loan_request(near, tool, 1, start, start), near)
    assert Loan.objects.get().status == Loan.Status.DECLINED
    assert sent("Reject")[0]["_to"] == ["Garten Nord"]


def test_owners_steps_arrive_on_the_borrowers_side_even_out_of_order(near, member):
    inbox.tool_arrived(remote_tool(near), near)
    start = services.garden_today() + timedelta(days=1)
    loan = services.request_loan(member, Tool.objects.get(), start_date=start, end_date=start)
    loan_id = federate.object_url("loans", loan.pk)
    lent = {"type": "Update", "object": {"id": loan_id, "type": "Loan", "status": "lent"}}
    accept = {"type": "Accept", "object": {"id": loan_id, "type": "Loan"}}
    inbox.loan_updated(lent, near)
    inbox.loan_accepted(accept, near)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.LENT
    returned = {
        "type": "Update",
        "object": {"id": loan_id, "type": "Loan", "status": "returned", "conditionNote": "ok"},
    }
    inbox.loan_updated(returned, near)
    loan.refresh_from_db()
    assert (loan.status, loan.return_note) == (Loan.Status.RETURNED, "ok")
    assert Notification.objects.filter(user=member, kind="sharing_loan").count() == 2


def test_unknown_loan_status_is_refused(near, member):
    with pytest.raises(ActivityRejected):
        inbox.loan_updated({"type": "Update", "object": {"type": "Loan", "status": "lost"}}, near)
