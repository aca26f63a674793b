"""The garden map as data for the server-rendered SVG: grid units become pixels."""

from dataclasses import dataclass, field
from html import escape  # the standard library's: Django's lazy-aware one is 5× slower

from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

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
    # Worked out once here rather than per plot in the template ({% url %} and
    # {% blocktranslate %} 1,000 times made a map of 500 plots take 190 ms to render).
    url: str = ""
    status_label: str = ""
    title: str = field(default="")
    area: str = ""

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
    index = reverse("plots:index")  # a plot's page is index + "<pk>/"
    yours = _("yours")
    # Looked up once, not per plot (get_status_display() translates lazily each time).
    statuses = {value: str(label) for value, label in Plot.Status.choices}
    title_text = _("Plot %(label)s, %(area)s m², %(status)s")
    areas: dict = {}  # localize() is slow, and a garden has few different plot sizes
    shapes = []
    for plot in plots:
        mine = plot.pk in my_plot_ids
        status = statuses.get(plot.status, plot.status)
        area = areas.get(plot.area_m2)
        if area is None:
            area = areas[plot.area_m2] = localize(plot.area_m2)
        title = title_text % {"label": plot.label, "area": area, "status": status}
        shapes.append(
            MapPlot(
                plot=plot,
                mine=mine,
                x=plot.x * CELL,
                y=plot.y * CELL,
                width=plot.width * CELL,
                height=plot.height * CELL,
                url=f"{index}{plot.pk}/",
                status_label=status,
                title=f"{title} · {yours}" if mine else title,
                area=area,
            )
        )
    width = max((s.x + s.width for s in shapes), default=CELL * 10) + CELL
    height = max((s.y + s.height for s in shapes), default=CELL * 5) + CELL
    return {
        "shapes": shapes,
        "width": width,
        "height": height,
        "svg": _svg_shapes(shapes),
        "rows": _table_rows(shapes, yours),
    }


# The map and the list repeat per plot, so they are written here rather than by the
# template engine (~0.2 ms a plot for the same markup). Every text value goes through
# escape(); the numbers are ints and floats computed above.
def _svg_shapes(shapes: list[MapPlot]) -> str:
    return mark_safe(  # noqa: S308 - every text value below is escaped
        "\n".join(
            f'  <a href="{escape(s.url)}" class="plot-link">\n'
            f"    <title>{escape(s.title)}</title>\n"
            f'    <rect class="{escape(s.css)}" x="{s.x}" y="{s.y}" width="{s.width}" '
            f'height="{s.height}" rx="3"/>\n'
            f'    <text class="plot-label" x="{s.label_x}" y="{s.label_y}" '
            f'text-anchor="middle" dominant-baseline="central">{escape(s.plot.label)}</text>\n'
            "  </a>"
            for s in shapes
        )
    )


def _table_rows(shapes: list[MapPlot], yours: str) -> str:
    mine_tag = f' <strong class="mine-tag">{escape(yours)}</strong>'
    return mark_safe(  # noqa: S308 - every text value below is escaped
        "\n".join(
            f'<tr><th scope="row"><a href="{escape(s.url)}">{escape(s.plot.label)}</a></th>'
            f"<td>{escape(s.area)} m²</td>"
            f'<td><span class="status plot-status {escape(s.plot.status)}">'
            f"{escape(capfirst(s.status_label))}</span>{mine_tag if s.mine else ''}</td></tr>"
            for s in shapes
        )
    )
