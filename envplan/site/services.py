"""Writes of the site app: heartbeats of long-running processes.

A heartbeat is the process telling that it is alive, not a change of the plan's state: it is written
without an audit entry (the audit trail would otherwise grow by one row every half minute per process).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from envplan.site.models import Heartbeat

# A process that has not beaten for this long is taken as gone, and its row is deleted by the next beat.
FORGET_AFTER = dt.timedelta(days=1)


@transaction.atomic
def record_heartbeat(
    *,
    part: str,
    name: str,
    started_at: dt.datetime,
    now: dt.datetime,
    detail: dict[str, object] | None = None,
) -> Heartbeat:
    """Set the beat of the process `name` of `part` to `now` (creating its row), and delete the rows of
    processes of any part silent since `FORGET_AFTER`."""
    beat, _ = Heartbeat.objects.update_or_create(
        part=part, name=name, defaults={"started_at": started_at, "beat_at": now, "detail": detail or {}}
    )
    Heartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()
    return beat
