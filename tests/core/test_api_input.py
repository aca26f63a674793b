def test_a_json_array_for_an_object_body_names_the_body(api, coordinator):
    response = api(coordinator).patch("/garden", [None, None])
    assert response.status_code == 422
    assert response.json()["fields"][0]["in"] == "body"


def test_a_query_value_of_the_wrong_type_is_a_422_naming_it(api, member):
    response = api(member).get("/harvests", {"date_to": "0"})
    assert response.status_code == 422
    assert response.json()["fields"] == [
        {"in": "query", "field": "date_to", "message": "Enter a date as YYYY-MM-DD."}
    ]


def test_unknown_fields_are_refused_and_nothing_changes(api, coordinator, garden):
    response = api(coordinator).patch("/garden", {"name": "Neu", "nmae": "typo"})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "nmae"
    garden.refresh_from_db()
    assert garden.name == "Testgarten"


def test_a_date_the_schema_allows_but_the_database_cannot_hold_is_a_409(api, member):
    # Found by Schemathesis on PostgreSQL: a valid RFC 3339 time in the year 22 (with an
    # offset that puts it before the year 1 in UTC). SQLite stores it; PostgreSQL cannot.
    from garden.sharing.models import Offer

    body = {
        "crop": "Zucchini",
        "quantity": 1,
        "pickup_from": "0022-04-18T21:38:46-22:05",
        "pickup_until": "2030-06-04T12:00:00+02:00",
        "expires_at": "2030-06-05T10:00:00+02:00",
    }
    response = api(member).post("/offers", body)
    assert response.status_code in (201, 409), response.content
    if response.status_code == 409:
        assert response.json()["detail"]
        assert not Offer.objects.exists()
