"""Line charts as inline SVG: pure string building, no plotting library, so a report opens with no network.

One style for every chart of the report (the palette and sizes below are shared with the PNG twins in
`figures.py`). Each series is one `<polyline class="series">` whose `points` hold one x,y pair per data
point, in order, and whose `data-n` says how many; short series also get a dot per point with a tooltip.
Axes are labelled with their units by the caller; a log axis (base 2 or 10) is chosen per chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")
WIDTH, HEIGHT = 380, 230
MARGIN = {"left": 52, "right": 22, "top": 22, "bottom": 40}
TICK_CHAR_PX = 6.0  # a generous width of one 10 px tick character (digits are ~5.6 px in the usual sans fonts)
# the rotated y label's baseline (its glyphs lie left of it) and the gap its descenders and the tick labels need
Y_LABEL_X, Y_LABEL_GAP, TICK_GAP = 12, 6, 4
DOTS_UP_TO = 120  # more points than this: the line alone (a dot each would hide it)


@dataclass
class Series:
    label: str
    points: list[tuple[float, float]]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high], about `count` of them.

    >>> nice_ticks(0.0, 1.0)
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> nice_ticks(0.0, 17.0)
    [0, 5, 10, 15, 20]
    >>> nice_ticks(0.03, 0.03)  # one value: an axis 20% wide around it (unit-wide around 0)
    [0.026, 0.028, 0.03, 0.032, 0.034]
    """
    if high <= low:
        pad = abs(low) * 0.1 or 0.5
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 12))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 12))
    return ticks


def log_ticks(low: float, high: float, base: int) -> list[float]:
    """Powers of `base` covering [low, high] (both > 0), thinned to at most 7.

    >>> log_ticks(1, 16, 2)
    [1, 2, 4, 8, 16]
    """
    first, last = math.floor(math.log(low, base) + 1e-9), math.ceil(math.log(high, base) - 1e-9)
    powers = list(range(first, max(last, first + 1) + 1))
    stride = max(1, math.ceil(len(powers) / 7))
    return [base**p for p in powers[::stride]]


def tick_label(value: float, ticks: Sequence[float]) -> str:
    """A linear axis's tick label with the fewest decimals that tell its ticks apart.

    >>> [tick_label(v, [5.7505, 5.751, 5.7515]) for v in (5.7505, 5.751)]
    ['5.7505', '5.751']
    >>> tick_label(0.25, [0.0, 0.25, 0.5]), tick_label(1200.0, [800.0, 1200.0]), tick_label(3e-7, [0, 1e-7, 3e-7])
    ('0.25', '1.2k', '3.0e-07')
    """
    step = min((abs(b - a) for a, b in zip(ticks, ticks[1:]) if b != a), default=1.0)
    if abs(value) >= 1e3 or step >= 1:
        return format_number(value)
    if max(abs(t) for t in ticks) < 1e-2:  # tiny values (a loss near zero): scientific notation keeps labels short
        return "0" if abs(value) < step * 1e-6 else f"{value:.1e}"
    for decimals in range(1, 10):
        if abs(round(value, decimals) - value) < step * 1e-6:
            return f"{value:.{decimals}f}"
    return format_number(value)


def format_number(value: float) -> str:
    """A short tick label: 0.25, 12, 3.5k, 1.2e+12.

    >>> [format_number(v) for v in (0.25, 12.0, 3500.0, 1.2e12, 0.0001)]
    ['0.25', '12', '3.5k', '1.2e+12', '1e-04']
    """
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude >= 1e6 or magnitude < 1e-3:
        return f"{value:.2g}" if magnitude >= 1e6 else f"{value:.0e}"
    if magnitude >= 1e3:
        return f"{value / 1e3:.3g}k"
    return f"{value:.3g}"


def _scale(low: float, high: float, start: float, end: float, log_base: int | None):
    if log_base:
        low, high = math.log(low, log_base), math.log(high, log_base)
    span = (high - low) or 1.0

    def to_pixel(value: float) -> float:
        v = math.log(value, log_base) if log_base else value
        return start + (v - low) / span * (end - start)

    return to_pixel


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    log_x: int | None = None,
    y_range: tuple[float, float] | None = None,
    chart_id: str = "",
) -> str:
    """An SVG line chart in a <figure>; `log_x` is the base of a logarithmic x axis (2 or 10) or None."""
    drawn = [s for s in series if s.points]
    xs = [x for s in drawn for x, _ in s.points if not log_x or x > 0]
    ys = [y for s in drawn for _, y in s.points]
    if not xs:
        caption = f"<figcaption>{escape(title)}: no data</figcaption>"
        return f'<figure class="chart empty" data-chart="{escape(chart_id)}">{caption}</figure>'
    x_ticks = log_ticks(min(xs), max(xs), log_x) if log_x else nice_ticks(min(xs), max(xs))
    y_ticks = nice_ticks(*y_range) if y_range else nice_ticks(min(ys), max(ys))
    y_labels = [tick_label(t, y_ticks) for t in y_ticks]
    # long tick labels (a learning rate's 5.0e-05) move the plot right rather than run into the y label
    widest = max(len(label) for label in y_labels) * TICK_CHAR_PX
    left = max(MARGIN["left"], math.ceil(Y_LABEL_X + Y_LABEL_GAP + widest + TICK_GAP))
    right = WIDTH - MARGIN["right"]
    top, bottom = MARGIN["top"], HEIGHT - MARGIN["bottom"]
    px = _scale(x_ticks[0], x_ticks[-1], left, right, log_x)
    py = _scale(y_ticks[0], y_ticks[-1], bottom, top, None)
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f'<text class="title" x="{left}" y="14">{escape(title)}</text>',
    ]
    for t, label in zip(y_ticks, y_labels):
        y = py(t)
        parts.append(f'<line class="grid" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{left - TICK_GAP}" y="{y + 3:.1f}" text-anchor="end">{label}</text>')
    for t in x_ticks:
        x = px(t)
        parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}"/>')
        label = format_number(t) if log_x else tick_label(t, x_ticks)
        parts.append(f'<text class="tick" x="{x:.1f}" y="{bottom + 13}" text-anchor="middle">{label}</text>')
    parts.append(f'<rect class="frame" x="{left}" y="{top}" width="{right - left}" height="{bottom - top}"/>')
    middle = (left + right) / 2
    parts.append(f'<text class="axis" x="{middle:.0f}" y="{HEIGHT - 6}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(
        f'<text class="axis" transform="translate({Y_LABEL_X} {(top + bottom) / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )
    for index, s in enumerate(drawn):
        color = PALETTE[index % len(PALETTE)]
        points = [(x, y) for x, y in s.points if not log_x or x > 0]
        coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)
        parts.append(
            f'<polyline class="series" data-label="{escape(s.label)}" data-n="{len(points)}" '
            f'stroke="{color}" points="{coords}"/>'
        )
        if len(points) <= DOTS_UP_TO:
            for x, y in points:
                parts.append(
                    f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.2" fill="{color}">'
                    f"<title>{escape(s.label)}: {format_number(x)}, {y:.4g}</title></circle>"
                )
    parts.append("</svg>")
    legend = ""
    if len(drawn) > 1:  # below the plot, where it hides no point
        keys = "".join(
            f'<span><i style="background:{PALETTE[index % len(PALETTE)]}"></i>{escape(s.label)}</span>'
            for index, s in enumerate(drawn)
        )
        legend = f'<figcaption class="legend">{keys}</figcaption>'
    return f'<figure class="chart" data-chart="{escape(chart_id)}">{"".join(parts)}{legend}</figure>'
