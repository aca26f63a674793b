def test_an_id_too_large_for_the_database_is_a_400(api, member):
    response = api(member).get("/harvests", {"crop_id": 10**25})
    assert response.status_code in (400, 422)
    assert "detail" in response.json()


def test_a_quantity_too_large_for_a_decimal_is_a_400(api, member):
    body = {
        "crop": "Kale",
        "quantity": 2.65e205,
        "unit": "kg",
        "audience": "garden",
        "pickup_from": "2030-06-04T10:00:00+02:00",
        "pickup_until": "2030-06-04T12:00:00+02:00",
        "expires_at": "2030-06-05T10:00:00+02:00",
        "pickup_place": "shed",
    }
    response = api(member).post("/offers", body)
    assert 400 <= response.status_code < 500
