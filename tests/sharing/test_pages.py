"""The sharing pages: who may see them, forms, photos, the Nearby list and its filters."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from garden.members.services import get_garden
from garden.sharing import inbox, services
from garden.sharing.models import Claim, Loan, Offer
from tests.conftest import client_for

from .conftest import offer_values
from .test_inbox import produce

PAGES = ["/share/", "/share/mine/", "/share/offers/new/", "/share/tools/", "/share/loans/"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_members_refuse_outsiders_and_send_visitors_to_log_in(url, member, outsider):
    assert client_for(None).get(url).status_code == 302
    assert client_for(outsider).get(url).status_code == 403
    response = client_for(member).get(url)
    assert response.status_code == 200
    assert b'data-live-region="sharing-' in response.content or url == "/share/offers/new/"


def test_settings_and_tool_forms_are_for_coordinators(member, coordinator):
    for url in ("/share/settings/", "/share/tools/new/"):
        assert client_for(member).get(url).status_code == 403
        assert client_for(coordinator).get(url).status_code == 200


def _form(**overrides) -> dict:
    values = offer_values(**overrides)
    return {
        key: (value.strftime("%Y-%m-%dT%H:%M") if hasattr(value, "strftime") else str(value))
        for key, value in values.items()
    }


def test_offer_form_creates_an_offer_with_a_photo(member):
    photo = SimpleUploadedFile("my-home-address.png", PNG, content_type="image/png")
    response = client_for(member).post("/share/offers/new/", {**_form(), "photo": photo})
    offer = Offer.objects.get()
    assert response.status_code == 302 and response.url == f"/share/offers/{offer.pk}/"
    assert offer.photo.name.endswith(".png")
    assert "my-home-address" not in offer.photo.name
    page = client_for(member).get(f"/share/offers/{offer.pk}/").content.decode()
    assert f'src="{offer.photo.url}"' in page and 'alt="Photo of the Zucchini"' in page


@pytest.mark.parametrize(
    "content, name",
    [(b"GIF89a" + b"\x00" * 20, "x.png"), (b"<svg onload=alert(1)>", "x.jpg")],
)
def test_offer_form_refuses_other_file_types(member, content, name):
    photo = SimpleUploadedFile(name, content, content_type="image/png")
    response = client_for(member).post("/share/offers/new/", {**_form(), "photo": photo})
    assert response.status_code == 200
    assert "JPEG, PNG or WebP" in response.content.decode()
    assert not Offer.objects.exists()


def test_offer_form_refuses_large_photos(member):
    photo = SimpleUploadedFile("big.png", PNG + b"\x00" * (3 * 1024 * 1024), "image/png")
    response = client_for(member).post("/share/offers/new/", {**_form(), "photo": photo})
    assert "too large" in response.content.decode()
    assert not Offer.objects.exists()


def test_offer_form_shows_rule_errors(member):
    now = timezone.now()
    data = _form(pickup_from=now + timedelta(days=1), pickup_until=now + timedelta(hours=2))
    response = client_for(member).post("/share/offers/new/", data)
    assert "pickup window must end after it starts" in response.content.decode()


def test_claim_through_the_offer_page(other_member, offer):
    client = client_for(other_member)
    response = client.post(f"/share/offers/{offer.pk}/", {"quantity": "2"})
    assert response.status_code == 302
    assert Claim.objects.get().quantity == Decimal("2")
    response = client.post(f"/share/offers/{offer.pk}/", {"quantity": "9"})
    assert "Only 3 kg are left" in response.content.decode()


def test_offerer_sees_claims_and_marks_pickup(member, other_member, offer):
    claim = services.claim_offer(other_member, offer, Decimal("1"))
    page = client_for(member).get(f"/share/offers/{offer.pk}/").content.decode()
    assert "Otto" in page and "Picked up" in page
    client_for(member).post(f"/share/claims/{claim.pk}/picked-up/")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PICKED_UP


def test_edit_and_withdraw_through_pages(member, other_member, offer):
    assert client_for(other_member).get(f"/share/offers/{offer.pk}/edit/").status_code == 302
    data = {**_form(crop="Pumpkin")}
    client_for(member).post(f"/share/offers/{offer.pk}/edit/", data)
    offer.refresh_from_db()
    assert offer.crop == "Pumpkin"
    client_for(other_member).post(f"/share/offers/{offer.pk}/withdraw/")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.OPEN
    client_for(member).post(f"/share/offers/{offer.pk}/withdraw/")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN


def test_nearby_lists_ours_then_neighbours_nearest_first(member, api, near, far):
    inbox.offer_arrived(produce(far, name="Far beans"), far)
    inbox.offer_arrived(produce(near, name="Near tomatoes"), near)
    services.create_offer(member, **offer_values(crop="Our zucchini"))
    crops = [item["crop"] for item in api(member).get("/nearby").json()]
    assert crops == ["Our zucchini", "Near tomatoes", "Far beans"]
    page = client_for(member).get("/share/").content.decode()
    assert page.index("Our zucchini") < page.index("Near tomatoes") < page.index("Far beans")
    assert "2.2 km away" in page


def test_nearby_filters(member, api, near, far):
    now = timezone.now()
    inbox.offer_arrived(produce(far, name="Beans", quantityLeft="1.00"), far)
    inbox.offer_arrived(produce(near, name="Tomatoes"), near)
    later = {
        "pickup_from": now + timedelta(days=5),
        "pickup_until": now + timedelta(days=6),
        "expires_at": now + timedelta(days=7),
    }
    services.create_offer(member, **offer_values(crop="Cherry tomatoes", **later))

    def crops(**params):
        return sorted(item["crop"] for item in api(member).get("/nearby", params).json())

    assert crops(crop="tomat") == ["Cherry tomatoes", "Tomatoes"]
    assert crops(garden="here") == ["Cherry tomatoes"]
    assert crops(garden=near.actor_url) == ["Tomatoes"]
    assert crops(max_km=10) == ["Cherry tomatoes", "Tomatoes"]
    assert crops(min_left=2) == ["Cherry tomatoes", "Tomatoes"]
    # The day as the garden counts it: late in the evening, UTC's date is a day behind.
    pickup_day = timezone.localtime(now + timedelta(days=5), get_garden().tz).date()
    assert crops(pickup_on=str(pickup_day)) == ["Cherry tomatoes"]
    page = client_for(member).get("/share/", {"crop": "bean"}).content.decode()
    assert "Beans" in page and "Tomatoes" not in page
    assert api(member).get("/nearby", {"max_km": "far"}).status_code in (400, 422)


def test_nearby_hides_expired_offers_even_before_the_expiry_run(member, api, offer):
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api(member).get("/nearby").json() == []


def test_tool_pages_request_and_decide_a_loan(member, coordinator, tool):
    start = services.garden_today() + timedelta(days=1)
    data = {"start_date": str(start), "end_date": str(start), "note": "Thanks!"}
    response = client_for(member).post(f"/share/tools/{tool.pk}/", data)
    assert response.status_code == 302
    loan = Loan.objects.get()
    page = client_for(coordinator).get("/share/loans/").content.decode()
    assert "Mara" in page and "Approve" in page
    client_for(coordinator).post(f"/share/loans/{loan.pk}/", {"action": "approve"})
    client_for(coordinator).post(f"/share/loans/{loan.pk}/", {"action": "lent"})
    client_for(coordinator).post(
        f"/share/loans/{loan.pk}/", {"action": "returned", "condition_note": "Clean"}
    )
    loan.refresh_from_db()
    assert (loan.status, loan.return_note) == (Loan.Status.RETURNED, "Clean")
    assert client_for(member).post(f"/share/loans/{loan.pk}/", {"action": "x"}).status_code == 400
    detail = client_for(member).get(f"/share/tools/{tool.pk}/").content.decode()
    assert "Not booked" in detail


def test_member_cannot_decide_loans_through_the_page(member, tool):
    start = services.garden_today() + timedelta(days=1)
    loan = services.request_loan(member, tool, start_date=start, end_date=start)
    client_for(member).post(f"/share/loans/{loan.pk}/", {"action": "approve"})
    loan.refresh_from_db()
    assert loan.status == Loan.Status.REQUESTED


def test_tool_form_with_photo(coordinator):
    photo = SimpleUploadedFile("t.png", PNG, content_type="image/png")
    data = {"name": "Spade", "condition": "good", "lend_to_members": "on", "photo": photo}
    response = client_for(coordinator).post("/share/tools/new/", data)
    assert response.status_code == 302
    tool = services.library().get()
    assert tool.photo.name.endswith(".png")
    client_for(coordinator).post(f"/share/tools/{tool.pk}/retire/")
    assert not services.library().exists()


def test_settings_page_sets_the_radius(coordinator):
    client_for(coordinator).post(
        "/share/settings/",
        {"share_radius_km": "7.5", "hop_limit": "0", "claims_from_peers_only": "on"},
    )
    from garden.sharing.models import SharingSettings

    row = SharingSettings.load()
    assert row.share_radius_km == Decimal("7.5")
    assert row.hop_limit == 0 and row.claims_from_peers_only


def test_export_holds_my_offers_claims_and_loans(member, other_member, offer, tool):
    from garden.members.exports import export_user_data

    services.claim_offer(other_member, offer, Decimal("1"))
    start = services.garden_today() + timedelta(days=1)
    services.request_loan(other_member, tool, start_date=start, end_date=start)
    mine = export_user_data(member)["sharing"]
    assert [o["crop"] for o in mine["offers"]] == ["Zucchini"] and mine["claims"] == []
    theirs = export_user_data(other_member)["sharing"]
    assert theirs["claims"][0]["quantity"] == "1.00"
    assert theirs["loans"][0]["tool"] == "Tiller"


def test_deleting_an_account_keeps_no_name_behind(member, other_member, offer):
    services.claim_offer(other_member, offer, Decimal("1"))
    other_member.delete()
    claim = Claim.objects.get()
    assert claim.claimant is None
    assert claim.claimant_name == "former member"


def test_demo_seed_is_idempotent(garden, coordinator, member):
    from garden.sharing import demo

    users = {"coordinator": coordinator, "member1": member, "member2": member}
    demo.seed(garden, users)
    counts = (Offer.objects.count(), services.library().count(), Loan.objects.count())
    demo.seed(garden, users)
    assert (Offer.objects.count(), services.library().count(), Loan.objects.count()) == counts
    assert counts[0] >= 2 and counts[1] >= 2 and counts[2] >= 1


def test_coordinator_sees_all_claims_and_may_claim_too(coordinator, member, offer):
    page = client_for(coordinator).get(f"/share/offers/{offer.pk}/").content.decode()
    assert "Claim some" in page and "Withdraw offer" in page
    own = client_for(member).get(f"/share/offers/{offer.pk}/").content.decode()
    assert "Claim some" not in own


def test_pages_show_and_read_times_in_the_gardens_time_zone(member, garden):
    garden.timezone = "Asia/Tokyo"  # UTC+9, no daylight saving
    garden.save()
    tomorrow = services.garden_today() + timedelta(days=1)
    data = {
        **_form(),
        "pickup_from": f"{tomorrow}T10:00",
        "pickup_until": f"{tomorrow}T12:00",
        "expires_at": f"{tomorrow}T13:00",
    }
    client_for(member).post("/share/offers/new/", data)
    offer = Offer.objects.get()
    assert offer.pickup_from.astimezone(datetime.UTC).hour == 1
    page = client_for(member).get(f"/share/offers/{offer.pk}/").content.decode()
    assert "10 a.m." in page
