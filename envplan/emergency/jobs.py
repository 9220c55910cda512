"""Background work of the emergency app, run by `envplan worker` (see envplan.core.worker): reading the
neighbours' CAP feeds (task 47 of the plan: regional joint response)."""

from __future__ import annotations

import datetime as dt

from envplan.core.worker import register
from envplan.emergency.models import CapSource
from envplan.emergency.services import EmergencyError, fetch_cap_source


def fetch_neighbour_feeds_job(today: dt.date) -> str:
    """Every active neighbour feed, once; a feed that fails keeps its error and the others are read."""
    new = failed = 0
    for source in CapSource.objects.filter(active=True):
        try:
            new += fetch_cap_source(source).new
        except EmergencyError:
            failed += 1
    return f"{new} new neighbour messages, {failed} feeds failed"


register("emergency-cap-fetch", fetch_neighbour_feeds_job, every=dt.timedelta(minutes=15))
