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
