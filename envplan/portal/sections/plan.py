"""The plan's progress, public: each task's number, chapter, title, lead unit and status, and each
target's value against the latest approved figure. No report text, no person: the status is derived from
deadlines, approved reports and target values (envplan.progress.status)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from envplan.core.publication import Column, Row, Section, Table, register_section
from envplan.indicators.services import attainment, series_by_target
from envplan.plans.content import content_of
from envplan.plans.models import Plan, Role, Target, Task, Unit
from envplan.plans.queries import current_plan
from envplan.portal.sections.columns import DEADLINE, LATEST_DATE, RATING, UNIT_OF_MEASURE
from envplan.portal.sections.memo import once
from envplan.progress.status import STATUS_LABELS, plan_task_states


def _plan() -> Plan | None:
    return current_plan(None)


def _task_rows(now: dt.datetime) -> list[dict[str, Any]]:
    plan = _plan()
    if plan is None:
        return []

    def compute() -> list[dict[str, Any]]:
        rows = []
        for state in plan_task_states(plan, today=now.date()):
            task = state.task
            leads = [a.unit for a in task.assignments.all() if a.role == Role.LEAD]
            deadlines = [t.deadline for t in task.targets.all() if t.deadline]
            rows.append(
                {
                    "plan_year": plan.year,
                    "task": task.number,
                    "chapter": task.section.chapter.number,
                    "title": task.title,
                    "lead_unit": ", ".join(u.name for u in leads),
                    "lead_unit_code": leads[0].code if leads else "",
                    "deadline": max(deadlines) if deadlines else dt.date(plan.year, 12, 31),
                    "status": state.status,
                }
            )
        return rows

    return once(("plan-tasks", plan.pk, now.date()), compute)


def _target_rows(now: dt.datetime) -> list[dict[str, Any]]:
    plan = _plan()
    if plan is None:
        return []
    today = now.date()
    targets = list(
        Target.objects.filter(plan=plan)
        .select_related("task")
        .prefetch_related("task__assignments__unit")
        .order_by("position")
    )
    series = series_by_target(targets)
    rows = []
    for target in targets:
        state = attainment(target, series[target.pk], today=today, year_end=dt.date(plan.year, 12, 31))
        leads = [a.unit for a in target.task.assignments.all() if a.role == Role.LEAD] if target.task else []
        rows.append(
            {
                "plan_year": plan.year,
                "target": target.position,
                "task": target.task.number if target.task else None,
                "indicator": target.indicator,
                "comparator": target.comparator,
                "value": target.value.normalize(),
                "unit_of_measure": target.unit_of_measure,
                "deadline": target.deadline,
                "latest": None if state.latest is None else state.latest.normalize(),
                "latest_date": state.latest_date,
                "rating": state.rating,
                "lead_unit_code": leads[0].code if leads else "",
            }
        )
    return rows


def _highlights(now: dt.datetime) -> list[tuple[str, str]]:
    counts = Counter(row["status"] for row in _task_rows(now))
    return [(str(STATUS_LABELS[s]), str(counts[s])) for s in ("on_track", "at_risk", "overdue", "done")]


def _unit_display(row: Row) -> str:
    """The lead unit's name in the page's language (the data keeps the registered name)."""
    units = once("units", lambda: {unit.code: unit for unit in Unit.objects.all()})
    unit = units.get(row.get("lead_unit_code", ""))
    return unit.display_name if unit is not None else str(row.get("lead_unit", ""))


def _plan_objects(kind: type[Task] | type[Target]) -> dict[int, Task | Target]:
    """The current plan's tasks (by number) or targets (by position), their plan loaded, so that a page
    shows their text in the reader's language."""
    plan = _plan()
    if plan is None:
        return {}

    def load() -> dict[int, Task | Target]:
        if kind is Task:
            return {t.number: t for t in Task.objects.filter(plan=plan).select_related("plan")}
        return {t.position: t for t in Target.objects.filter(plan=plan).select_related("plan")}

    return once((kind.__name__, plan.pk), load)


def _task_title(row: Row) -> str:
    """The task's title in the reader's language where the plan has it (the data keeps the original)."""
    task = _plan_objects(Task).get(int(row.get("task") or 0))
    return content_of(task, "title").text if task is not None else str(row.get("title", ""))


def _target_indicator(row: Row) -> str:
    target = _plan_objects(Target).get(int(row.get("target") or 0))
    return content_of(target, "indicator").text if target is not None else str(row.get("indicator", ""))


def _owner(row: Row) -> str | None:
    return row.get("lead_unit_code") or None


def _number(value: Decimal | None) -> str:
    return "—" if value is None else format(value, "f")


PLAN_YEAR = Column(
    "plan_year", gettext_lazy("Plan"), gettext_lazy("Year of the action plan."), type="integer"
)


def register() -> None:
    tasks = Table(
        name="plan-tasks",
        title=gettext_lazy("Tasks of the action plan"),
        description=gettext_lazy(
            "Every task of the current plan with its lead unit and how it stands, derived from deadlines, "
            "approved progress reports and target values."
        ),
        columns=(
            PLAN_YEAR,
            Column("task", gettext_lazy("Task"), gettext_lazy("Task number in the plan."), type="integer"),
            Column("chapter", gettext_lazy("Chapter"), gettext_lazy("Chapter number as printed.")),
            Column(
                "title",
                gettext_lazy("Title"),
                gettext_lazy("The task's title in the plan, as written."),
                display=_task_title,
            ),
            Column(
                "lead_unit",
                gettext_lazy("Lead unit"),
                gettext_lazy("The unit answering for the task (its registered name)."),
                display=_unit_display,
            ),
            Column(
                "lead_unit_code",
                gettext_lazy("Lead unit code"),
                gettext_lazy("Stable code of the lead unit in envplan's unit registry."),
            ),
            Column(
                "deadline",
                gettext_lazy("Deadline"),
                gettext_lazy("The latest deadline of the task's targets, else the plan's year end."),
                type="date",
            ),
            Column(
                "status",
                gettext_lazy("Status"),
                gettext_lazy("on_track, at_risk, overdue or done."),
                display=lambda row: str(STATUS_LABELS.get(row["status"], row["status"])),
                css=lambda row: f"status status-{row['status']}",
            ),
        ),
        rows=_task_rows,
        key="task",
        label="title",
        owner=_owner,
        keywords=("action plan", "progress"),
    )
    targets = Table(
        name="plan-targets",
        title=gettext_lazy("Targets of the action plan"),
        description=gettext_lazy(
            "Every target of the current plan with the latest approved or computed value and its rating."
        ),
        columns=(
            PLAN_YEAR,
            Column(
                "target",
                gettext_lazy("Target"),
                gettext_lazy("Position of the target in the plan."),
                type="integer",
            ),
            Column(
                "task",
                gettext_lazy("Task"),
                gettext_lazy("Task number; empty for the plan's main goals."),
                type="integer",
            ),
            Column(
                "indicator",
                gettext_lazy("Indicator"),
                gettext_lazy("What is measured."),
                display=_target_indicator,
            ),
            Column(
                "comparator",
                gettext_lazy("Comparator"),
                gettext_lazy("How the value compares with the target: >=, >, =, <=, <."),
            ),
            Column(
                "value",
                gettext_lazy("Target value"),
                gettext_lazy("The value to reach."),
                type="number",
                display=lambda row: _number(row["value"]),
            ),
            UNIT_OF_MEASURE,
            DEADLINE,
            Column(
                "latest",
                gettext_lazy("Latest value"),
                gettext_lazy("The latest approved or computed value."),
                type="number",
                display=lambda row: _number(row["latest"]),
            ),
            LATEST_DATE,
            RATING,
            Column(
                "lead_unit_code",
                gettext_lazy("Lead unit code"),
                gettext_lazy("Code of the task's lead unit."),
            ),
        ),
        rows=_target_rows,
        key="target",
        label="indicator",
        owner=_owner,
        keywords=("action plan", "targets"),
    )
    register_section(
        Section(
            key="plan",
            title=gettext_lazy("The action plan's progress"),
            summary=gettext_lazy(
                "How each task of the district's pollution-control action plan stands, and its targets."
            ),
            order=10,
            watch=(
                "plans.Plan",
                "plans.Task",
                "plans.Target",
                "plans.Assignment",
                # An approval changes a status; drafts and submissions are the units' daily work and leave
                # the cache alone (a submission that ends an overdue shows within the pages' TTL).
                "progress.ProgressReport:state=approved",
                "indicators.Indicator",
                "indicators.IndicatorValue",
            ),
            tables=(tasks, targets),
            highlights=_highlights,
        )
    )
