"""The application's notion of today. Pure packages never read a clock; callers pass dates from here."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def pinned_today() -> dt.date | None:
    from envplan.core.models import DemoClock

    row = DemoClock.objects.order_by("pk").first()
    return row.today if row is not None else None


def today() -> dt.date:
    """Today in the district's time zone, or the demo's pinned date."""
    return pinned_today() or timezone.localdate()


def now() -> dt.datetime:
    """Now, moved to the pinned date (keeping the time of day) when the demo clock is set."""
    current = timezone.localtime()
    pinned = pinned_today()
    if pinned is None:
        return current
    return current.replace(year=pinned.year, month=pinned.month, day=pinned.day)
