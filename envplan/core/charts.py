"""Inline SVG charts drawn on the server, for every page: no JavaScript, no CDN, readable offline, printable
and read by screen readers (each chart has a label, each point a title).

One small toolkit: `Chart` maps values into a plot area and collects the SVG parts (bands, horizontal lines,
lines broken at gaps, dots, ticks); `time_chart` and `series_chart` draw the pages' two kinds of line chart
with it; `sparkline` and `stacked_bar` are the dashboard's small ones. Apps pass their data and colours.
Text that comes from data is escaped; everything else is numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LIMIT_COLOUR = "#cf222e"
AXIS_COLOUR = "#999"


@dataclass
class Chart:
    """A plot area of `width` × `height` pixels with margins, showing values from `low` to `high`."""

    width: int
    height: int
    high: float
    low: float = 0.0
    margins: tuple[int, int, int, int] = (8, 8, 8, 22)  # left, right, top, bottom
    parts: list[str] = field(default_factory=list)

    @property
    def left(self) -> int:
        return self.margins[0]

    @property
    def top(self) -> int:
        return self.margins[2]

    @property
    def plot_width(self) -> int:
        return self.width - self.margins[0] - self.margins[1]

    @property
    def plot_height(self) -> int:
        return self.height - self.margins[2] - self.margins[3]

    def x(self, fraction: float) -> float:
        """The x of a point `fraction` (0 to 1) of the way across the plot."""
        return self.left + fraction * self.plot_width

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return self.top + self.plot_height * (1 - (value - self.low) / span)

    def background(self, *, fill: str = "#f6f8fa", stroke: str = "#d0d7de") -> None:
        self.parts.append(
            f'<rect x="{self.left}" y="{self.top}" width="{self.plot_width}" height="{self.plot_height}" '
            f'fill="{fill}" stroke="{stroke}"/>'
        )

    def band(self, low: float, high: float, *, fill: str, opacity: float = 0.18, tick: str = "") -> None:
        """A horizontal band of values, with its upper bound written on the left."""
        self.parts.append(
            f'<rect x="{self.left}" y="{self.y(high):.1f}" width="{self.plot_width}" '
            f'height="{self.y(low) - self.y(high):.1f}" fill="{fill}" fill-opacity="{opacity}"/>'
        )
        if tick:
            self.y_tick(high, tick, offset=10)

    def hline(
        self, value: float, *, stroke: str, dash: str, testid: str = "", title: str = "", text: str = ""
    ) -> None:
        """A horizontal line at `value` (a limit, a goal), with an optional title and a label at the right."""
        y = f"{self.y(value):.1f}"
        testid_attr = f' data-testid="{testid}"' if testid else ""
        inner = f"<title>{escape(title)}</title>" if title else ""
        self.parts.append(
            f'<line x1="{self.left}" y1="{y}" x2="{self.left + self.plot_width}" y2="{y}" stroke="{stroke}" '
            f'stroke-width="1.5" stroke-dasharray="{dash}"{testid_attr}>{inner}</line>'
        )
        if text:
            self.parts.append(
                f'<text x="{self.left + self.plot_width - 2}" y="{self.y(value) - 3:.1f}" font-size="10" '
                f'text-anchor="end" fill="{stroke}">{escape(text)}</text>'
            )

    def line(self, runs: Sequence[Sequence[tuple[float, float]]], *, stroke: str, width: float = 1.5) -> None:
        """One polyline per run of (fraction, value) points; a chart breaks its runs where data is missing."""
        for run in runs:
            if len(run) > 1 or (run and len(runs) == 1):
                points = " ".join(f"{self.x(f):.1f},{self.y(v):.1f}" for f, v in run)
                self.parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{stroke}" stroke-width="{width}"/>'
                )

    def vspan(self, start: float, end: float, *, fill: str, title: str = "", opacity: float = 0.25) -> None:
        """A vertical band over the plot from fraction `start` to `end` (a stretch of time marked out)."""
        left, right = max(0.0, min(start, end)), min(1.0, max(start, end))
        inner = f"<title>{escape(title)}</title>" if title else ""
        width = max(self.x(right) - self.x(left), 1.0)
        self.parts.append(
            f'<rect x="{self.x(left):.1f}" y="{self.top}" width="{width:.1f}" '
            f'height="{self.plot_height}" fill="{fill}" fill-opacity="{opacity}" data-testid="marked-span">'
            f"{inner}</rect>"
        )

    def dot(self, fraction: float, value: float, *, fill: str, title: str, radius: float = 2.5) -> None:
        self.parts.append(
            f'<circle cx="{self.x(fraction):.1f}" cy="{self.y(value):.1f}" r="{radius}" fill="{fill}">'
            f"<title>{escape(title)}</title></circle>"
        )

    def x_tick(self, fraction: float, text: str, *, rule: bool = True) -> None:
        """A label under the plot at `fraction`, with a dashed vertical rule through the plot if asked."""
        x = f"{self.x(fraction):.1f}"
        if rule:
            self.parts.append(
                f'<line x1="{x}" y1="{self.top}" x2="{x}" y2="{self.top + self.plot_height}" '
                f'stroke="{AXIS_COLOUR}" stroke-dasharray="2,3"/>'
            )
        self.parts.append(
            f'<text x="{x}" y="{self.height - 6}" font-size="10" text-anchor="middle">{escape(text)}</text>'
        )

    def y_tick(self, value: float, text: str, *, offset: float = 4) -> None:
        self.parts.append(
            f'<text x="{self.left - 4}" y="{self.y(value) + offset:.1f}" font-size="10" '
            f'text-anchor="end">{escape(text)}</text>'
        )

    def render(self, *, css_class: str, label: str, testid: str) -> SafeString:
        opening = (
            f'<svg class="{css_class}" viewBox="0 0 {self.width} {self.height}" role="img" '
            f'aria-label="{escape(label)}" data-testid="{testid}">'
        )
        return mark_safe(opening + "".join(self.parts) + "</svg>")  # data text escaped above


def runs_of(
    points: Sequence[tuple[float, float | None]], *, max_step: float | None = None
) -> list[list[tuple[float, float]]]:
    """Split (fraction, value) points, in order, into runs broken at missing values and at wider steps."""
    runs: list[list[tuple[float, float]]] = [[]]
    previous: float | None = None
    for fraction, value in points:
        gap = max_step is not None and previous is not None and fraction - previous > max_step
        if (value is None or gap) and runs[-1]:
            runs.append([])
        if value is not None:
            runs[-1].append((fraction, value))
        previous = fraction
    return [run for run in runs if run]


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    colour: str


@dataclass(frozen=True)
class Span:
    """A stretch of time to mark out on a time chart, from `start` to `end` (both instants)."""

    start: dt.datetime
    end: dt.datetime
    title: str = ""


SPAN_COLOUR = "#bf8700"


def time_chart(
    points: Sequence[tuple[dt.datetime, float | None]],
    *,
    start: dt.datetime,
    end: dt.datetime,
    label: str,
    css_class: str,
    testid: str,
    ceiling: float,
    bands: Sequence[Band] = (),
    limit: float | None = None,
    stroke: str = "#0969da",
    dot: Callable[[float], str | None] | None = None,
    value_text: Callable[[float], str] = lambda v: f"{v:g}",
    width: int = 720,
    height: int = 260,
    spans: Sequence[Span] = (),
    day_labels: int | None = None,
) -> SafeString:
    """Hourly values from `start` to `end`: a line broken at missing hours, day rules, optional category
    bands behind and a dashed limit line. `dot(value)` gives a point's colour, or None for no dot.
    `spans` are marked out behind the line; `day_labels` caps the number of day rules (every n-th day)."""
    chart = Chart(width, height, high=ceiling, margins=(44, 8, 8, 22))
    span = max((end - start).total_seconds(), 3600.0)

    def fraction(moment: dt.datetime) -> float:
        return (moment - start).total_seconds() / span

    if bands:
        for band in bands:
            chart.band(
                band.low, min(band.high, ceiling), fill=band.colour, tick=f"{min(band.high, ceiling):g}"
            )
    else:
        chart.background()
        chart.y_tick(ceiling, f"{ceiling:.4g}", offset=10)
        chart.y_tick(0, "0", offset=0)
    for marked in spans:
        chart.vspan(fraction(marked.start), fraction(marked.end), fill=SPAN_COLOUR, title=marked.title)
    if limit is not None:
        chart.hline(limit, stroke=LIMIT_COLOUR, dash="6,4", testid="limit-line", text=f"{limit:g}")
    ordered = sorted(points, key=lambda point: point[0])
    chart.line(runs_of([(fraction(t), v) for t, v in ordered], max_step=3600 / span + 1e-9), stroke=stroke)
    for moment, value in ordered:
        colour = dot(value) if value is not None and dot is not None else None
        if value is not None and colour is not None:
            chart.dot(
                fraction(moment), value, fill=colour, title=f"{moment:%Y-%m-%d %H:%M} {value_text(value)}"
            )
    day = dt.datetime.combine(start.date(), dt.time(), tzinfo=start.tzinfo) + dt.timedelta(days=1)
    every = 1 if day_labels is None else max(1, -(-int(span // 86400) // max(day_labels, 1)))
    while day <= end:
        chart.x_tick(fraction(day), f"{day:%m-%d}")
        day += dt.timedelta(days=every)
    return chart.render(css_class=css_class, label=label, testid=testid)


def series_chart(
    points: Sequence[tuple[dt.date, float | None]],
    *,
    label: str,
    css_class: str,
    testid: str,
    unit_of_measure: str = "",
    limit: float | None = None,
    limit_title: str = "",
    stroke: str = "#1f3b57",
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """A value per period (month), evenly spaced and labelled by month, with gaps where a period has none
    and a dashed limit line."""
    values = [v for _, v in points if v is not None]
    if not points or not values:
        return mark_safe("")
    chart = Chart(width, height, high=max([*values, limit or 0.0]) * 1.15 or 1.0, margins=(56, 16, 16, 36))
    step = 1 / max(len(points) - 1, 1)
    for share in (0.0, 0.5, 1.0):
        chart.y_tick(chart.high * share, f"{chart.high * share:.3g}")
    for index, (period, _) in enumerate(points):
        chart.x_tick(index * step, f"{period:%m}", rule=False)
    if limit is not None:
        chart.hline(limit, stroke=LIMIT_COLOUR, dash="6 4", testid="limit-line", title=limit_title)
    chart.line(runs_of([(index * step, v) for index, (_, v) in enumerate(points)]), stroke=stroke, width=2)
    for index, (period, value) in enumerate(points):
        if value is not None:
            title = f"{period:%Y-%m}: {value:.4g} {unit_of_measure}".rstrip()
            chart.dot(index * step, value, fill=stroke, title=title, radius=3.5)
    return chart.render(css_class=css_class, label=label, testid=testid)


def sparkline(
    series: Sequence[tuple[dt.date, float]], *, goal: float | None = None, width: int = 120, height: int = 28
) -> SafeString:
    """The values of a series as a small line, with the target as a dashed line where it fits the range."""
    if not series:
        return mark_safe("")
    values = [v for _, v in series] + ([goal] if goal is not None else [])
    chart = Chart(width, height, high=max(values), low=min(values), margins=(2, 2, 2, 2))
    first = series[0][0]
    days = max((series[-1][0] - first).days, 1)

    def fraction(day: dt.date) -> float:
        return (day - first).days / days if len(series) > 1 else 0.5

    if goal is not None:
        chart.hline(goal, stroke="#5d6b7a", dash="3 2")
    chart.line([[(fraction(d), v) for d, v in series]], stroke="#0f6b5c")
    last_day, last_value = series[-1]
    chart.dot(
        fraction(last_day),
        last_value,
        fill="#0f6b5c",
        title=f"{last_day:%Y-%m-%d} {last_value:g}",
        radius=2.2,
    )
    text = ", ".join(f"{d:%Y-%m-%d} {v:g}" for d, v in series)
    return chart.render(css_class="spark", label=text, testid="sparkline")


def stacked_bar(
    segments: Sequence[tuple[str, int]],
    *,
    labels: dict[str, str],
    colours: dict[str, str],
    width: int = 240,
    height: int = 14,
) -> SafeString:
    """One horizontal bar split by category; each part has a title with its label and count."""
    total = sum(count for _, count in segments)
    parts = []
    x = 0.0
    for key, count in segments:
        if not count or not total:
            continue
        share = width * count / total
        fill = colours.get(key, "#999")
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{share:.2f}" height="{height}" fill="{fill}">'
            f"<title>{escape(f'{labels.get(key, key)}: {count}')}</title></rect>"
        )
        x += share
    summary = ", ".join(f"{labels.get(k, k)} {c}" for k, c in segments if c) or "0"
    return mark_safe(
        f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(summary)}">{"".join(parts)}</svg>'
    )
