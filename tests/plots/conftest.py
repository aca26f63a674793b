from decimal import Decimal

import pytest

from garden.plots.models import Plot, PlotPolicy


def make_plot(label: str, **fields) -> Plot:
    fields.setdefault("area_m2", Decimal("20"))
    return Plot.objects.create(label=label, **fields)


@pytest.fixture
def policy(garden) -> PlotPolicy:
    return PlotPolicy.current()


@pytest.fixture
def plot(garden) -> Plot:
    return make_plot("A1", x=1, y=1, width=4, height=3)


@pytest.fixture
def second_plot(garden) -> Plot:
    return make_plot("A2", x=6, y=1, width=4, height=3)
