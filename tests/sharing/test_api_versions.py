"""A sharing list with a path parameter, in both API versions (docs/api.md, "Versions")."""

from decimal import Decimal

from garden.sharing import services


def test_an_offers_claims_are_an_array_in_v1_and_pages_in_v2(
    api, api_v2, offer, member, other_member, coordinator
):
    for quantity in ("1", "2", "1.5"):
        services.claim_offer(other_member, offer, Decimal(quantity))
    legacy = api(member).get(f"/offers/{offer.pk}/claims")
    assert [claim["quantity"] for claim in legacy.json()] == [1.0, 2.0, 1.5]
    assert legacy.headers["Link"] == (
        f'</api/v2/offers/{offer.pk}/claims>; rel="successor-version"'
    )
    page = api_v2(member).get(f"/offers/{offer.pk}/claims", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 3
    assert page["items"] == legacy.json()[1:3]
    # The same query answers both versions: the offerer and coordinators see every claim.
    assert api_v2(coordinator).get(f"/offers/{offer.pk}/claims").json()["count"] == 3
    assert (
        api(other_member).get("/claims").json()
        == api_v2(other_member).get("/claims").json()["items"]
    )


def test_a_list_of_v2_refuses_an_unknown_object_as_v1_does(api, api_v2, member):
    assert api(member).get("/offers/999999/claims").status_code == 404
    assert api_v2(member).get("/offers/999999/claims").status_code == 404
