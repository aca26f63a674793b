"""Offers and claims in one garden: the rules, through services and the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from garden.core.errors import RuleError
from garden.members.models import Notification
from garden.sharing import services
from garden.sharing.models import Claim, Offer

from .conftest import offer_values


def api_offer(**overrides) -> dict:
    values = offer_values(**overrides)
    return {
        key: (value.isoformat() if hasattr(value, "isoformat") else str(value))
        for key, value in values.items()
    }


def test_member_offers_surplus_through_the_api(api, member):
    response = api(member).post("/offers", api_offer())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["crop"] == "Zucchini"
    assert body["quantity_left"] == 5.0
    assert body["garden"] == "Testgarten"
    assert body["offered_by"] == "Mara"
    assert Offer.objects.get().offered_by == member


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"quantity": "0"}, "quantity"),
        ({"crop": "   "}, "crop"),
        ({"unit": "tonnes"}, "unit"),
        ({"audience": "world"}, "audience"),
    ],
)
def test_offer_with_bad_values_is_refused(api, member, overrides, message):
    response = api(member).post("/offers", {**api_offer(), **overrides})
    assert response.status_code in (409, 422)
    assert message in response.json()["detail"].lower()
    assert not Offer.objects.exists()


def test_offer_pickup_window_must_end_after_it_starts(api, member):
    now = timezone.now()
    payload = api_offer(pickup_from=now + timedelta(days=1), pickup_until=now)
    response = api(member).post("/offers", payload)
    assert response.status_code == 409
    assert "pickup window" in response.json()["detail"]


def test_offer_cannot_end_in_the_past(api, member):
    response = api(member).post("/offers", api_offer(expires_at=timezone.now() - timedelta(1)))
    assert response.status_code == 409


def test_anonymous_and_outsiders_cannot_use_offers(api, outsider, offer):
    assert api(None).get("/offers").status_code == 401
    assert api(outsider).get("/offers").status_code == 403
    assert api(outsider).post("/offers", api_offer()).status_code == 403
    assert api(outsider).post(f"/offers/{offer.pk}/claims", {"quantity": 1}).status_code == 403
    assert api(outsider).get("/nearby").status_code == 403


def test_claim_takes_part_of_what_is_left(api, other_member, offer):
    response = api(other_member).post(f"/offers/{offer.pk}/claims", {"quantity": "2"})
    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    offer.refresh_from_db()
    assert offer.quantity_left == Decimal("3")
    assert offer.status == Offer.Status.OPEN


def test_claim_tells_the_offerer_who_claims(other_member, member, offer):
    services.claim_offer(other_member, offer, Decimal("1"))
    note = Notification.objects.get(user=member, kind="sharing_claim")
    assert "Otto (Testgarten)" in note.message


def test_claim_more_than_is_left_is_refused(api, other_member, offer):
    response = api(other_member).post(f"/offers/{offer.pk}/claims", {"quantity": "6"})
    assert response.status_code == 409
    assert "Only 5 kg are left" in response.json()["detail"]
    assert not Claim.objects.exists()


def test_claiming_everything_closes_the_offer(other_member, coordinator, offer):
    services.claim_offer(other_member, offer, Decimal("3"))
    services.claim_offer(coordinator, offer, Decimal("2"))
    offer.refresh_from_db()
    assert offer.quantity_left == 0
    assert offer.status == Offer.Status.CLAIMED
    with pytest.raises(RuleError) as error:
        services.claim_offer(other_member, offer, Decimal("1"))
    assert error.value.status == 409


def test_offerer_cannot_claim_own_offer(member, offer):
    with pytest.raises(RuleError):
        services.claim_offer(member, offer, Decimal("1"))


def test_claim_of_nothing_is_refused(api, other_member, offer):
    response = api(other_member).post(f"/offers/{offer.pk}/claims", {"quantity": "-1"})
    assert response.status_code == 422


def test_expired_offer_cannot_be_claimed(other_member, offer):
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(RuleError):
        services.claim_offer(other_member, offer, Decimal("1"))


def test_offerer_marks_a_claim_picked_up(api, member, other_member, offer):
    claim = services.claim_offer(other_member, offer, Decimal("1"))
    assert api(other_member).post(f"/claims/{claim.pk}/picked-up").status_code == 403
    response = api(member).post(f"/claims/{claim.pk}/picked-up")
    assert response.status_code == 200
    assert response.json()["status"] == "picked_up"
    assert api(member).post(f"/claims/{claim.pk}/picked-up").status_code == 409


def test_claims_list_shows_everything_to_the_offerer_and_own_claims_to_others(
    api, member, other_member, coordinator, offer
):
    services.claim_offer(other_member, offer, Decimal("1"))
    services.claim_offer(coordinator, offer, Decimal("1"))
    assert len(api(member).get(f"/offers/{offer.pk}/claims").json()) == 2
    own = api(other_member).get(f"/offers/{offer.pk}/claims").json()
    assert [claim["claimant"] for claim in own] == ["Otto"]


def test_quantity_cannot_drop_below_what_is_claimed(api, member, other_member, offer):
    services.claim_offer(other_member, offer, Decimal("3"))
    response = api(member).patch(f"/offers/{offer.pk}", {"quantity": "2"})
    assert response.status_code == 409
    response = api(member).patch(f"/offers/{offer.pk}", {"quantity": "4", "crop": "Courgette"})
    assert response.status_code == 200
    assert response.json()["quantity_left"] == 1.0
    assert response.json()["crop"] == "Courgette"


def test_only_offerer_or_coordinator_change_or_withdraw(api, other_member, coordinator, offer):
    assert api(other_member).patch(f"/offers/{offer.pk}", {"crop": "X"}).status_code == 403
    assert api(other_member).delete(f"/offers/{offer.pk}").status_code == 403
    response = api(coordinator).delete(f"/offers/{offer.pk}")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert api(coordinator).delete(f"/offers/{offer.pk}").status_code == 409


def test_expiry_command_closes_offers_past_their_end(offer):
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("sharing_expire", stdout=open("/dev/null", "w"))  # noqa: SIM115
    offer.refresh_from_db()
    assert offer.status == Offer.Status.EXPIRED


def test_list_offers_shows_open_ones_by_default(api, member, offer):
    withdrawn = services.create_offer(member, **offer_values(crop="Beans"))
    services.withdraw_offer(member, withdrawn)
    crops = [item["crop"] for item in api(member).get("/offers").json()]
    assert crops == ["Zucchini"]
    closed = [item["crop"] for item in api(member).get("/offers?status=closed").json()]
    assert closed == ["Beans"]


def test_offer_detail_404_for_unknown(api, member):
    assert api(member).get("/offers/999").status_code == 404


@pytest.mark.parametrize("quantity", ["NaN", "Infinity", "1e9"])
def test_unusable_quantities_are_refused(api, member, other_member, offer, quantity):
    assert api(member).post("/offers", api_offer(quantity=quantity)).status_code in (400, 422)
    response = api(other_member).post(f"/offers/{offer.pk}/claims", {"quantity": quantity})
    assert response.status_code in (400, 422)


def test_quantities_are_kept_to_two_decimals(api, member):
    body = api(member).post("/offers", api_offer(quantity="1.239")).json()
    assert body["quantity"] == 1.24 and body["quantity_left"] == 1.24


def test_changing_the_end_to_the_past_is_refused(api, member, offer):
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    assert api(member).patch(f"/offers/{offer.pk}", {"expires_at": past}).status_code == 409


def test_overlong_texts_are_refused_not_crashed(api, member, coordinator):
    assert api(member).post("/offers", api_offer(crop="x" * 81)).status_code == 422
    assert api(member).post("/offers", api_offer(pickup_place="x" * 301)).status_code == 422
    assert api(coordinator).post("/tools", {"name": "x" * 81}).status_code == 422
    assert not Offer.objects.exists()


def test_times_without_zone_are_taken_as_local(api, member):
    now = timezone.localtime().replace(tzinfo=None)
    payload = api_offer(
        pickup_from=now + timedelta(hours=1),
        pickup_until=now + timedelta(hours=5),
        expires_at=now + timedelta(days=1),
    )
    assert api(member).post("/offers", payload).status_code == 201


def test_radius_must_be_a_number_in_range(api, coordinator):
    response = api(coordinator).put("/sharing/settings", {"share_radius_km": "NaN"})
    assert response.status_code in (400, 422)
