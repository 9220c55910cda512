"""The screening's scheduled job, run by `envplan worker` (see envplan.core.worker)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from envplan.cases.services import run_screening
from envplan.core.worker import register

ZONE = ZoneInfo("Asia/Shanghai")


def screening_end(today: dt.date) -> dt.datetime:
    """The end of the application's today (midnight after it, China Standard Time)."""
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=ZONE)


def screening_job(today: dt.date) -> str:
    run = run_screening(end=screening_end(today))
    summary = run.summary
    return (
        f"{summary['loggers']} loggers screened: {summary['findings']} findings "
        f"({summary['created']} new, {summary['updated']} updated), "
        f"{len(summary['cases_opened'])} cases opened"
    )


# After the lake's compaction (03:30): once a day is enough, each run reads back LOOKBACK days.
register("cases-screening", screening_job, daily_at=dt.time(4, 0))
