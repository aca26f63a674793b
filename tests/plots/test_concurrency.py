"""Real concurrent HTTP requests against a live server: the database settles every race."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection

from garden.members.models import ApiToken, Membership
from garden.plots.models import Plot, PlotPolicy, Tenancy
from tests.conftest import make_user

from .conftest import make_plot

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 5


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real row locks need PostgreSQL; SQLite serialises every write anyway")


def _token(user) -> str:
    return ApiToken.objects.create_token(user, "race")[1]


def _post_all(live_server, calls: list[tuple[str, str]]) -> list[int]:
    """POST every (token, path) at the same moment from its own thread; return the statuses."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def run(index: int, token: str, path: str) -> None:
        request = urllib.request.Request(
            f"{live_server.url}/api/v1{path}",
            data=b"{}",
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                statuses[index] = response.status
                json.load(response)
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [
        threading.Thread(target=run, args=(i, token, path)) for i, (token, path) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return statuses


def test_two_members_claiming_the_last_plot_one_wins(live_server, garden):
    racers = [make_user(f"racer{n}", garden, Membership.Role.MEMBER) for n in range(4)]
    tokens = [_token(user) for user in racers]
    for round_number in range(ROUNDS):
        plot = make_plot(f"R{round_number}")
        statuses = _post_all(live_server, [(t, f"/plots/{plot.pk}/claim") for t in tokens[:2]])
        assert sorted(statuses) == [200, 409], statuses
        assert Tenancy.objects.filter(plot=plot, status="active").count() == 1
        tokens = tokens[2:] + tokens[:2]  # the winner's next try would hit the limit
        Tenancy.objects.filter(plot=plot).update(status="ended")
        Plot.objects.filter(pk=plot.pk).update(status="out_of_use")


def test_a_member_cannot_exceed_the_limit_by_claiming_twice_at_once(live_server, garden):
    policy = PlotPolicy.current()
    policy.plots_per_member = 1
    policy.save()
    for round_number in range(ROUNDS):
        user = make_user(f"greedy{round_number}", garden, Membership.Role.MEMBER)
        token = _token(user)
        plots = [make_plot(f"G{round_number}-{n}") for n in range(3)]
        statuses = _post_all(live_server, [(token, f"/plots/{p.pk}/claim") for p in plots])
        assert sorted(statuses) == [200, 409, 409], statuses
        assert Tenancy.objects.filter(user=user, status="active").count() == 1


def test_many_members_many_plots_never_double_booked(live_server, garden):
    users = [make_user(f"crowd{n}", garden, Membership.Role.MEMBER) for n in range(6)]
    plots = [make_plot(f"C{n}") for n in range(3)]
    calls = [(_token(u), f"/plots/{plots[i % 3].pk}/claim") for i, u in enumerate(users)]
    statuses = _post_all(live_server, calls)
    assert statuses.count(200) == 3 and statuses.count(409) == 3, statuses
    for plot in plots:
        assert Tenancy.objects.filter(plot=plot, status="active").count() == 1
