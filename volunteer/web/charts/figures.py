"""Bars, trend lines and a weekday × slot heatmap, drawn on the server as accessible SVG.

Each function returns inline SVG with ``role="img"``, a ``<title>`` and a ``<desc>`` (named by
``aria-labelledby``), so a screen reader announces the chart by its title and summary, while the
data table the page puts beside it (in a disclosure) carries every number. The values are also
printed in the chart: colour never carries a figure alone. Numbers arrive formatted (``show``),
so the caller's Babel locale decides the decimal comma. The view box is about as wide as a phone
(320 units), so text stays readable at 320 px and the chart simply grows on wider screens.

Used by the coordinators' match statistics; the district choropleth is in ``map.py``.
"""

from collections.abc import Callable, Sequence
from itertools import count

from markupsafe import Markup, escape

from volunteer.web.charts.map import STEPS, step_of

WIDTH = 320
_ids = count(1)


def _open(kind: str, height: float, title: str, desc: str) -> tuple[list[str], str]:
    n = next(_ids)
    ident = f"chart-{kind}-{n}"
    return [
        f'<svg class="chart chart-{kind}" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
    ], ident


def bars(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    desc: str,
    show: Callable[[float], str],
) -> Markup:
    """Horizontal bars, one per row, the label above its bar and the value after it."""
    row_h = 38
    height = max(1, len(rows)) * row_h + 4
    out, _ = _open("bars", height, title, desc)
    maximum = max((v for _, v in rows), default=0.0)
    room = WIDTH - 70  # the value is printed after the longest bar
    for i, (label, value) in enumerate(rows):
        y = i * row_h
        length = room * value / maximum if maximum > 0 else 0
        out.append(
            f'<text class="chart-label" x="0" y="{y + 13}">{escape(label)}</text>'
            f'<rect class="chart-bar" x="0" y="{y + 18}" width="{max(length, 1):.1f}" '
            f'height="14" rx="2"/>'
            f'<text class="chart-value" x="{length + 5:.1f}" y="{y + 30}">'
            f"{escape(show(value))}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated text is escaped above


def lines(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    desc: str,
    show: Callable[[float], str],
) -> Markup:
    """Trend lines over ``x_labels`` (weeks); each series its own colour, dash and marker shape,
    named in a legend inside the chart, with the first and last label and the maximum on the
    axes."""
    top, left, right, plot_h = 44 + 18 * ((len(series) + 1) // 2), 40, 8, 140
    height = top + plot_h + 24
    out, _ = _open("lines", height, title, desc)
    maximum = max((v for _, values in series for v in values), default=0.0)
    n = max(1, len(x_labels) - 1)
    width = WIDTH - left - right

    def x(i: int) -> float:
        return left + width * i / n

    def y(v: float) -> float:
        return top + plot_h - (plot_h * v / maximum if maximum > 0 else 0)

    for i, (name, _values) in enumerate(series):
        lx, ly = (i % 2) * 160, 14 + 18 * (i // 2)
        out.append(
            f'<line class="chart-line chart-line-{i}" x1="{lx}" y1="{ly}" x2="{lx + 22}" '
            f'y2="{ly}"/><text class="chart-label" x="{lx + 28}" y="{ly + 4}">{escape(name)}</text>'
        )
    out.append(
        f'<line class="chart-axis" x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" '
        f'y2="{top + plot_h}"/><line class="chart-axis" x1="{left}" y1="{top}" x2="{left}" '
        f'y2="{top + plot_h}"/>'
        f'<text class="chart-tick" x="{left - 4}" y="{top + 4}" text-anchor="end">'
        f"{escape(show(maximum))}</text>"
        f'<text class="chart-tick" x="{left - 4}" y="{top + plot_h}" text-anchor="end">'
        f"{escape(show(0))}</text>"
    )
    if x_labels:
        out.append(
            f'<text class="chart-tick" x="{left}" y="{height - 6}">{escape(x_labels[0])}</text>'
            f'<text class="chart-tick" x="{WIDTH - right}" y="{height - 6}" text-anchor="end">'
            f"{escape(x_labels[-1])}</text>"
        )
    for i, (_name, values) in enumerate(series):
        points = " ".join(f"{x(j):.1f},{y(v):.1f}" for j, v in enumerate(values))
        out.append(f'<polyline class="chart-line chart-line-{i}" points="{points}"/>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated text is escaped above


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    desc: str,
    show: Callable[[float], str],
) -> Markup:
    """A grid (weekdays × parts of the day), each cell shaded in the map's five steps and its
    value printed on it; ``None`` is "no data" (printed as a dash)."""
    head, left, cell_h = 24, 40, 30
    cell_w = (WIDTH - left) / max(1, len(columns))
    height = head + cell_h * len(rows) + 2
    out, _ = _open("heatmap", height, title, desc)
    maximum = max((v for row in values for v in row if v is not None), default=0.0)
    for j, name in enumerate(columns):
        out.append(
            f'<text class="chart-tick" x="{left + cell_w * (j + 0.5):.1f}" y="16" '
            f'text-anchor="middle">{escape(name)}</text>'
        )
    for i, name in enumerate(rows):
        y = head + i * cell_h
        out.append(f'<text class="chart-label" x="0" y="{y + 20}">{escape(name)}</text>')
        for j, value in enumerate(values[i]):
            step = 0 if value is None else step_of(value, maximum)
            assert 0 <= step < STEPS
            text = "–" if value is None else show(value)
            out.append(
                f'<rect class="map-step-{step}" x="{left + cell_w * j:.1f}" y="{y}" '
                f'width="{cell_w - 2:.1f}" height="{cell_h - 2}" rx="3"/>'
                f'<text class="map-value map-value-{step} chart-cell" '
                f'x="{left + cell_w * (j + 0.5):.1f}" y="{y + 19}">{escape(text)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated text is escaped above
