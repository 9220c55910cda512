"""Small inline SVG charts rendered on the server: no JavaScript, no CDN, readable offline and printable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

STATUS_COLOURS = {"on_track": "#2e8b57", "at_risk": "#e0a800", "overdue": "#c0392b", "done": "#2f5d9e"}
RATING_COLOURS = {"green": "#2e8b57", "amber": "#e0a800", "red": "#c0392b", "unknown": "#9aa5b1"}


def stacked_bar(
    segments: Sequence[tuple[str, int]], *, labels: dict[str, str], width: int = 240, height: int = 14
) -> SafeString:
    """One horizontal bar split by status; each part has a tooltip with its label and count."""
    total = sum(count for _, count in segments)
    if total == 0:
        return mark_safe(f'<svg width="{width}" height="{height}" role="img" aria-label="0"></svg>')
    parts = []
    x = 0.0
    for status, count in segments:
        if not count:
            continue
        w = width * count / total
        label = escape(f"{labels.get(status, status)}: {count}")
        colour = STATUS_COLOURS.get(status, "#999")
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="{height}" fill="{colour}">'
            f"<title>{label}</title></rect>"
        )
        x += w
    summary = escape(", ".join(f"{labels.get(s, s)} {c}" for s, c in segments if c))
    return mark_safe(
        f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{summary}">{"".join(parts)}</svg>'
    )


def sparkline(
    series: Sequence[tuple[dt.date, float]], *, goal: float | None = None, width: int = 120, height: int = 28
) -> SafeString:
    """The values of a series as a line, with the target as a dashed line where it fits the range."""
    if not series:
        return mark_safe("")
    values = [v for _, v in series]
    low = min([*values, goal] if goal is not None else values)
    high = max([*values, goal] if goal is not None else values)
    span = (high - low) or 1.0
    first = series[0][0]
    days = max((series[-1][0] - first).days, 1)
    pad = 2

    def point(date: dt.date, value: float) -> str:
        x = pad + (width - 2 * pad) * ((date - first).days / days if len(series) > 1 else 0.5)
        y = height - pad - (height - 2 * pad) * (value - low) / span
        return f"{x:.1f},{y:.1f}"

    points = " ".join(point(d, v) for d, v in series)
    goal_line = ""
    if goal is not None:
        y = height - pad - (height - 2 * pad) * (goal - low) / span
        goal_line = (
            f'<line x1="0" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#5d6b7a" stroke-dasharray="3 2"/>'
        )
    last = point(*series[-1])
    return mark_safe(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(", ".join(f"{d:%Y-%m-%d} {v:g}" for d, v in series))}">{goal_line}'
        f'<polyline fill="none" stroke="#0f6b5c" stroke-width="1.5" points="{points}"/>'
        f'<circle cx="{last.split(",")[0]}" cy="{last.split(",")[1]}" r="2.2" fill="#0f6b5c"/></svg>'
    )
