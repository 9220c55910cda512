"""A plan's reporting calendar: its settings row and the period rules applied to it.

The arithmetic itself is in `envplan.progress.periods` (pure); this module only binds it to a plan's
`ReportingSettings`. Services, notifications, status, exports and the API all read the calendar here.
"""

from __future__ import annotations

import datetime as dt

from envplan.plans.models import Plan
from envplan.progress import periods
from envplan.progress.models import ReportingSettings


def reporting_settings(plan: Plan) -> ReportingSettings:
    """The plan's reporting settings; a plan without any gets the default calendar of its year."""
    found = ReportingSettings.objects.filter(plan=plan).first()
    if found is not None:
        return found
    year = plan.year
    start = plan.date.replace(day=1) if plan.date and plan.date.year == year else dt.date(year, 1, 1)
    return ReportingSettings.objects.get_or_create(
        plan=plan, defaults={"first_period": start, "last_period": dt.date(year, 12, 1)}
    )[0]


def plan_periods(settings: ReportingSettings) -> list[dt.date]:
    """Every reporting period of the plan, named by its first day."""
    return periods.periods_between(settings.first_period, settings.last_period, settings.frequency)


def due_date(settings: ReportingSettings, period: dt.date) -> dt.date:
    return periods.due_date(period, due_day=settings.due_day, frequency=settings.frequency)


def is_closed(settings: ReportingSettings, period: dt.date) -> bool:
    return periods.is_closed(period, settings.closed_through)


def in_calendar(settings: ReportingSettings, period: dt.date) -> bool:
    return settings.first_period <= period <= settings.last_period
