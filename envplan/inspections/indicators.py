"""Computed indicators of enforcement (registered in InspectionsConfig.ready()).

* `inspections.results_published_on_time`: random-inspection results published within the deadline
  (envplan.inspections.deadlines), in % of the results that were due by then (published, or past their
  deadline), one decimal. The 2021 opinion of the Ministry (环办执法〔2021〕18号) asks that all of a year's
  random-inspection results be published.
* `inspections.hazardous_waste_pass_rate`: units rated 达标 over units assessed in the year so far, in %,
  one decimal (envplan.inspections.hazardous_waste.pass_rate); parameter `role` ("producer" or
  "operator") for one kind only.
* `inspections.rectifications_closed`: rectification tasks closed (销号, and not reopened since);
* `inspections.rectifications_closed_early`: those closed at least a month before their own deadline.
  Both count the tasks due in the year of `as_of` (parameter `due_year` for another year) and of one
  inspection round when the parameter `round` is given.

Each returns one value per month of the year of `as_of`, dated at the month's end (the running month at
`as_of`), from the records as they stood on that day; months before there is anything to count are left
out.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from envplan.indicators.registry import Series, register
from envplan.inspections import hazardous_waste as scheme
from envplan.inspections.deadlines import result_deadline


def month_ends(as_of: dt.date) -> list[dt.date]:
    return [
        min(dt.date(as_of.year, month, calendar.monthrange(as_of.year, month)[1]), as_of)
        for month in range(1, as_of.month + 1)
    ]


def one_month_before(day: dt.date) -> dt.date:
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def results_published_on_time(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    from envplan.inspections.models import InspectionRecord

    rows = [
        (inspected, result_deadline(inspected), _local_date(published))
        for inspected, published in InspectionRecord.objects.filter(
            task__year=as_of.year, drawn_target__isnull=False, inspected_on__isnull=False
        ).values_list("inspected_on", "published_at")
        if inspected is not None
    ]
    series: Series = []
    for end in month_ends(as_of):
        due = [
            (deadline, published)
            for inspected, deadline, published in rows
            if inspected <= end and (deadline <= end or (published is not None and published <= end))
        ]
        if not due:
            continue
        on_time = sum(
            1 for deadline, published in due if published is not None and published <= min(deadline, end)
        )
        series.append((end, _percent(on_time, len(due))))
    return series


def hazardous_waste_pass_rate(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    from envplan.inspections.models import HazardousWasteAssessment

    assessments = HazardousWasteAssessment.objects.filter(round__year=as_of.year, assessed_on__lte=as_of)
    role = parameters.get("role")
    if role:
        assessments = assessments.filter(role=str(role))
    rows = list(assessments.values_list("assessed_on", "outcome"))
    series: Series = []
    for end in month_ends(as_of):
        rate = scheme.pass_rate([outcome for day, outcome in rows if day <= end])
        if rate is not None:
            series.append((end, rate))
    return series


def _closures(
    parameters: Mapping[str, Any], as_of: dt.date
) -> list[tuple[dt.date, list[tuple[dt.date, str]]]]:
    """Each task due in the year, with its close and reopen events (local dates, in order)."""
    from envplan.inspections.models import RectificationAction, RectificationEvent, RectificationTask

    year = int(parameters.get("due_year") or as_of.year)
    tasks = RectificationTask.objects.filter(deadline__year=year)
    if parameters.get("round"):
        tasks = tasks.filter(round=str(parameters["round"]))
    deadlines = dict(tasks.values_list("pk", "deadline"))
    events: dict[int, list[tuple[dt.date, str]]] = {pk: [] for pk in deadlines}
    for task_id, at, action in (
        RectificationEvent.objects.filter(
            task_id__in=deadlines, action__in=[RectificationAction.CLOSED, RectificationAction.REOPENED]
        )
        .order_by("at", "pk")
        .values_list("task_id", "at", "action")
    ):
        events[task_id].append((timezone.localtime(at).date(), action))
    return [(deadlines[pk], events[pk]) for pk in deadlines]


def _closed_on(events: list[tuple[dt.date, str]], end: dt.date) -> dt.date | None:
    """The day the task was closed, if it stood closed on `end`."""
    closed = None
    for day, action in events:
        if day > end:
            break
        closed = day if action == "closed" else None
    return closed


def _count_closed(parameters: Mapping[str, Any], as_of: dt.date, *, early: bool) -> Series:
    tasks = _closures(parameters, as_of)
    if not tasks:
        return []
    series: Series = []
    for end in month_ends(as_of):
        count = 0
        for deadline, events in tasks:
            closed = _closed_on(events, end)
            if closed is not None and (not early or closed <= one_month_before(deadline)):
                count += 1
        series.append((end, Decimal(count)))
    return series


def rectifications_closed(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    return _count_closed(parameters, as_of, early=False)


def rectifications_closed_early(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    return _count_closed(parameters, as_of, early=True)


def register_all() -> None:
    for code, label, unit_of_measure, compute in (
        (
            "results_published_on_time",
            _("Random-inspection results published within the deadline, year to date"),
            "%",
            results_published_on_time,
        ),
        (
            "hazardous_waste_pass_rate",
            _("Pass rate of the hazardous-waste management assessment, year to date"),
            "%",
            hazardous_waste_pass_rate,
        ),
        (
            "rectifications_closed",
            _("Rectification tasks due this year that are closed"),
            "count",
            rectifications_closed,
        ),
        (
            "rectifications_closed_early",
            _("Rectification tasks due this year closed at least a month before their deadline"),
            "count",
            rectifications_closed_early,
        ),
    ):
        register(f"inspections.{code}", label=label, unit_of_measure=unit_of_measure, compute=compute)
