"""Background job of the water app, run by `envplan worker` (see envplan.core.worker)."""

from __future__ import annotations

import datetime as dt

from envplan.core.worker import register
from envplan.water import lake as water_lake
from envplan.water.services import evaluate_water


def evaluate_water_job(today: dt.date) -> dict[str, int]:
    """Monthly and year-to-date results of the sections for the year so far, stored as the record."""
    counts = evaluate_water(None, today=today)
    # Each run re-writes the year's results: keep one file per partition, the last result per key.
    water_lake.lake().compact(water_lake.EVALUATIONS, unique_on=water_lake.EVALUATIONS_KEY)
    return counts


register("water-evaluation", evaluate_water_job, daily_at=dt.time(2, 30))
