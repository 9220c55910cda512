"""Background jobs of the indicators, run by `envplan worker` (see envplan.core.worker)."""

from __future__ import annotations

import datetime as dt

from envplan.core.worker import register
from envplan.indicators.services import evaluate_computed
from envplan.plans.models import Plan


def evaluate_indicators_job(today: dt.date) -> dict[str, int]:
    """Recompute every plan's computed indicators up to today; counts of values per computation."""
    counts: dict[str, int] = {}
    for plan in Plan.objects.order_by("pk"):
        for name, count in evaluate_computed(plan, as_of=today).items():
            counts[name] = counts.get(name, 0) + count
    return counts


register("indicators", evaluate_indicators_job, every=dt.timedelta(hours=1))
