from garden.plots.models import Plot
from garden.shifts.models import Task


def test_a_coordinator_can_tie_a_task_to_a_plot(api, coordinator, member):
    plot = Plot.objects.create(label="B3", area_m2=12, x=0, y=0, width=2, height=2)
    response = api(coordinator).post("/tasks", {"title": "Weed B3", "plot_id": plot.pk})
    assert response.status_code == 201
    assert response.json()["plot"] == "B3"
    assert Task.objects.get(title="Weed B3").plot == plot
    listed = api(member).get("/tasks").json()
    assert listed[0]["plot_id"] == plot.pk


def test_a_task_for_an_unknown_plot_is_refused(api, coordinator):
    response = api(coordinator).post("/tasks", {"title": "Weed", "plot_id": 999999})
    assert response.status_code == 409
    assert not Task.objects.exists()
