"""What sharing sends to neighbour gardens: to whom, when, and with which data."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from garden.sharing import services
from garden.sharing.models import Offer

from .conftest import make_peer, offer_values, sent


def test_offer_for_neighbours_goes_to_peers_in_range_only(shared_offer):
    [activity] = sent("Offer")
    assert activity["_to"] == ["Garten Nord"]
    produce = activity["object"]
    assert produce["type"] == "Produce"
    assert produce["id"].endswith(f"/objects/offers/{shared_offer.pk}")
    assert produce["name"] == "Zucchini"
    assert produce["quantityLeft"] == "5.00"
    assert produce["offeredBy"] == {"type": "Person", "name": "Mara"}


def test_activities_carry_no_email_or_username(member, shared_offer, other_member, near):
    services.claim_offer(other_member, shared_offer, Decimal("1"))
    text = str(sent())
    for secret in ("mara@example.org", "otto@example.org", "'mara'", "'otto'"):
        assert secret not in text


def test_offer_for_our_garden_only_is_not_sent(offer, near):
    assert sent() == []


def test_peers_not_accepted_get_nothing(member, garden):
    make_peer("Garten Wartet", 52.51, 13.4, state="pending")
    services.create_offer(member, **offer_values(audience=Offer.Audience.NEIGHBOURS))
    assert sent() == []


def test_change_sends_update_and_full_claim_sends_delete_to_every_peer(
    member, other_member, shared_offer
):
    services.update_offer(member, shared_offer, pickup_place="At the gate")
    [update] = sent("Update")
    assert update["object"]["pickupPlace"] == "At the gate"
    assert update["_to"] == ["Garten Nord"]

    services.claim_offer(other_member, shared_offer, Decimal("5"))
    [delete] = sent("Delete")
    assert delete["object"]["type"] == "Produce"
    assert delete["_to"] == ["Garten Fern", "Garten Nord"]


def test_withdrawing_and_expiring_send_delete(member, shared_offer):
    second = services.create_offer(member, **offer_values(audience=Offer.Audience.NEIGHBOURS))
    services.withdraw_offer(member, shared_offer)
    Offer.objects.filter(pk=second.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.expire_offers() == 1
    deleted = [activity["object"]["id"] for activity in sent("Delete")]
    assert [url.rsplit("/", 1)[1] for url in deleted] == [str(shared_offer.pk), str(second.pk)]


def test_switching_audience_to_garden_only_deletes_the_copies(member, shared_offer):
    services.update_offer(member, shared_offer, audience=Offer.Audience.GARDEN)
    assert len(sent("Delete")) == 1
    shared_offer.refresh_from_db()
    assert not shared_offer.published


def test_larger_radius_reaches_more_gardens(coordinator, shared_offer, far):
    services.set_share_radius(coordinator, Decimal("200"))
    [update] = sent("Update")
    assert update["_to"] == ["Garten Fern", "Garten Nord"]


def test_newly_peered_garden_in_range_gets_what_we_share(shared_offer, tool, garden):
    from federation import signals
    from federation.models import Peer

    newcomer = make_peer("Garten Neu", 52.49, 13.41)
    signals.peering_accepted.send(Peer, peer=newcomer)
    to_newcomer = [a["type"] for a in sent() if a["_to"] == ["Garten Neu"]]
    assert to_newcomer == ["Offer", "Create"]


def test_tool_lent_to_neighbours_is_published_with_bookings(coordinator, near, tool, member):
    [create] = sent("Create")
    assert create["object"]["type"] == "Tool"
    assert create["object"]["busy"] == []
    start = services.garden_today() + timedelta(days=2)
    loan = services.request_loan(member, tool, start_date=start, end_date=start)
    services.decide_loan(coordinator, loan, approve=True)
    update = sent("Update")[-1]
    assert update["object"]["busy"] == [{"start": str(start), "end": str(start)}]
    # A newer stamp, or the neighbours would ignore it as a stale copy.
    assert update["object"]["updated"] > create["object"]["updated"]


def test_tool_no_longer_lent_to_neighbours_is_deleted(coordinator, near, tool):
    services.update_tool(coordinator, tool, lend_to_neighbours=False)
    [delete] = sent("Delete")
    assert delete["object"]["type"] == "Tool"


def test_a_member_without_display_name_is_sent_as_a_gardener_not_by_username(
    member, other_member, near
):
    member.profile.display_name = ""
    member.profile.save()
    offer = services.create_offer(member, **offer_values(audience=Offer.Audience.NEIGHBOURS))
    assert sent("Offer")[0]["object"]["offeredBy"]["name"] == "A gardener"
    assert "mara" not in str(sent())
    assert offer.offerer_name == "mara"  # at home the username may show
