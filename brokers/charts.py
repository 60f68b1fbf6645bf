"""Small charts drawn on the server as SVG: no script, so the CSP stays strict.

A chart is geometry computed here and drawn by a template with presentation attributes and
CSS classes (no style attributes); the template also carries the numbers as a table, which is
what a screen reader reads.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str  # what the x axis says under it, e.g. "Nov"
    title: str  # the long label, e.g. "November 2026"
    value: int
    text: str  # the value as the chart and its table write it, e.g. "1,204" or "$3,120.50"
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self):
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self):
        """Where the value is written: just above the bar."""
        return round(self.y - 4, 1)


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float  # y of the x axis
    bars: list
    top_value: int  # the value of the top gridline
    top_text: str
    top_y: float
    # Whether each bar's value is written above it; with many bars only the table has them.
    show_values: bool = True

    @property
    def first(self):
        return self.bars[0] if self.bars else None

    @property
    def last(self):
        return self.bars[-1] if self.bars else None

    @property
    def top_label_y(self):
        return round(self.top_y - 6, 1)

    @property
    def month_y(self):
        return self.height - 8


def nice_ceiling(value):
    """The smallest of 1, 2, 2.5, 5 × 10^n that is at least `value` (a readable axis top)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude) if step * magnitude >= 1 else 1
    return 10 * magnitude


def monthly_bar_chart(
    points,
    *,
    value_text=lambda value: f"{value:,}",
    show_values=True,
    width=560,
    height=180,
    top=24,
    bottom=28,
    side=8,
    gap=6,
):
    """Geometry for one bar per (first of month, value): bars fill the width between margins.

    `value_text` writes a value for people (a count by default; money with dollars and cents).
    """
    points = list(points)
    top_value = nice_ceiling(max((value for _, value in points), default=0))
    baseline = height - bottom
    plot_height = baseline - top
    step = (width - 2 * side) / max(1, len(points))
    bars = []
    for index, (day, value) in enumerate(points):
        bar_height = plot_height * value / top_value
        bars.append(
            Bar(
                label=day.strftime("%b"),
                title=day.strftime("%B %Y"),
                value=value,
                text=value_text(value),
                x=round(side + index * step + gap / 2, 1),
                y=round(baseline - bar_height, 1),
                width=round(step - gap, 1),
                height=round(bar_height, 1),
            )
        )
    return BarChart(
        width, height, baseline, bars, top_value, value_text(top_value), top, show_values
    )
