"""Reads of the plan's daily workflow, shaped for the progress pages; each is a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet

from envplan.accounts import permissions
from envplan.core.models import AuditEntry
from envplan.core.services import Person
from envplan.plans.models import Assignment, Plan, Task, Unit
from envplan.progress import permissions as rules
from envplan.progress.calendar import due_date, is_closed
from envplan.progress.models import (
    Evidence,
    Notification,
    ProgressReport,
    ReportEvent,
    ReportingSettings,
    ReportState,
    ReportValue,
)
from envplan.progress.periods import period_of, previous_period


def open_periods(settings: ReportingSettings, today: dt.date) -> list[dt.date]:
    """The current and the previous reporting period, newest first, leaving out closed ones."""
    current = min(period_of(today, settings.frequency), settings.last_period)
    candidates = [current, previous_period(current, settings.frequency)]
    return [p for p in candidates if settings.first_period <= p and not is_closed(settings, p)]


def assignments_for_units(plan: Plan, unit_ids: set[int]) -> list[tuple[Task, Unit]]:
    """(task, unit) pairs where the unit reports on the task, directly or through a group unit it is in."""
    if not unit_ids:
        return []
    units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids)}
    group_members: dict[int, set[int]] = {}
    for group_id, member_id in Unit.members.through.objects.filter(to_unit_id__in=unit_ids).values_list(
        "from_unit_id", "to_unit_id"
    ):
        group_members.setdefault(group_id, set()).add(member_id)
    assignments = (
        Assignment.objects.filter(task__plan=plan)
        .filter(Q(unit_id__in=unit_ids) | Q(unit_id__in=list(group_members)))
        .select_related("task")
        .order_by("task__position")
    )
    pairs: dict[tuple[int, int], tuple[Task, Unit]] = {}
    for assignment in assignments:
        reporting = {assignment.unit_id} & unit_ids or group_members.get(assignment.unit_id, set())
        for unit_id in sorted(reporting):
            pairs.setdefault((assignment.task_id, unit_id), (assignment.task, units[unit_id]))
    return sorted(pairs.values(), key=lambda pair: (pair[0].position, pair[1].name))


@dataclass
class ReportSlot:
    """One task × unit × period the user writes for, with its report if one exists."""

    task: Task
    unit: Unit
    period: dt.date
    due: dt.date
    report: ProgressReport | None

    @property
    def state(self) -> str:
        return self.report.state if self.report else ""

    @property
    def editable(self) -> bool:
        return self.report is None or self.report.state in (ReportState.DRAFT, ReportState.RETURNED)


def my_report_slots(
    user: Person, plan: Plan, settings: ReportingSettings, today: dt.date
) -> list[ReportSlot]:
    """The user's units' tasks × the open periods, each with its report. Four queries."""
    periods = open_periods(settings, today)
    pairs = assignments_for_units(plan, permissions.writer_unit_ids(user))
    if not periods or not pairs:
        return []
    reports = {
        (r.task_id, r.unit_id, r.period): r
        for r in ProgressReport.objects.filter(
            task__plan=plan, unit_id__in={u.pk for _, u in pairs}, period__in=periods
        )
    }
    return [
        ReportSlot(task, unit, period, due_date(settings, period), reports.get((task.pk, unit.pk, period)))
        for period in periods
        for task, unit in pairs
    ]


def review_queue(user: Person) -> list[ProgressReport]:
    """Submitted reports this user may review, oldest submission first."""
    if not permissions.is_supervisor(user) and not permissions.admin_unit_ids(user):
        return []
    candidates = ProgressReport.objects.filter(state=ReportState.SUBMITTED)
    if not permissions.is_supervisor(user):
        candidates = candidates.filter(
            task__assignments__role="lead", task__assignments__unit_id__in=permissions.admin_unit_ids(user)
        ).distinct()
    candidates = candidates.select_related("task", "unit", "submitted_by").prefetch_related(
        Prefetch("task__assignments", queryset=Assignment.objects.only("task_id", "unit_id", "role"))
    )
    # permissions decides (the lead reviewing its own report goes to the district office); the
    # prefetched assignments keep this free of queries.
    return sorted(
        (r for r in candidates if rules.can_review_report(user, r)),
        key=lambda r: (r.submitted_at or r.updated_at, r.pk),
    )


def report_for_page(report_id: int) -> ProgressReport | None:
    return (
        ProgressReport.objects.select_related("task__plan", "unit", "submitted_by")
        .prefetch_related(
            "task__assignments",
            Prefetch(
                "values", queryset=ReportValue.objects.select_related("target").order_by("target__position")
            ),
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by")),
            Prefetch("events", queryset=ReportEvent.objects.select_related("by", "by_unit")),
        )
        .filter(pk=report_id)
        .first()
    )


def task_reports(task: Task, user: Person) -> QuerySet[ProgressReport]:
    """The task's reports the user may see, by unit then newest period."""
    reports = ProgressReport.objects.filter(task=task).select_related("unit")
    return rules.reports_visible_to(user, reports).order_by("unit__name", "-period")


@dataclass(frozen=True)
class DiffRow:
    field: str
    before: Any
    after: Any
    changed: bool


def diff_rows(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[DiffRow]:
    before, after = before or {}, after or {}
    names = list(dict.fromkeys([*before, *after]))
    return [
        DiffRow(name, before.get(name), after.get(name), before.get(name) != after.get(name))
        for name in names
    ]


def task_audit_entries(task: Task, user: Person) -> list[AuditEntry]:
    """Audit entries of the task and of its reports the user may see, newest first, with `.rows` diffs."""
    report_ids = [str(pk) for pk in task_reports(task, user).values_list("pk", flat=True)]
    report_type = ContentType.objects.get_for_model(ProgressReport)
    task_type = ContentType.objects.get_for_model(Task)
    entries = list(
        AuditEntry.objects.filter(
            Q(target_type=report_type, target_id__in=report_ids)
            | Q(target_type=task_type, target_id=str(task.pk))
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    for entry in entries:
        entry.rows = diff_rows(entry.before, entry.after)  # type: ignore[attr-defined]  # for the template
    return entries


def unread_count(user: Person) -> int:
    if not isinstance(user, User) or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
