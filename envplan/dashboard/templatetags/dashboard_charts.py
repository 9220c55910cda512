from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django import template
from django.utils.safestring import SafeString

from envplan.core import charts
from envplan.progress.status import STATUS_LABELS

register = template.Library()

STATUS_COLOURS = {"on_track": "#2e8b57", "at_risk": "#e0a800", "overdue": "#c0392b", "done": "#2f5d9e"}


@register.simple_tag
def status_bar(segments: Sequence[tuple[str, int]]) -> SafeString:
    labels = {k: str(v) for k, v in STATUS_LABELS.items()}
    return charts.stacked_bar(segments, labels=labels, colours=STATUS_COLOURS)


@register.filter
def status_summary(segments: Sequence[tuple[str, int]]) -> str:
    """The bar's counts in words, shown under it: colour is never the only carrier of meaning."""
    return " · ".join(f"{count} {STATUS_LABELS.get(status, status)}" for status, count in segments if count)


@register.simple_tag
def series_sparkline(series: Sequence[tuple[dt.date, float]], goal: object = None) -> SafeString:
    return charts.sparkline(series, goal=float(str(goal)) if goal is not None else None)


@register.filter
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@register.filter
def get_count(counter: dict[str, int], key: str) -> int:
    return counter.get(key, 0)


@register.filter
def rating_label(rating: str) -> str:
    from django.utils.translation import gettext

    labels = {
        "green": gettext("met"),
        "amber": gettext("not yet met"),
        "red": gettext("off course"),
        "unknown": gettext("no data"),
    }
    return labels.get(rating, rating)
