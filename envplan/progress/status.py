"""Task status derived from deadlines, approved reports and target attainment."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from envplan.indicators.services import AMBER, GREEN, RED, Attainment, attainment, series_by_target
from envplan.plans.models import Assignment, Plan, Task
from envplan.progress import periods
from envplan.progress.calendar import due_date, reporting_settings
from envplan.progress.models import ProgressReport, ReportState, ReportStatus

ON_TRACK, AT_RISK, OVERDUE, DONE = "on_track", "at_risk", "overdue", "done"
STATUS_LABELS = {ON_TRACK: _("on track"), AT_RISK: _("at risk"), OVERDUE: _("overdue"), DONE: _("done")}
STATUS_ORDER = (ON_TRACK, AT_RISK, OVERDUE, DONE)


@dataclass
class TaskState:
    task: Task
    status: str
    reasons: list[str] = field(default_factory=list)
    attainments: dict[int, Attainment] = field(default_factory=dict)
    latest_report: ProgressReport | None = None
    missing_reports: int = 0

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


def task_deadline(task: Task, year_end: dt.date) -> dt.date:
    deadlines = [t.deadline for t in task.targets.all() if t.deadline]
    return max(deadlines) if deadlines else year_end


def plan_task_states(plan: Plan, *, today: dt.date) -> list[TaskState]:
    """The status of every task of the plan, in plan order, in a fixed number of queries.

    done: the latest approved report says done and no target is red.
    overdue: past the task's deadline and not done, or a report whose due date passed was never submitted.
    at risk: a target is red or amber, or the latest approved report says at risk.
    on track: otherwise.
    """
    settings = reporting_settings(plan)
    year_end = dt.date(plan.year, 12, 31)
    tasks = list(
        plan.tasks.select_related("section__chapter")
        .prefetch_related(
            "targets", Prefetch("assignments", queryset=Assignment.objects.select_related("unit"))
        )
        .order_by("position")
    )
    targets = [t for task in tasks for t in task.targets.all()]
    series = series_by_target(targets)

    reports = ProgressReport.objects.filter(task__plan=plan).only(
        "task_id", "unit_id", "period", "state", "status", "approved_at", "submitted_at"
    )
    approved: dict[int, ProgressReport] = {}
    submitted_keys: set[tuple[int, int, dt.date]] = set()
    for report in reports.order_by("period", "approved_at"):
        if report.state == ReportState.APPROVED:
            approved[report.task_id] = report
        if report.state in (ReportState.SUBMITTED, ReportState.APPROVED):
            submitted_keys.add((report.task_id, report.unit_id, report.period))

    # The latest period whose due date has passed: every non-group unit of a task owes it a report.
    last_due = None
    period = settings.first_period
    while period <= settings.last_period and due_date(settings, period) < today:
        last_due = period
        period = periods.next_period(period, settings.frequency)

    states = []
    for task in tasks:
        task_attainments = {
            t.pk: attainment(t, series[t.pk], today=today, year_end=year_end) for t in task.targets.all()
        }
        ratings = {a.rating for a in task_attainments.values()}
        latest = approved.get(task.pk)
        state = TaskState(task=task, status=ON_TRACK, attainments=task_attainments, latest_report=latest)
        owing = defaultdict(int)
        if last_due is not None:
            for assignment in task.assignments.all():
                if (
                    not assignment.unit.is_group
                    and (task.pk, assignment.unit_id, last_due) not in submitted_keys
                ):
                    owing[assignment.unit_id] = 1
        state.missing_reports = len(owing)
        if latest is not None and latest.status == ReportStatus.DONE and RED not in ratings:
            state.status = DONE
        elif today > task_deadline(task, year_end):
            state.status = OVERDUE
            state.reasons.append(str(_("deadline passed")))
        elif state.missing_reports:
            state.status = OVERDUE
            state.reasons.append(str(_("reports missing")))
        elif (
            RED in ratings
            or AMBER in ratings
            or (latest is not None and latest.status == ReportStatus.AT_RISK)
        ):
            state.status = AT_RISK
            if RED in ratings:
                state.reasons.append(str(_("a target is off course")))
        if GREEN in ratings and not state.reasons and state.status == ON_TRACK:
            state.reasons.append(str(_("targets met")))
        states.append(state)
    return states
