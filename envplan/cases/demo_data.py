"""The cases demo: the screening run once over the demo's data (envplan.sources.demo_data, whose
doctored enterprise it should find), as the worker's daily job would; then, once the enforcement demo
has run, the inspectors' confirmation of the doctored enterprise's case. Running it again changes
nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from envplan.cases.jobs import screening_end
from envplan.cases.models import Case, Outcome, ScreeningRun
from envplan.cases.services import record_outcome, run_screening
from envplan.core import clock
from envplan.sources.demo_data import DOCTORED_ENTERPRISE


def load_cases_demo(*, today: dt.date | None = None) -> dict[str, Any]:
    if ScreeningRun.objects.exists():
        return {"cases": 0}
    run = run_screening(end=screening_end(today or clock.today()))
    return {"findings": run.summary["findings"], "cases": Case.objects.count()}


CONFIRMATION_NOTE = (
    "Illustrative: checked on site; the NOx analyser's output had been held and the values pushed under the "
    "limit by a setting in the data logger (generated for the demo)."
)


def confirm_doctored_case() -> dict[str, Any]:
    """The inspectors' judgement on the doctored enterprise's case: confirmed, at the demo's moment. The
    demo loader calls it after the enforcement demo's draws (made earlier in the year, without knowing
    it) and before the credit ratings, which count it. Running it again changes nothing."""
    case = Case.objects.filter(enterprise__name=DOCTORED_ENTERPRISE["name"]).order_by("-risk", "pk").first()
    if case is None or case.outcome != Outcome.NOT_CHECKED:
        return {"confirmed": 0}
    record_outcome(case, outcome=Outcome.CONFIRMED, note=CONFIRMATION_NOTE, by=None)
    return {"confirmed": 1, "case": case.pk}
