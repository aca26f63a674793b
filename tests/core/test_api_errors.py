def test_an_id_too_large_for_the_database_is_a_400(api, member):
    response = api(member).get("/harvests", {"crop_id": 10**25})
    assert response.status_code in (400, 422)
    assert "detail" in response.json()
