"""Template helpers of the emergency pages, and the alert card other pages include (the dashboard)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.translation import gettext as _

from envplan.core import clock
from envplan.emergency.queries import latest_alert

register = template.Library()

# How long after its lift an alert still shows on the dashboard card.
RECENT = dt.timedelta(days=7)


@register.filter
def pollutant_label(code: str) -> str:
    return {"so2": "SO2", "nox": "NOx", "pm": _("particulate matter"), "vocs": "VOCs"}.get(code, code)


@register.inclusion_tag("emergency/_alert_card.html")
def alert_card() -> dict[str, Any]:
    """The alert in force, or one lifted in the last week: a card for the dashboard."""
    return {"alert": latest_alert(since=clock.now() - RECENT)}
