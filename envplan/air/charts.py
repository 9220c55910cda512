"""Inline SVG for the air pages: a station map, an hourly AQI chart on category bands. No scripts, no CDN."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from envplan.standards.air.tables import CATEGORIES, category_of


def colour(level: int | None) -> str:
    """The HJ 633 Annex A colour of a category level (grey when there is none)."""
    if level is None or not 1 <= level <= len(CATEGORIES):
        return "#cccccc"
    r, g, b = CATEGORIES[level - 1].rgb
    return f"#{r:02x}{g:02x}{b:02x}"


def text_colour(level: int | None) -> str:
    """Readable text on a category colour."""
    return "#ffffff" if level in (4, 5, 6) else "#000000"


@dataclass(frozen=True)
class MapPoint:
    code: str
    label: str
    latitude: float
    longitude: float
    level: int | None
    aqi: int | None
    url: str


def station_map(points: Sequence[MapPoint], *, width: int = 640, height: int = 360) -> SafeString:
    """Scatter of the stations on their coordinates (equirectangular, north up), coloured by category."""
    if not points:
        return mark_safe("")
    pad = 40
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    lat_span = max(max(lats) - min(lats), 0.01)
    lon_span = max(max(lons) - min(lons), 0.01)
    scale = min((width - 2 * pad) / lon_span, (height - 2 * pad) / lat_span)
    parts = [
        f'<svg class="air-map" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape("map")}" data-testid="station-map">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f6f8fa" stroke="#d0d7de"/>',
    ]
    for p in points:
        x = pad + (p.longitude - min(lons)) * scale
        y = height - pad - (p.latitude - min(lats)) * scale
        parts.append(
            format_html(
                '<a href="{}"><circle cx="{}" cy="{}" r="9" fill="{}" stroke="#333"><title>{}</title>'
                '</circle><text x="{}" y="{}" font-size="12">{}</text></a>',
                p.url,
                f"{x:.1f}",
                f"{y:.1f}",
                colour(p.level),
                f"{p.code} {p.label}" + (f" — AQI {p.aqi}" if p.aqi is not None else ""),
                f"{x + 12:.1f}",
                f"{y + 4:.1f}",
                p.label,
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(str(part) for part in parts))  # every value above is escaped


def hourly_chart(
    points: Sequence[tuple[dt.datetime, int | None]],
    *,
    start: dt.datetime,
    end: dt.datetime,
    width: int = 720,
    height: int = 260,
) -> SafeString:
    """AQI by hour: category bands behind, a line broken at missing hours, dots in the category colour."""
    left, right, top, bottom = 36, 8, 8, 22
    values = [v for _, v in points if v is not None]
    ceiling = 100
    for category in CATEGORIES:
        if category.aqi_max is not None and max(values, default=0) > ceiling:
            ceiling = category.aqi_max
    ceiling = max(ceiling, max(values, default=0))
    span = max((end - start).total_seconds(), 3600.0)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(t: dt.datetime) -> float:
        return left + (t - start).total_seconds() / span * plot_w

    def y(v: float) -> float:
        return top + plot_h - v / ceiling * plot_h

    parts = [
        f'<svg class="air-chart" viewBox="0 0 {width} {height}" role="img" aria-label="AQI" '
        'data-testid="hourly-chart">'
    ]
    low = 0
    for category in CATEGORIES:
        high = category.aqi_max if category.aqi_max is not None else ceiling
        high = min(high, ceiling)
        if high > low:
            parts.append(
                f'<rect x="{left}" y="{y(high):.1f}" width="{plot_w}" height="{y(low) - y(high):.1f}" '
                f'fill="{colour(category.level)}" fill-opacity="0.18"/>'
                f'<text x="{left - 4}" y="{y(high) + 10:.1f}" font-size="10" text-anchor="end">{high}</text>'
            )
        low = high
        if low >= ceiling:
            break
    segment: list[str] = []
    lines: list[list[str]] = []
    previous: dt.datetime | None = None
    for t, v in sorted(points):
        if v is None or (previous is not None and t - previous > dt.timedelta(hours=1)):
            if segment:
                lines.append(segment)
            segment = []
        if v is not None:
            segment.append(f"{x(t):.1f},{y(v):.1f}")
        previous = t
    if segment:
        lines.append(segment)
    for line in lines:
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="#333" stroke-width="1.5"/>')
    for t, v in points:
        if v is not None:
            parts.append(
                f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2.2" fill="{colour(category_of(v).level)}">'
                f"<title>{t:%Y-%m-%d %H:%M} AQI {v}</title></circle>"
            )
    day = dt.datetime.combine(start.date(), dt.time()) + dt.timedelta(days=1)
    while day <= end:
        parts.append(
            f'<line x1="{x(day):.1f}" y1="{top}" x2="{x(day):.1f}" y2="{top + plot_h}" stroke="#999" '
            f'stroke-dasharray="2,3"/><text x="{x(day):.1f}" y="{height - 6}" font-size="10" '
            f'text-anchor="middle">{day:%m-%d}</text>'
        )
        day += dt.timedelta(days=1)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # numbers and fixed text only
