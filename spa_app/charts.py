"""Server-rendered SVG charts: each area's score over the weeks and visits, bars per week or month.

pygal, the well-kept candidate, always writes a <style> element and an inline <script> into its
SVG with no option to leave them out, which our Content-Security-Policy (style-src 'self', no
inline script) blocks. So this is a small builder of our own that colours by class names
(spa_app/static/style.css) and keeps print-safe greys, dash patterns and marker shapes as
presentation attributes, so a chart still reads in black and white and without the stylesheet.

Every text is escaped, output is deterministic (no counters: a chart's ids come from its content
unless a ``chart_id`` is given) and a value outside the axis is refused with ``ValueError``
rather than drawn where it is not. The numbers belong in a table beside the chart as well
(templates/_macros/charts.html); inside ``role="img"`` the markers' tooltips are for the mouse.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

#: The largest text size style.css gives a chart (on a phone), in viewBox units: the layout
#: leaves room for it, and estimates label widths from it instead of measuring text.
FONT = 20
CHAR = 0.55 * FONT
INK = "#1f2933"
DASHES = ("", "9 5", "2 4", "12 4 2 4")
SHAPES = ("circle", "square", "diamond", "triangle")
MARKER = 6
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Series:
    """One line: ``points`` are (x, value) with x an index into ``x_labels`` or the x of a
    (x, label) tick (a date ordinal, say); a value of None is a gap that breaks the line.
    ``kind="points"`` draws the markers only (visits, say, between weekly check-ins)."""

    label: str
    points: Sequence[tuple[float, float | None]]
    kind: str = "line"

    def __post_init__(self) -> None:
        if self.kind not in ("line", "points"):
            raise ValueError(f"kind must be 'line' or 'points', not {self.kind!r}")


@dataclass(frozen=True)
class _Box:
    left: float
    top: float
    right: float
    bottom: float


def _text(value: object) -> Markup:
    """Escaped text with the characters XML cannot hold at all dropped."""
    return escape(_NOT_XML.sub("", str(value)))


def _n(v: float) -> str:
    """A coordinate, short and the same every time."""
    return f"{round(v, 1) + 0.0:g}"


def _plain(v: float) -> str:
    return f"{v:g}"


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round steps (1, 2, 2.5 or 5 times a power of ten) from lo to hi."""
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    first = math.ceil(lo / step - 1e-9) * step
    digits = max(0, 1 - math.floor(math.log10(step)))  # enough to keep 2.5 steps, no float dust
    return [round(first + i * step, digits) for i in range(int((hi - first) / step + 1e-9) + 1)]


def _checked(value: float, lo: float, hi: float, what: str) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and lo <= value <= hi):
        raise ValueError(f"{what} {value!r} is outside {lo}..{hi}")
    return value


def _left(fmt: Callable[[float], str], lo: float, hi: float) -> float:
    """Room left of the plot for the longest tick number."""
    return (max(2.5, len(fmt(lo)), len(fmt(hi))) + 2) * CHAR


def _auto_id(*content: object) -> str:
    return "chart-" + hashlib.sha1(repr(content).encode()).hexdigest()[:10]


def _open(chart_id: str, title: str, description: str, width: float, height: float, kind: str):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {kind}" id="{_text(chart_id)}"'
        f' viewBox="0 0 {_n(width)} {_n(height)}" width="100%"'
        f' preserveAspectRatio="xMidYMid meet" role="img"'
        f' aria-labelledby="{_text(chart_id)}-title {_text(chart_id)}-desc"'
        f' font-family="system-ui, sans-serif" font-size="14" fill="{INK}">',
        f'<title id="{_text(chart_id)}-title">{_text(title)}</title>',
        f'<desc id="{_text(chart_id)}-desc">{_text(description)}</desc>',
    ]


def _y_axis(box: _Box, lo: float, hi: float, label: str, fmt: Callable[[float], str]):
    """The y label above the plot, a gridline and a number at each tick, and the axes."""
    parts = [f'<text class="axis-label" x="0" y="{_n(FONT)}">{_text(label)}</text>']
    for tick in _ticks(lo, hi):
        y = _n(box.bottom - (tick - lo) / (hi - lo) * (box.bottom - box.top))
        parts.append(
            f'<line class="grid" x1="{_n(box.left)}" x2="{_n(box.right)}" y1="{y}" y2="{y}"'
            ' stroke="#cbd2d9" stroke-width="1"/>'
            f'<text class="tick" x="{_n(box.left - 6)}" y="{y}" text-anchor="end"'
            f' dominant-baseline="middle">{_text(fmt(tick))}</text>'
        )
    parts.append(
        f'<path class="axis" d="M{_n(box.left)} {_n(box.top)}V{_n(box.bottom)}H{_n(box.right)}"'
        f' fill="none" stroke="{INK}" stroke-width="1.5"/>'
    )
    return parts


def _x_labels(ticks: Sequence[tuple[float, str]], at: Callable[[float], float], y: float):
    """A label under each tick, every k-th one only where they would run into each other."""
    if not ticks:
        return []
    widest = max(len(label) for _x, label in ticks) * CHAR + FONT / 2
    xs = sorted(at(x) for x, _label in ticks)
    gap = min((b - a for a, b in zip(xs, xs[1:], strict=False) if b > a), default=widest)
    every = max(1, math.ceil(widest / gap))
    return [
        f'<text class="tick" x="{_n(at(x))}" y="{_n(y)}" text-anchor="middle">{_text(label)}</text>'
        for i, (x, label) in enumerate(sorted(ticks)) if i % every == 0
    ]  # fmt: skip


def _marker(shape: str, x: float, y: float, tip: str) -> str:
    r, tip = MARKER, f"<title>{_text(tip)}</title>"
    common = 'class="point" stroke="#fff" stroke-width="1.5"'
    if shape == "circle":
        return f'<circle {common} cx="{_n(x)}" cy="{_n(y)}" r="{r}">{tip}</circle>'
    if shape == "square":
        s = r * 0.9
        return (
            f'<rect {common} x="{_n(x - s)}" y="{_n(y - s)}" width="{_n(2 * s)}"'
            f' height="{_n(2 * s)}">{tip}</rect>'
        )
    corners = {
        "diamond": ((0, -1.25), (1.25, 0), (0, 1.25), (-1.25, 0)),
        "triangle": ((0, -1.3), (1.2, 0.9), (-1.2, 0.9)),
    }[shape]
    points = " ".join(f"{_n(x + dx * r)},{_n(y + dy * r)}" for dx, dy in corners)
    return f'<polygon {common} points="{points}">{tip}</polygon>'


def _legend(series: Sequence[Series], width: float, top: float) -> tuple[list[str], float]:
    """Each series' dash and marker with its label, wrapped into rows; returns (parts, height)."""
    parts, x, y, row = [], 0.0, top + FONT, FONT * 1.5
    fits = max(4, int((width - 48) / CHAR))
    for i, s in enumerate(series):
        label = s.label if len(s.label) <= fits else s.label[: fits - 1] + "\u2026"
        item = 48 + len(label) * CHAR + FONT
        if x and x + item > width:
            x, y = 0.0, y + row
        parts.append(
            f'<g class="legend series series-{i % 6 + 1}">'
            f'<line x1="{_n(x)}" x2="{_n(x + 36)}" y1="{_n(y)}" y2="{_n(y)}" stroke="{INK}"'
            f' stroke-width="2.5"{_dash(i)}/>{_marker(SHAPES[i % 4], x + 18, y, s.label)}'
            f'<text x="{_n(x + 44)}" y="{_n(y)}" dominant-baseline="middle">{_text(label)}</text>'
            "</g>"
        )
        x += item
    return parts, (y - top + FONT if series else 0)


def _dash(i: int) -> str:
    return f' stroke-dasharray="{DASHES[i % 4]}"' if DASHES[i % 4] else ""


def _empty(box: _Box) -> str:
    message = _("No data yet")
    return (
        f'<text class="empty" x="{_n((box.left + box.right) / 2)}"'
        f' y="{_n((box.top + box.bottom) / 2)}" text-anchor="middle">'
        f"{_text(message)}</text>"
    )


def line_chart(
    series: Sequence[Series],
    *,
    x_labels: Sequence[str] | Sequence[tuple[float, str]],
    y_label: str,
    title: str,
    description: str,
    y_min: float = 0,
    y_max: float = 10,
    width: float = 520,
    height: float = 280,
    value_format: Callable[[float], str] = _plain,
    chart_id: str | None = None,
) -> Markup:
    """Lines over time (x_labels: strings at 0, 1, 2... or (x, label) pairs); raises ValueError
    for a value outside y_min..y_max or a point that is not a finite number."""
    if not y_min < y_max:
        raise ValueError("y_min must be below y_max")
    ticks = [(i, t) if isinstance(t, str) else (t[0], str(t[1])) for i, t in enumerate(x_labels)]
    _check_points(series, y_min, y_max)
    chart_id = chart_id or _auto_id(series, ticks, y_min, y_max, y_label, title, width, height)
    legend, legend_h = _legend(series, width, height)
    box = _Box(_left(value_format, y_min, y_max), FONT * 2, width - 4, height - FONT * 1.8)
    parts = _open(chart_id, title, description, width, height + legend_h, "line-chart")
    parts += _y_axis(box, y_min, y_max, y_label, value_format)
    if not any(y is not None for s in series for _x, y in s.points):
        return Markup("\n".join([*parts, _empty(box), *legend, "</svg>"]))
    xs = [x for x, _t in ticks] + [x for s in series for x, _y in s.points]
    lo, hi = min(xs), max(xs)
    pad = min(box.right - box.left, max(FONT, max((len(t) for _x, t in ticks), default=0) * CHAR))
    pad = pad / 2 if hi > lo else 0

    def at(x: float) -> float:
        if hi == lo:
            return (box.left + box.right) / 2
        return box.left + pad + (x - lo) / (hi - lo) * (box.right - box.left - 2 * pad)

    def up(y: float) -> float:
        return box.bottom - (y - y_min) / (y_max - y_min) * (box.bottom - box.top)

    parts += _x_labels(ticks, at, height - FONT * 0.4)
    names = dict(ticks)
    for i, s in enumerate(series):
        parts.append(f'<g class="series series-{i % 6 + 1}" fill="{INK}">')
        for run in _runs(s.points) if s.kind == "line" else []:
            points = " ".join(f"{_n(at(x))},{_n(up(y))}" for x, y in run)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{INK}" stroke-width="2.5"'
                f' stroke-linejoin="round"{_dash(i)}/>'
            )
        for x, y in s.points:
            if y is not None:
                tip = f"{s.label}, {names.get(x, _plain(x))}: {value_format(y)}"
                parts.append(_marker(SHAPES[i % 4], at(x), up(y), tip))
        parts.append("</g>")
    return Markup("\n".join([*parts, *legend, "</svg>"]))


def bar_chart(
    bars: Sequence[tuple[str, float | None]],
    *,
    y_label: str,
    title: str,
    description: str,
    y_max: float | None = None,
    value_format: Callable[[float], str] = _plain,
    width: float = 520,
    height: float = 280,
    chart_id: str | None = None,
) -> Markup:
    """Vertical bars with their values on top (None: no bar, a dash); y_max None rounds the
    largest value up; raises ValueError for a negative value or one above y_max."""
    for label, value in bars:
        if value is not None:
            _checked(value, 0, math.inf if y_max is None else y_max, f"{label!r} value")
    values = [v for _label, v in bars if v is not None]
    if y_max is not None and not y_max > 0:
        raise ValueError("y_max must be above 0")
    if y_max is None:
        top = max(values, default=0) or 1
        step = _ticks(0, top)[1]
        y_max = math.ceil(top / step - 1e-9) * step
    chart_id = chart_id or _auto_id(bars, y_max, y_label, title, width, height)
    box = _Box(_left(value_format, 0, y_max), FONT * 2.6, width - 4, height - FONT * 1.8)
    parts = _open(chart_id, title, description, width, height, "bar-chart")
    parts += _y_axis(box, 0, y_max, y_label, value_format)
    if not values:
        return Markup("\n".join([*parts, _empty(box), "</svg>"]))
    slot = (box.right - box.left) / len(bars)
    show_values = max(len(value_format(v)) for v in values) * CHAR * 0.85 <= slot
    for i, (label, value) in enumerate(bars):
        middle = box.left + slot * (i + 0.5)
        shown = "\u2013" if value is None else value_format(value)
        top = box.bottom - (value or 0) / y_max * (box.bottom - box.top)
        if value is not None:
            parts.append(
                f'<rect class="bar" x="{_n(middle - slot * 0.32)}" y="{_n(top)}"'
                f' width="{_n(slot * 0.64)}" height="{_n(box.bottom - top)}" fill="#52606d">'
                f"<title>{_text(f'{label}: {shown}')}</title></rect>"
            )
        if show_values or value is None:
            parts.append(
                f'<text class="value" x="{_n(middle)}" y="{_n(top - 6)}"'
                f' text-anchor="middle">{_text(shown)}</text>'
            )
    parts += _x_labels(
        list(enumerate(label for label, _v in bars)), _bar_at(box, slot), height - FONT * 0.4
    )
    return Markup("\n".join([*parts, "</svg>"]))


def _bar_at(box: _Box, slot: float) -> Callable[[float], float]:
    return lambda i: box.left + slot * (i + 0.5)


def _check_points(series: Sequence[Series], y_min: float, y_max: float) -> None:
    for s in series:
        for x, y in s.points:
            _checked(x, -math.inf, math.inf, "x")
            if y is not None:
                _checked(y, y_min, y_max, f"{s.label!r} value")


def _runs(points: Sequence[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """The stretches of two or more points in x order between gaps (None values)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in sorted(points, key=lambda p: p[0]):
        if y is None:
            runs.append([])
        else:
            runs[-1].append((x, y))
    return [run for run in runs if len(run) > 1]
