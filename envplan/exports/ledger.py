"""The ledger (台账): the plan as offices track it, as one Excel workbook.

Sheets:
1. "台账 Ledger": one row per task × named unit (an Assignment): number, chapter, section, task, the task's
   lead / responsible / implementing units, this row's unit and role, the task's targets and deadline, the
   latest approved report of this unit (for a group unit: of its members), and the task's derived status.
2. "目标 Targets": every target (plan goals first) with its latest value and attainment rating.
3. "单位 Units": every unit named in the plan with its tasks by role.

(Excel forbids "/" in sheet names, hence "台账 Ledger" rather than "台账 / Ledger".)
Headers are bilingual: Chinese, then the reader's language. Built in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook

from envplan.core.numbers import decimals_like
from envplan.core.services import Person
from envplan.core.spreadsheets import WRAP, safe_row, write_columns
from envplan.exports.queries import latest_approved_reports, plan_reporting
from envplan.indicators.services import attainment, series_by_target
from envplan.plans.content import content_text
from envplan.plans.models import Plan, Role, Target, Task, Unit
from envplan.progress import permissions as rules
from envplan.progress.models import ProgressReport
from envplan.progress.status import plan_task_states, task_deadline

LEDGER_SHEET = "台账 Ledger"
TARGETS_SHEET = "目标 Targets"
UNITS_SHEET = "单位 Units"
EXCERPT_CHARS = 120
RATING_LABELS = {"green": "绿", "amber": "黄", "red": "红", "unknown": "—"}
ROLES = (Role.LEAD, Role.RESPONSIBLE, Role.IMPLEMENTING)  # the order of the ledger's and the units' columns


def target_text(target: Target) -> str:
    deadline = f" ({target.deadline:%Y-%m-%d})" if target.deadline else ""
    indicator = content_text(target, "indicator")
    return f"{indicator} {target.get_comparator_display()} {target.value_display}{deadline}"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def unit_names(units: list[Unit]) -> str:
    return "、".join(u.display_name for u in units)


def build_ledger(plan: Plan, *, today: dt.date, reader: Person | None) -> Workbook:
    """The ledger workbook of a plan as of `today`, in the active language.

    A report's narrative is shown only where `reader` may read that report (its unit, the task's lead
    unit, the district office and the bureau); others get its period and status. `reader=None` is the
    operator at the command line, who reads everything.
    """
    workbook = Workbook()
    reporting = plan_reporting(plan)
    states = {state.task.pk: state for state in plan_task_states(plan, today=today)}
    approved = latest_approved_reports(plan)
    readable = (
        {r.pk for r in approved.values()}
        if reader is None
        else rules.visible_report_ids(
            reader, ProgressReport.objects.filter(pk__in=[r.pk for r in approved.values()])
        )
    )
    year_end = dt.date(plan.year, 12, 31)

    sheet = workbook.active
    sheet.title = LEDGER_SHEET
    write_columns(
        sheet,
        [
            ("序号", _("No."), 7),
            ("章", _("Chapter"), 18),
            ("节", _("Section"), 22),
            ("任务", _("Task"), 40),
            ("牵头单位", _("Lead unit"), 24),
            ("责任单位", _("Responsible units"), 30),
            ("配合单位", _("Implementing units"), 30),
            ("本行单位", _("Unit of this row"), 26),
            ("职责", _("Role"), 12),
            ("目标", _("Targets"), 40),
            ("完成时限", _("Deadline"), 12),
            ("最新审核报告期", _("Latest approved period"), 12),
            ("报告进展状态", _("Reported status"), 14),
            ("进展摘要", _("Progress (excerpt)"), 50),
            ("任务状态", _("Task status"), 12),
        ],
    )
    number = 0
    for task in reporting.tasks:
        by_role: dict[str, list[Unit]] = defaultdict(list)
        for assignment in task.assignments.all():
            by_role[assignment.role].append(assignment.unit)
        targets = "\n".join(target_text(t) for t in task.targets.all())
        deadline = task_deadline(task, year_end)
        state = states.get(task.pk)
        for assignment in task.assignments.all():
            number += 1
            latest = latest_for(assignment.unit, task.pk, approved, reporting.members)
            safe_row(
                sheet,
                [
                    number,
                    f"{task.section.chapter.number}. {content_text(task.section.chapter, 'title')}",
                    f"({task.section.number}) {content_text(task.section, 'title')}",
                    f"{task.number}. {content_text(task, 'title')}",
                    *(unit_names(by_role[role]) for role in ROLES),
                    assignment.unit.display_name,
                    assignment.get_role_display(),
                    targets,
                    deadline,
                    f"{latest.period:%Y-%m}" if latest else "",
                    latest.get_status_display() if latest else "",
                    excerpt(latest.narrative) if latest and latest.pk in readable else "",
                    state.label if state else "",
                ],
            )
            for cell in sheet[sheet.max_row]:
                cell.alignment = WRAP
            sheet.cell(row=sheet.max_row, column=11).number_format = "yyyy-mm-dd"

    add_targets_sheet(workbook, plan, reporting.tasks, today=today, year_end=year_end)
    add_units_sheet(workbook, reporting.tasks)
    return workbook


def latest_for(
    unit: Unit,
    task_id: int,
    approved: dict[tuple[int, int], ProgressReport],
    members: dict[int, set[int]],
) -> ProgressReport | None:
    if not unit.is_group:
        return approved.get((task_id, unit.pk))
    found = [approved[(task_id, m)] for m in members.get(unit.pk, set()) if (task_id, m) in approved]
    return max(found, key=lambda r: (r.period, r.pk), default=None)


def add_targets_sheet(
    workbook: Workbook, plan: Plan, tasks: list[Task], *, today: dt.date, year_end: dt.date
) -> None:
    sheet = workbook.create_sheet(TARGETS_SHEET)
    write_columns(
        sheet,
        [
            ("任务", _("Task"), 10),
            ("指标", _("Indicator"), 40),
            ("目标值", _("Target"), 18),
            ("完成时限", _("Deadline"), 12),
            ("最新值", _("Latest value"), 14),
            ("日期", _("Date"), 12),
            ("趋势预测", _("Projected"), 14),
            ("达标情况", _("Attainment"), 14),
        ],
    )
    goals = list(plan.targets.filter(task__isnull=True).order_by("position"))
    task_targets = [(task.number, t) for task in tasks for t in task.targets.all()]
    rows = [(None, t) for t in goals] + task_targets
    series = series_by_target([t for _, t in rows])
    for task_number, target in rows:
        result = attainment(target, series[target.pk], today=today, year_end=year_end)
        safe_row(
            sheet,
            [
                task_number if task_number is not None else _("plan goal"),
                content_text(target, "indicator"),
                f"{target.get_comparator_display()} {target.value_display}",
                target.deadline or year_end,
                rounded_like(result.latest, target.value),
                result.latest_date,
                rounded_like(result.projected, target.value),
                f"{RATING_LABELS[result.rating]} {rating_label(result.rating)}",
            ],
        )
        sheet.cell(row=sheet.max_row, column=4).number_format = "yyyy-mm-dd"
        sheet.cell(row=sheet.max_row, column=6).number_format = "yyyy-mm-dd"
        for column, value in ((5, result.latest), (7, result.projected)):
            if value is not None:
                places = decimals_like(value, target.value)
                sheet.cell(row=sheet.max_row, column=column).number_format = (
                    f"0.{'0' * places}" if places else "0"
                )


def rounded_like(value: Decimal | float | None, reference: Decimal) -> float | None:
    """A latest or projected value with the decimals the dashboard shows (17.870968 -> 17.9 beside a
    target of 18), not the float's own."""
    if value is None:
        return None
    return round(float(value), decimals_like(value, reference))


def rating_label(rating: str) -> str:
    labels = {"green": _("met"), "amber": _("on course"), "red": _("off course"), "unknown": _("no value")}
    return str(labels[rating])


def add_units_sheet(workbook: Workbook, tasks: list[Task]) -> None:
    sheet = workbook.create_sheet(UNITS_SHEET)
    write_columns(
        sheet,
        [
            ("单位", _("Unit"), 40),
            ("牵头任务", _("Lead on tasks"), 24),
            ("责任任务", _("Responsible for tasks"), 24),
            ("配合任务", _("Implementing tasks"), 24),
            ("任务数", _("Tasks"), 8),
        ],
    )
    units: dict[int, Unit] = {}
    roles: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for task in tasks:
        for assignment in task.assignments.all():
            units[assignment.unit_id] = assignment.unit
            roles[assignment.unit_id][assignment.role].append(task.number)
    for unit_id, unit in sorted(units.items(), key=lambda item: item[1].name):
        by_role = roles[unit_id]
        numbers = {n for role_numbers in by_role.values() for n in role_numbers}
        safe_row(
            sheet,
            [
                unit.display_name,
                *("、".join(map(str, by_role[role])) for role in ROLES),
                len(numbers),
            ],
        )


def ledger_bytes(plan: Plan, *, today: dt.date, reader: Person | None) -> bytes:
    buffer = io.BytesIO()
    build_ledger(plan, today=today, reader=reader).save(buffer)
    return buffer.getvalue()
