"""Background jobs of the sources app, run by `envplan worker` (see envplan.core.worker)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from envplan.core.worker import register
from envplan.sources import lake as sources_lake
from envplan.sources.alerts import ALERT_EVERY, check_alerts
from envplan.sources.services import detect_exceedances, ingest_landing

# Look back this far when screening, so hours that arrive late (history re-sent after an outage) count.
SCREENING_WINDOW = dt.timedelta(days=3)


def ingest_job(today: dt.date) -> str:
    """Move closed landing files into the lake."""
    return str(ingest_landing())


def exceedances_window(
    today: dt.date, *, days: int = SCREENING_WINDOW.days
) -> tuple[dt.datetime, dt.datetime]:
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo("Asia/Shanghai"))
    return end - dt.timedelta(days=days), end


def exceedances_job(today: dt.date) -> str:
    start, end = exceedances_window(today)
    events = detect_exceedances(start=start, end=end)
    return f"{len(events)} exceedance events"


def compact_job(today: dt.date) -> str:
    return f"{sources_lake.compact()} partitions compacted"


register("sources-ingest", ingest_job, every=dt.timedelta(minutes=1))
register("sources-exceedances", exceedances_job, every=dt.timedelta(hours=1))
register("sources-compact", compact_job, daily_at=dt.time(3, 30))


def alerts_job(today: dt.date) -> str:
    """Alerts on silence: devices that stopped sending, a growing landing backlog, failed jobs."""
    return str(check_alerts())


register("sources-alerts", alerts_job, every=ALERT_EVERY)
