"""Reads shared by the ledger, the batch template and the assessment: who reports on which task."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch

from envplan.plans.models import Assignment, Plan, Task, Unit
from envplan.progress.calendar import due_date, plan_periods
from envplan.progress.models import ProgressReport, ReportingSettings, ReportState


def owed_periods(settings: ReportingSettings, *, today: dt.date) -> list[dt.date]:
    """Periods whose report due date has passed (as in `progress.status`: due date strictly before today)."""
    return [p for p in plan_periods(settings) if due_date(settings, p) < today]


def tasks_with_assignments(plan: Plan) -> list[Task]:
    """The plan's tasks in order, with chapter, section, targets and assignments (with units): 4 queries."""
    return list(
        plan.tasks.select_related("section__chapter")
        .prefetch_related(
            "targets",
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit").order_by("pk")),
        )
        .order_by("position")
    )


def group_members(group_ids: set[int]) -> dict[int, set[int]]:
    """group unit id -> ids of its member units, in one query."""
    members: dict[int, set[int]] = defaultdict(set)
    rows = Unit.members.through.objects.filter(from_unit_id__in=group_ids).values_list(
        "from_unit_id", "to_unit_id"
    )
    for group_id, member_id in rows:
        members[group_id].add(member_id)
    return members


@dataclass
class Reporting:
    """Which units report on which task: named units that are not groups, and the members of named groups."""

    tasks: list[Task]
    reporters: dict[int, set[int]]  # task id -> unit ids
    units: dict[int, Unit]
    members: dict[int, set[int]]  # group unit id -> member unit ids


def plan_reporting(plan: Plan) -> Reporting:
    tasks = tasks_with_assignments(plan)
    named_units = {a.unit_id: a.unit for task in tasks for a in task.assignments.all()}
    members = group_members({uid for uid, unit in named_units.items() if unit.is_group})
    member_ids = {m for ids in members.values() for m in ids} - set(named_units)
    units = dict(named_units)
    units.update({u.pk: u for u in Unit.objects.filter(pk__in=member_ids)})
    reporters: dict[int, set[int]] = {}
    for task in tasks:
        ids: set[int] = set()
        for assignment in task.assignments.all():
            if assignment.unit.is_group:
                ids |= {m for m in members.get(assignment.unit_id, set()) if not units[m].is_group}
            else:
                ids.add(assignment.unit_id)
        reporters[task.pk] = ids
    return Reporting(tasks=tasks, reporters=reporters, units=units, members=members)


def latest_approved_reports(plan: Plan) -> dict[tuple[int, int], ProgressReport]:
    """(task id, unit id) -> that unit's approved report for the latest period, in one query."""
    latest: dict[tuple[int, int], ProgressReport] = {}
    reports = ProgressReport.objects.filter(task__plan=plan, state=ReportState.APPROVED).order_by(
        "period", "approved_at", "pk"
    )
    for report in reports:
        latest[(report.task_id, report.unit_id)] = report
    return latest
