from tests.conftest import client_for


def test_a_pickup_day_at_the_end_of_time_is_a_clear_409_in_the_api(api, member):
    response = api(member).get("/nearby", {"pickup_on": "9999-12-31"})
    assert response.status_code == 409
    assert "pickup day" in response.json()["detail"]


def test_a_pickup_day_at_the_end_of_time_is_a_form_error_on_the_page(member):
    response = client_for(member).get("/share/", {"pickup_on": "9999-12-31"})
    assert response.status_code == 200
    assert "between the years 1900 and 9000" in response.content.decode()
