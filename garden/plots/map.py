"""The garden map as data for the server-rendered SVG: grid units become pixels."""

from dataclasses import dataclass

from .models import Plot

CELL = 20  # pixels per grid unit


@dataclass
class MapPlot:
    plot: Plot
    mine: bool
    x: int
    y: int
    width: int
    height: int

    @property
    def css(self) -> str:
        return f"plot {self.plot.status}" + (" mine" if self.mine else "")

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2

    @property
    def label_y(self) -> float:
        return self.y + self.height / 2


def garden_map(plots: list[Plot], my_plot_ids: set[int]) -> dict:
    shapes = [
        MapPlot(
            plot=plot,
            mine=plot.pk in my_plot_ids,
            x=plot.x * CELL,
            y=plot.y * CELL,
            width=plot.width * CELL,
            height=plot.height * CELL,
        )
        for plot in plots
    ]
    width = max((s.x + s.width for s in shapes), default=CELL * 10) + CELL
    height = max((s.y + s.height for s in shapes), default=CELL * 5) + CELL
    return {"shapes": shapes, "width": width, "height": height}
