"""Class colours and an inline SVG line chart for the water pages. No scripts, no CDN."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# 环办〔2011〕22号 qualitative status colours: I-II blue (优), III green (良好), IV yellow (轻度污染),
# V orange (中度污染), 劣V red (重度污染). Exact shades are ours.
CLASS_COLOURS = {
    "I": "#1f78d1",
    "II": "#1f78d1",
    "III": "#2e9e44",
    "IV": "#f2c200",
    "V": "#f08c00",
    "劣V": "#d62828",
}
DRY_COLOUR = "#c8c8c8"
NO_DATA_COLOUR = "#f0f0f0"


def colour(label: str | None, *, dry: bool = False) -> str:
    if dry:
        return DRY_COLOUR
    return CLASS_COLOURS.get(label or "", NO_DATA_COLOUR)


def text_colour(label: str | None) -> str:
    return "#ffffff" if label in ("I", "II", "III", "劣V") else "#000000"


def line_chart(
    points: Sequence[tuple[dt.date, float | None]],
    *,
    limit: float | None,
    limit_label: str,
    label: str,
    unit: str,
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """Monthly values as a polyline (gaps where a month has no value) against a dashed limit line."""
    values = [v for _, v in points if v is not None]
    if not points or not values:
        return mark_safe("")
    left, right, top, bottom = 56, 16, 16, 36
    high = max([*values, limit or 0.0]) * 1.15 or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return left + index * step

    def y(value: float) -> float:
        return top + plot_h * (1 - value / high)

    parts = [
        format_html(
            '<svg class="water-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
            'data-testid="trend-chart">',
            width,
            height,
            label,
        ),
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafbfc" stroke="#d0d7de"/>',
    ]
    for fraction in (0.0, 0.5, 1.0):
        tick = high * fraction
        parts.append(
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end">{tick:.3g}</text>'
        )
    for index, (month, _) in enumerate(points):
        parts.append(
            f'<text x="{x(index):.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle">'
            f"{month:%m}</text>"
        )
    if limit is not None:
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d62828" stroke-dasharray="6 4" '
                'data-testid="limit-line"><title>{}</title></line>',
                left,
                left + plot_w,
                f"{y(limit):.1f}",
                f"{y(limit):.1f}",
                limit_label,
            )
        )
    runs: list[list[str]] = [[]]
    for index, (_, value) in enumerate(points):
        if value is None:
            runs.append([])
            continue
        runs[-1].append(f"{x(index):.1f},{y(value):.1f}")
    for run in runs:
        if len(run) > 1:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="#1f3b57" stroke-width="2"/>'
            )
    for index, (month, value) in enumerate(points):
        if value is not None:
            parts.append(
                f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="3.5" fill="#1f3b57">'
                f"<title>{month:%Y-%m}: {value:.4g} {escape(unit)}</title></circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(str(part) for part in parts))
