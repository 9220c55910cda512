"""The application's notion of today and now. Pure packages never read a clock; callers pass dates from here.

When the demo clock is set (a `DemoClock` row), the application's time stands still at that moment: the
date and the time of day both come from the row, so what a page shows does not depend on the hour at which
someone looks at it (a device "online" at the demo's noon stays online at 23:00 real time).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

# The time of day the demo clock stands at when it is pinned with a bare date.
PINNED_TIME = dt.time(12, 0)


def pinned_moment() -> dt.datetime | None:
    """The pinned moment (aware, in the district's time zone), or None when the clock runs."""
    from envplan.core.models import DemoClock

    row = DemoClock.objects.order_by("pk").first()
    if row is None:
        return None
    return timezone.make_aware(dt.datetime.combine(row.today, row.time), timezone.get_current_timezone())


def pinned_today() -> dt.date | None:
    moment = pinned_moment()
    return moment.date() if moment is not None else None


def today() -> dt.date:
    """Today in the district's time zone, or the demo's pinned date."""
    moment = pinned_moment()
    return moment.date() if moment is not None else timezone.localdate()


def now() -> dt.datetime:
    """Now in the district's time zone, or the demo's pinned moment."""
    return pinned_moment() or timezone.localtime()


def pin(moment: dt.date | dt.datetime, *, note: str = "the bundled demo") -> None:
    """Stop the application's clock at `moment` (a date stands at PINNED_TIME). Used by the demo only."""
    from envplan.core.models import DemoClock

    if isinstance(moment, dt.datetime):
        local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        day, time = local.date(), local.time().replace(microsecond=0)
    else:
        day, time = moment, PINNED_TIME
    row = DemoClock.objects.order_by("pk").first()
    if row is None:
        DemoClock.objects.create(today=day, time=time, note=note)
    elif (row.today, row.time) != (day, time):
        row.today, row.time = day, time
        row.save(update_fields=["today", "time"])
