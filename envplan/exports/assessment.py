"""The year-end assessment of units: one score per unit from three shares, weighted per plan.

For every unit that reports on at least one task of the plan (units named on a task, and the members of
group units named on it; group units themselves report nothing and are not assessed):

- **timeliness**: of the reports the unit owes (each task it reports on × each period whose due date,
  `progress.services.due_date`, is before today), the share whose first submission (the earliest
  ReportEvent "submitted") happened on or before the due date, in the district's time zone. A report
  returned and submitted again keeps its first submission time: lateness is the unit's, review is not.
  Undefined while nothing is owed yet.
- **approved completion**: of the tasks the unit reports on, the share whose latest approved report *of
  this unit* (latest period) says "done". Only approved reports count: a claim nobody checked is not
  completion. Defined for every assessed unit.
- **attainment**: of the targets of those tasks, the share rated green by
  `indicators.services.attainment` today. Undefined when the unit's tasks have no targets.

Score: the plan's weights (ReportingSettings.weight_*) are normalised to sum to 100; a unit's score is the
weighted mean of its defined shares × 100, so an undefined share hands its weight to the others rather
than counting as zero. Scores are rounded to one decimal, and units with the same rounded score share a
rank (1, 2, 2, 4): what the page shows is what ranks.

Everything is read in a fixed number of queries, whatever the number of units, tasks or reports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Min
from django.utils import timezone

from envplan.exports.queries import latest_approved_reports, owed_periods, plan_reporting
from envplan.indicators.services import GREEN, attainment, series_by_target
from envplan.plans.models import Plan, Unit
from envplan.progress.calendar import due_date, reporting_settings
from envplan.progress.models import ProgressReport, ReportAction, ReportEvent, ReportStatus

COMPONENTS = ("timeliness", "completion", "attainment")
ONE_DECIMAL = Decimal("0.1")


@dataclass
class UnitScore:
    unit: Unit
    tasks: int = 0
    owed: int = 0
    on_time: int = 0
    done: int = 0
    targets: int = 0
    green: int = 0
    score: Decimal | None = None
    rank: int | None = None
    task_numbers: list[int] = field(default_factory=list)

    @property
    def timeliness(self) -> Fraction | None:
        return Fraction(self.on_time, self.owed) if self.owed else None

    @property
    def completion(self) -> Fraction | None:
        return Fraction(self.done, self.tasks) if self.tasks else None

    @property
    def attainment(self) -> Fraction | None:
        return Fraction(self.green, self.targets) if self.targets else None

    def share(self, component: str) -> Fraction | None:
        value: Fraction | None = getattr(self, component)
        return value

    def percent(self, component: str) -> Decimal | None:
        value = self.share(component)
        return None if value is None else as_decimal(value * 100)

    @property
    def timeliness_percent(self) -> Decimal | None:
        return self.percent("timeliness")

    @property
    def completion_percent(self) -> Decimal | None:
        return self.percent("completion")

    @property
    def attainment_percent(self) -> Decimal | None:
        return self.percent("attainment")


@dataclass
class Assessment:
    plan: Plan
    today: dt.date
    weights: dict[str, Decimal]  # component -> weight, summing to 100
    rows: list[UnitScore]


def as_decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def normalised_weights(timeliness: Decimal, completion: Decimal, attainment: Decimal) -> dict[str, Decimal]:
    """The weights scaled to sum to 100 (equal thirds when all are zero)."""
    raw = {"timeliness": timeliness, "completion": completion, "attainment": attainment}
    total = sum(raw.values(), Decimal(0))
    if total <= 0:
        return {name: Decimal(100) / 3 for name in raw}
    return {name: Decimal(value) * 100 / total for name, value in raw.items()}


def weighted_score(row: UnitScore, weights: dict[str, Decimal]) -> Decimal | None:
    """Weighted mean of the defined shares, × 100, rounded to one decimal; None if no weighted share."""
    numerator = Fraction(0)
    denominator = Fraction(0)
    for name in COMPONENTS:
        share = row.share(name)
        if share is None:
            continue
        weight = Fraction(weights[name])
        numerator += weight * share
        denominator += weight
    if denominator == 0:
        return None
    return as_decimal(numerator / denominator * 100)


def rank_rows(rows: list[UnitScore]) -> list[UnitScore]:
    """Best score first; equal scores share the rank ("1, 2, 2, 4"); units without a score come last."""
    ordered = sorted(rows, key=lambda r: (r.score is None, -(r.score or 0), r.unit.name))
    for position, row in enumerate(ordered):
        if row.score is None:
            row.rank = None
        elif position > 0 and ordered[position - 1].score == row.score:
            row.rank = ordered[position - 1].rank
        else:
            row.rank = position + 1
    return ordered


def first_submissions(plan: Plan) -> dict[int, dt.date]:
    """report id -> local date of its first submission, in one query."""
    rows = (
        ReportEvent.objects.filter(report__task__plan=plan, action=ReportAction.SUBMITTED)
        .values("report_id")
        .annotate(first=Min("at"))
        .values_list("report_id", "first")
    )
    return {report_id: timezone.localdate(first) for report_id, first in rows}


def assess_units(plan: Plan, *, today: dt.date) -> Assessment:
    """Score and rank every reporting unit of the plan as of `today` (see the module docstring)."""
    settings = reporting_settings(plan)
    weights = normalised_weights(
        settings.weight_timeliness, settings.weight_completion, settings.weight_attainment
    )
    reporting = plan_reporting(plan)
    owed = owed_periods(settings, today=today)
    due = {period: due_date(settings, period) for period in owed}

    report_ids = {
        (task_id, unit_id, period): pk
        for pk, task_id, unit_id, period in ProgressReport.objects.filter(
            task__plan=plan, period__in=owed
        ).values_list("pk", "task_id", "unit_id", "period")
    }
    submitted = first_submissions(plan)
    approved = latest_approved_reports(plan)

    targets = [t for task in reporting.tasks for t in task.targets.all()]
    series = series_by_target(targets)
    year_end = dt.date(plan.year, 12, 31)
    ratings = {t.pk: attainment(t, series[t.pk], today=today, year_end=year_end).rating for t in targets}

    rows: dict[int, UnitScore] = defaultdict(lambda: UnitScore(unit=Unit()))
    for task in reporting.tasks:
        task_targets = [t.pk for t in task.targets.all()]
        for unit_id in sorted(reporting.reporters[task.pk]):
            row = rows[unit_id]
            row.unit = reporting.units[unit_id]
            row.tasks += 1
            row.task_numbers.append(task.number)
            latest = approved.get((task.pk, unit_id))
            if latest is not None and latest.status == ReportStatus.DONE:
                row.done += 1
            row.targets += len(task_targets)
            row.green += sum(1 for t in task_targets if ratings[t] == GREEN)
            for period in owed:
                row.owed += 1
                report_id = report_ids.get((task.pk, unit_id, period))
                first = submitted.get(report_id) if report_id is not None else None
                if first is not None and first <= due[period]:
                    row.on_time += 1
    for row in rows.values():
        row.score = weighted_score(row, weights)
    return Assessment(plan=plan, today=today, weights=weights, rows=rank_rows(list(rows.values())))
