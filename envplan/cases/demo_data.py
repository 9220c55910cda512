"""The cases demo: the screening run once over the demo's data (envplan.sources.demo_data, whose
doctored enterprise it should find), as the worker's daily job would. Running it again changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from envplan.cases.jobs import screening_end
from envplan.cases.models import Case, ScreeningRun
from envplan.cases.services import run_screening
from envplan.core import clock


def load_cases_demo(*, today: dt.date | None = None) -> dict[str, Any]:
    if ScreeningRun.objects.exists():
        return {"cases": 0}
    run = run_screening(end=screening_end(today or clock.today()))
    return {"findings": run.summary["findings"], "cases": Case.objects.count()}
