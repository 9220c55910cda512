"""The air pages' colours and drawings: HJ 633 category colours, a station map, and the hourly AQI chart
(drawn with `envplan.core.charts`). No scripts, no CDN."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from envplan.core.charts import Band, time_chart
from envplan.standards.air.tables import CATEGORIES, category_of


def colour(level: int | None) -> str:
    """The HJ 633 Annex A colour of a category level (grey when there is none)."""
    if level is None or not 1 <= level <= len(CATEGORIES):
        return "#cccccc"
    r, g, b = CATEGORIES[level - 1].rgb
    return f"#{r:02x}{g:02x}{b:02x}"


def text_colour(level: int | None) -> str:
    """Readable text on a category colour (WCAG AA contrast: black on HJ 633's red, 5.3:1)."""
    return "#ffffff" if level in (5, 6) else "#000000"


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
    points: Sequence[tuple[dt.datetime, int | None]], *, start: dt.datetime, end: dt.datetime
) -> SafeString:
    """AQI by hour: the HJ 633 category bands behind, a line broken at missing hours, dots in the category
    colour. The scale reaches the top of the highest category the values touch."""
    highest = max((v for _, v in points if v is not None), default=0)
    ceiling = 100
    for category in CATEGORIES:
        if category.aqi_max is not None and highest > ceiling:
            ceiling = category.aqi_max
    ceiling = max(ceiling, highest)
    bands, low = [], 0
    for category in CATEGORIES:
        high = min(category.aqi_max if category.aqi_max is not None else ceiling, ceiling)
        if high > low:
            bands.append(Band(low, high, colour(category.level)))
        low = high
        if low >= ceiling:
            break
    return time_chart(
        points,
        start=start,
        end=end,
        label="AQI",
        css_class="air-chart",
        testid="hourly-chart",
        ceiling=ceiling,
        bands=bands,
        stroke="#333",
        dot=lambda value: colour(category_of(int(value)).level),
        value_text=lambda value: f"AQI {value:g}",
    )
