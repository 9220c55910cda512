"""Inline SVG of an outlet's hourly values for one factor, with its limit line. No scripts, no CDN."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def hourly_chart(
    points: Sequence[tuple[dt.datetime, float | None]],
    *,
    start: dt.datetime,
    end: dt.datetime,
    limit: float | None,
    label: str,
    width: int = 720,
    height: int = 220,
) -> SafeString:
    """A line of hourly values (broken at missing hours), dots above the limit in red, the limit dashed."""
    left, right, top, bottom = 44, 8, 8, 22
    values = [v for _, v in points if v is not None]
    ceiling = max([*values, (limit or 0) * 1.2, 1.0])
    span = max((end - start).total_seconds(), 3600.0)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(t: dt.datetime) -> float:
        return left + (t - start).total_seconds() / span * plot_w

    def y(v: float) -> float:
        return top + plot_h - v / ceiling * plot_h

    parts = [
        f'<svg class="sources-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        'data-testid="outlet-chart">',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#f6f8fa" stroke="#d0d7de"/>',
        f'<text x="{left - 4}" y="{top + 10}" font-size="10" text-anchor="end">{ceiling:.4g}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" font-size="10" text-anchor="end">0</text>',
    ]
    if limit is not None:
        parts.append(
            f'<line class="limit" x1="{left}" y1="{y(limit):.1f}" x2="{left + plot_w}" y2="{y(limit):.1f}" '
            f'stroke="#cf222e" stroke-width="1.5" stroke-dasharray="6,4" data-testid="limit-line"/>'
            f'<text x="{left + plot_w - 2}" y="{y(limit) - 3:.1f}" font-size="10" text-anchor="end" '
            f'fill="#cf222e">{limit:g}</text>'
        )
    lines: list[list[str]] = []
    segment: list[str] = []
    previous: dt.datetime | None = None
    for t, v in sorted(points, key=lambda p: p[0]):
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
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="#0969da" stroke-width="1.5"/>')
    for t, v in points:
        if v is not None and limit is not None and v > limit:
            parts.append(
                f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="2.5" fill="#cf222e">'
                f"<title>{t:%Y-%m-%d %H:%M} {v:g}</title></circle>"
            )
    day = dt.datetime.combine(start.date(), dt.time(), tzinfo=start.tzinfo) + dt.timedelta(days=1)
    while day <= end:
        parts.append(
            f'<line x1="{x(day):.1f}" y1="{top}" x2="{x(day):.1f}" y2="{top + plot_h}" stroke="#999" '
            f'stroke-dasharray="2,3"/><text x="{x(day):.1f}" y="{height - 6}" font-size="10" '
            f'text-anchor="middle">{day:%m-%d}</text>'
        )
        day += dt.timedelta(days=1)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # numbers, dates and the escaped label only
