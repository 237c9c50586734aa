"""The dashboard's charts: SVG drawn on the server by pygal from a table's own rows.

A chart is drawn when beat computes its table and stored beside it, so a page view draws
nothing. The page shows it as an image (an SVG's own styles need a CSP of their own) with
the table of the same numbers next to it, which is what screen readers and the CSV read.
pygal adds a script for its tooltips; we drop it, since an image runs no script anyway.
"""

import re
from dataclasses import dataclass

import pygal
from pygal.style import Style

# Dark enough on white for text and lines (WCAG 2.2 AA): the site's own palette.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#555555",
    colors=("#1d4f91", "#b3261e", "#1b6e3a", "#7a4a00", "#5b2c83", "#00606b", "#444444"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    title_font_size=14,
    value_font_size=11,
)
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
MAX_X_LABELS = 12


@dataclass(frozen=True)
class Chart:
    """How to draw a table: `kind` line, bar or stacked; x from column `x`, one series per
    column in `series` (index into the row); `lines`: flat reference lines (label, value)
    such as a threshold or the complaint limit."""

    kind: str
    x: int
    series: tuple[int, ...]
    lines: tuple[tuple[str, float], ...] = ()
    percent: bool = False


KINDS = {"line": pygal.Line, "bar": pygal.Bar, "stacked": pygal.StackedBar}


def chart_svg(chart: Chart, *, title: str, columns: list[str], rows: list[list]) -> str:
    """The chart of these rows as a standalone SVG document, without script."""
    drawing = KINDS[chart.kind](
        style=STYLE,
        width=800,
        height=360,
        title=title,
        show_dots=chart.kind == "line" and len(rows) <= 60,
        x_label_rotation=30,
        show_minor_x_labels=False,
        max_scale=8,
        truncate_label=24,
        legend_at_bottom=True,
        print_values=False,
        js=[],
        value_formatter=_percent if chart.percent else _count,
    )
    labels = [str(row[chart.x]) for row in rows]
    drawing.x_labels = labels
    every = max(1, len(labels) // MAX_X_LABELS)
    drawing.x_labels_major = labels[::every]
    for index in chart.series:
        drawing.add(columns[index], [_number(row[index]) for row in rows])
    for label, value in chart.lines:
        drawing.add(label, [value] * len(rows), show_dots=False, stroke_style={"dasharray": "6,4"})
    return SCRIPT.sub("", drawing.render(is_unicode=True))


def _percent(value) -> str:
    return f"{value:.1%}"


def _count(value) -> str:
    """Whole numbers as such; pygal's axis may step by fractions on small counts."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None
