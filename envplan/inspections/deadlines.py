"""When an inspection's result must be public, and how that deadline stands today (the page's clock).

Rule: results are entered and published within 20 working days of the inspection, under "谁检查、谁录入、
谁公开" (国发〔2019〕5号). UNVERIFIED: our reference gives this rule as unconfirmed
(../shared/reference/hj212-and-processes.md B.4, "Uncertainties" 6). The number is a setting,
ENVPLAN_INSPECTION_RESULT_WORKING_DAYS, and working days leave out weekends only
(envplan.inspections.workdays).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from envplan.inspections.workdays import add_working_days, working_days_between

RESULT_WORKING_DAYS = 20
RULE = "国发〔2019〕5号"


def result_working_days() -> int:
    return int(getattr(settings, "ENVPLAN_INSPECTION_RESULT_WORKING_DAYS", RESULT_WORKING_DAYS))


def result_deadline(inspected_on: dt.date) -> dt.date:
    return add_working_days(inspected_on, result_working_days())


@dataclass(frozen=True)
class DeadlineClock:
    deadline: dt.date
    state: str  # "due" (still open), "overdue", "on_time" (published in time), "late" (published after)
    working_days: int  # left while due; past the deadline while overdue or late; 0 on time

    @property
    def open(self) -> bool:
        return self.state in ("due", "overdue")


def result_clock(
    inspected_on: dt.date | None, published_on: dt.date | None, *, today: dt.date
) -> DeadlineClock | None:
    """Where an inspection's publication stands: None before the inspection has a date."""
    if inspected_on is None:
        return None
    deadline = result_deadline(inspected_on)
    if published_on is not None:
        if published_on <= deadline:
            return DeadlineClock(deadline, "on_time", 0)
        return DeadlineClock(deadline, "late", working_days_between(deadline, published_on))
    if today <= deadline:
        return DeadlineClock(deadline, "due", working_days_between(today, deadline))
    return DeadlineClock(deadline, "overdue", working_days_between(deadline, today))
