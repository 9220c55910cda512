"""Background job of the air app, run by `envplan worker` (see envplan.core.worker)."""

from __future__ import annotations

import datetime as dt

from envplan.air.services import evaluate_days
from envplan.core.worker import register


def evaluate_air_days_job(today: dt.date) -> dict[str, int]:
    """Daily statistics and daily AQI of the days with new hourly data."""
    return evaluate_days()


register("air-daily", evaluate_air_days_job, every=dt.timedelta(hours=1))
