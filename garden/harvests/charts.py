"""Bar charts drawn on the server as plain SVG coordinates (no JavaScript chart library).

The template `harvests/_bar_chart.html` turns a chart into an <svg>; the same figures are
always shown in a table next to it, so the chart is a picture of the table, not its only form.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format

WIDTH = 480
LABEL_WIDTH = 130
VALUE_WIDTH = 100
ROW_HEIGHT = 32
BAR_GAP = 8


@dataclass
class Bar:
    label: str
    value_text: str
    y: int
    width: float
    text_y: int
    value_x: float


@dataclass
class BarChart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    label_width: int = LABEL_WIDTH
    bar_height: int = ROW_HEIGHT - BAR_GAP

    @property
    def empty(self) -> bool:
        return not any(bar.width for bar in self.bars)


def bar_chart(title: str, rows: list[tuple[str, Decimal | int]], unit: str) -> BarChart:
    """Horizontal bars, one per (label, value) row, scaled to the largest value."""
    chart = BarChart(title=title, height=max(1, len(rows)) * ROW_HEIGHT)
    largest = max((value for _label, value in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    for index, (label, value) in enumerate(rows):
        width = round(float(value) / float(largest) * room, 1)
        if value and width < 1:
            width = 1.0  # a small harvest still shows as a sliver
        y = index * ROW_HEIGHT
        chart.bars.append(
            Bar(
                label=label if len(label) <= 16 else label[:15] + "…",
                value_text=f"{number_format(value, 1)} {unit}",
                y=y + BAR_GAP // 2,
                width=width,
                text_y=y + ROW_HEIGHT // 2 + 5,
                value_x=LABEL_WIDTH + width + 6,
            )
        )
    return chart
