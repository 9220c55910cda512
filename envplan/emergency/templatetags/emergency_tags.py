"""Template helpers of the emergency pages, and the alert card other pages include (the dashboard)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from envplan.emergency.queries import latest_alert
from envplan.sources.lake import ZONE

register = template.Library()

# How long after its lift an alert still shows on the dashboard card.
RECENT = dt.timedelta(days=7)


@register.inclusion_tag("emergency/_alert_card.html")
def alert_card(today: dt.date) -> dict[str, Any]:
    """The alert in force, or one lifted in the week before ``today``: a card for the dashboard (one
    query; the page passes its own date)."""
    since = dt.datetime.combine(today, dt.time(), tzinfo=ZONE) - RECENT
    return {"alert": latest_alert(since=since)}
