"""A unit's batch of reports in Excel: the template to fill in, and reading it back.

Layout chosen for offices: one row per (task, period), with the target values on the same row as slot
pairs "目标1 Target 1" (what to report, read-only) + "值1 Value 1" (the number). Every row reads on its
own: the person filling it sees the task, the period and what each number means side by side, and the
sheet has as many columns as the unit's busiest task has targets, not one per target of the plan (a
wide sheet of mostly grey cells) nor one row per target (which splits a report over several rows).
Columns A–E are hidden keys (task id, unit code, period, target ids of the slots, and the version of the
report the row was made from); the sheet is protected so only the status, narrative and value cells can
be edited.

Reading back checks every row with the report workflow's own rules (`progress.services.check_report`)
and collects every error (sheet, row, column); a file with any error is refused whole. A row made from a
report that changed since the template was downloaded is refused as stale, and a formula where a value
belongs is refused (its computed value is not in the file). A clean file is saved through
`progress.services.save_report` in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula

from envplan.accounts import permissions
from envplan.core.services import Person, record_audit
from envplan.core.spreadsheets import WRAP, bilingual, safe_row, write_header
from envplan.core.uploads import XLSX, UploadRejected, check_upload
from envplan.plans.models import Plan, Target, Task, Unit
from envplan.problems import DEFAULT_LIMIT, ProblemList
from envplan.progress.calendar import is_closed, plan_periods, reporting_settings
from envplan.progress.errors import Problem, ProgressError, target_of_field
from envplan.progress.models import ProgressReport, ReportingSettings, ReportState, ReportStatus
from envplan.progress.periods import parse_period
from envplan.progress.services import check_report, save_report

REPORTS_SHEET = "填报 Reports"
HELP_SHEET = "说明 Help"
KEY_HEADERS = ("task_id", "unit_code", "period", "target_ids", "version")
COL_TASK_ID, COL_UNIT, COL_PERIOD, COL_TARGET_IDS, COL_VERSION = 1, 2, 3, 4, 5
COL_NUMBER, COL_TITLE, COL_PERIOD_SHOWN, COL_STATUS, COL_NARRATIVE = 6, 7, 8, 9, 10
FIRST_SLOT = 11  # then pairs: description, value
EDITABLE_FILL = PatternFill("solid", fgColor="FFF9E0")
LOCKED_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)


class BatchError(Exception):
    """A file that cannot be read at all (wrong type, missing sheet); the message names the file."""


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str  # letter, e.g. "H"
    field: str
    message: str


@dataclass
class BatchRow:
    row: int
    task: Task
    period: dt.date
    status: str
    narrative: str
    values: dict[int, Any]
    version: int
    value_columns: dict[int, int]  # target id -> column of its value


@dataclass
class BatchResult:
    rows: list[BatchRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # the first DEFAULT_LIMIT problems
    error_count: int = 0  # all of them
    skipped: int = 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < DEFAULT_LIMIT:
            self.errors.append(error)

    @property
    def problems(self) -> ProblemList[RowError]:
        return ProblemList(tuple(self.errors), self.error_count)


# --- the template ------------------------------------------------------------------------------------


def unit_tasks(plan: Plan, unit: Unit) -> list[Task]:
    """Tasks the unit reports on: it is named on them, or a group it belongs to is."""
    return list(
        Task.objects.filter(plan=plan)
        .filter(Q(assignments__unit=unit) | Q(assignments__unit__in=unit.groups.all()))
        .distinct()
        .prefetch_related("targets")
        .order_by("position")
    )


def template_periods(
    settings: ReportingSettings, *, today: dt.date, only: dt.date | None = None
) -> list[dt.date]:
    """Open periods that have begun (or just `only`, if it is one of them)."""
    periods = [p for p in plan_periods(settings) if p <= today and not is_closed(settings, p)]
    if only is not None:
        return [p for p in periods if p == only.replace(day=1)]
    return periods


def status_labels() -> list[str]:
    return [str(label) for label in ReportStatus.labels]


def slot_headers(index: int) -> tuple[str, str]:
    return (
        bilingual(f"目标{index}", _("Target %(n)d") % {"n": index}),
        bilingual(f"值{index}", _("Value %(n)d") % {"n": index}),
    )


def build_template(plan: Plan, unit: Unit, *, today: dt.date, only: dt.date | None = None) -> Workbook:
    """The unit's batch template: a row per task it reports on × open period, prefilled from its drafts."""
    settings = reporting_settings(plan)
    tasks = unit_tasks(plan, unit)
    periods = template_periods(settings, today=today, only=only)
    existing = {
        (r.task_id, r.period): r
        for r in ProgressReport.objects.filter(
            task__plan=plan, unit=unit, period__in=periods
        ).prefetch_related("values")
    }
    slots = max((len(task.targets.all()) for task in tasks), default=0)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = REPORTS_SHEET
    headers = [
        *KEY_HEADERS,
        bilingual("任务编号", _("Task no.")),
        bilingual("任务", _("Task")),
        bilingual("报告期", _("Period")),
        bilingual("进展状态", _("Status")),
        bilingual("工作进展", _("Progress")),
    ]
    widths: list[float] = [6, 6, 6, 6, 6, 8, 40, 10, 14, 60]
    for index in range(1, slots + 1):
        headers.extend(slot_headers(index))
        widths.extend([34, 12])
    write_header(sheet, headers, widths)
    sheet.freeze_panes = f"{get_column_letter(COL_PERIOD_SHOWN)}2"
    for column in range(COL_TASK_ID, COL_VERSION + 1):
        sheet.column_dimensions[get_column_letter(column)].hidden = True

    labels = status_labels()
    validation = DataValidation(
        type="list",
        formula1=f"'{HELP_SHEET}'!$A$2:$A${len(labels) + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("Status"),
        error=_("Choose a status from the list."),
    )
    sheet.add_data_validation(validation)
    status_by_code = dict(zip(ReportStatus.values, labels, strict=True))

    for task in tasks:
        targets = list(task.targets.all())
        for period in periods:
            report = existing.get((task.pk, period))
            if report is not None and report.state in LOCKED_STATES:
                continue  # submitted or approved: nothing left to fill in
            values = {v.target_id: v.value for v in report.values.all()} if report else {}
            row: list[Any] = [
                task.pk,
                unit.code,
                f"{period:%Y-%m}",
                ",".join(str(t.pk) for t in targets),
                report.version if report else 0,
                task.number,
                task.title,
                f"{period:%Y-%m}",
                status_by_code[report.status] if report else "",
                report.narrative if report else "",
            ]
            for target in targets:
                row.extend([target_description(target), values.get(target.pk)])
            safe_row(sheet, row)
            current = sheet.max_row
            for cell in sheet[current]:
                cell.alignment = WRAP
            editable = [COL_STATUS, COL_NARRATIVE] + [FIRST_SLOT + 2 * i + 1 for i in range(len(targets))]
            for column in editable:
                cell = sheet.cell(row=current, column=column)
                cell.protection = Protection(locked=False)
                cell.fill = EDITABLE_FILL
            validation.add(f"{get_column_letter(COL_STATUS)}{current}")
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False

    help_sheet = workbook.create_sheet(HELP_SHEET)
    safe_row(help_sheet, [bilingual("进展状态", _("Status"))])
    for label in labels:
        safe_row(help_sheet, [label])
    safe_row(help_sheet, [])
    safe_row(help_sheet, [_("Fill in the yellow cells: status, progress and the value of each target.")])
    safe_row(help_sheet, [_("Leave a row empty to skip it. Do not change the hidden columns.")])
    safe_row(help_sheet, [f"{plan.title} · {unit.display_name}"])
    help_sheet.column_dimensions["A"].width = 80
    return workbook


def target_description(target: Target) -> str:
    deadline = f" ({target.deadline:%Y-%m-%d})" if target.deadline else ""
    measure = f" [{target.unit_of_measure}]" if target.unit_of_measure else ""
    return f"{target.indicator} {target.get_comparator_display()} {target.value_display}{deadline}{measure}"


def template_bytes(plan: Plan, unit: Unit, *, today: dt.date, only: dt.date | None = None) -> bytes:
    buffer = io.BytesIO()
    build_template(plan, unit, today=today, only=only).save(buffer)
    return buffer.getvalue()


# --- reading it back ---------------------------------------------------------------------------------


def status_codes() -> dict[str, str]:
    """Every way to write a status (code, or its label in any of the site's languages) -> code."""
    codes = {code.casefold(): code for code in ReportStatus.values}
    for language, _name in django_settings.LANGUAGES:
        with translation.override(language):
            for code, label in zip(ReportStatus.values, ReportStatus.labels, strict=True):
                codes[str(label).strip().casefold()] = code
    return codes


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def open_workbook(name: str, content: bytes) -> Any:
    """The workbook with formulas as written (not their cached results), read-only."""
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise BatchError(
            _("%(name)s could not be read as an Excel workbook (%(reason)s).")
            % {"name": name, "reason": type(error).__name__}
        ) from None


def is_formula(cell: Any) -> bool:
    return getattr(cell, "data_type", None) == "f" or isinstance(getattr(cell, "value", None), ArrayFormula)


def column_of(problem: Problem, row: BatchRow) -> int:
    """The column that shows a problem of the report workflow."""
    target_id = target_of_field(problem.field)
    if target_id is not None:
        return row.value_columns.get(target_id, COL_TARGET_IDS)
    return {
        "status": COL_STATUS,
        "narrative": COL_NARRATIVE,
        "period": COL_PERIOD,
        "unit": COL_UNIT,
        "version": COL_VERSION,
        "state": COL_PERIOD,
    }.get(problem.field, COL_TASK_ID)


def read_batch(plan: Plan, unit: Unit, *, name: str, content: bytes, by: Person) -> BatchResult:
    """Check every row of a filled-in template for `unit`. Reads only; collects every error."""
    workbook = open_workbook(name, content)
    try:
        return read_reports_sheet(workbook, plan, unit, name=name, by=by)
    finally:
        workbook.close()


def read_reports_sheet(workbook: Any, plan: Plan, unit: Unit, *, name: str, by: Person) -> BatchResult:
    if REPORTS_SHEET not in workbook.sheetnames:
        raise BatchError(
            _("%(name)s has no sheet named “%(sheet)s”: start from the template of this page.")
            % {"name": name, "sheet": REPORTS_SHEET}
        )
    sheet = workbook[REPORTS_SHEET]
    rows = sheet.iter_rows()
    header = [cell_text(c.value) for c in next(rows, ())]
    if tuple(header[: len(KEY_HEADERS)]) != KEY_HEADERS:
        raise BatchError(
            _(
                "%(name)s: the hidden key columns A–E of “%(sheet)s” were changed or come from an older "
                "template; download a fresh template."
            )
            % {"name": name, "sheet": REPORTS_SHEET}
        )
    tasks = {t.pk: t for t in Task.objects.filter(plan=plan).prefetch_related("targets", "assignments")}
    statuses = status_codes()
    result = BatchResult()
    seen: dict[tuple[int, dt.date], int] = {}

    def error(row: int, column: int, message: str) -> None:
        title = header[column - 1] if column - 1 < len(header) else ""
        result.add_error(RowError(REPORTS_SHEET, row, get_column_letter(column), title, message))

    for row_number, cells in enumerate(rows, start=2):
        cells = list(cells) + [None] * max(0, len(header) - len(cells))
        values = [getattr(cell, "value", None) for cell in cells]
        value_columns = [FIRST_SLOT + 2 * i + 1 for i in range((len(values) - FIRST_SLOT + 1) // 2)]
        editable = [COL_STATUS, COL_NARRATIVE, *value_columns]
        if all(cell_text(v) == "" for v in values):
            continue
        if all(cell_text(values[c - 1]) == "" for c in editable):
            result.skipped += 1
            continue
        before = result.error_count
        for column in editable:
            if is_formula(cells[column - 1]):
                error(
                    row_number,
                    column,
                    _("This cell holds a formula (%(formula)s); type the value itself.")
                    % {"formula": str(values[column - 1])[:40]},
                )

        raw_task = cell_text(values[COL_TASK_ID - 1])
        task = tasks.get(int(raw_task)) if raw_task.isdigit() else None
        if task is None:
            error(row_number, COL_TASK_ID, _("Unknown task %(task)r in this plan.") % {"task": raw_task})

        code = cell_text(values[COL_UNIT - 1])
        if code != unit.code:
            row_unit = Unit.objects.filter(code=code).first()
            if row_unit is None:
                message = _("Unknown unit %(code)r.") % {"code": code}
            elif not permissions.can_write_for_unit(by, row_unit.pk):
                message = _("You may not report for %(unit)s.") % {"unit": row_unit.display_name}
            else:
                message = _("This row is for %(other)s; this upload is for %(unit)s.") % {
                    "other": row_unit.display_name,
                    "unit": unit.display_name,
                }
            error(row_number, COL_UNIT, message)

        period = parse_period(values[COL_PERIOD - 1])
        if period is None:
            error(
                row_number,
                COL_PERIOD,
                _("%(value)r is not a period (YYYY-MM).") % {"value": values[COL_PERIOD - 1]},
            )
        elif task is not None and code == unit.code:
            key = (task.pk, period)
            if key in seen:
                error(row_number, COL_PERIOD, _("Same task and period as row %(row)d.") % {"row": seen[key]})
            seen.setdefault(key, row_number)

        raw_version = cell_text(values[COL_VERSION - 1])
        version = int(raw_version) if raw_version.isdigit() else None
        if version is None:
            error(
                row_number,
                COL_VERSION,
                _("The hidden report version of this row is missing; download a fresh template."),
            )

        raw_status = cell_text(values[COL_STATUS - 1])
        status = statuses.get(raw_status.casefold(), raw_status)  # an unknown one is the service's to refuse

        raw_ids = [part.strip() for part in cell_text(values[COL_TARGET_IDS - 1]).split(",") if part.strip()]
        numbers: dict[int, Any] = {}
        columns: dict[int, int] = {}
        for index, column in enumerate(value_columns):
            raw_value = values[column - 1]
            target_id = int(raw_ids[index]) if index < len(raw_ids) and raw_ids[index].isdigit() else None
            if target_id is None:
                if cell_text(raw_value):
                    error(row_number, column, _("This task has no target in this column."))
                continue
            columns[target_id] = column
            if not is_formula(cells[column - 1]):
                numbers[target_id] = "" if raw_value is None else raw_value

        if task is None or period is None or code != unit.code:
            continue
        row = BatchRow(
            row=row_number,
            task=task,
            period=period,
            status=status,
            narrative=cell_text(values[COL_NARRATIVE - 1]),
            values=numbers,
            version=version or 0,
            value_columns=columns,
        )
        # The report workflow's own rules, once: permissions, calendar, status, values, version, state.
        try:
            check_report(
                task=task,
                unit=unit,
                period=period,
                by=by,
                narrative=row.narrative,
                status=status,
                values=numbers,
                expected_version=version,
            )
        except ProgressError as refused:
            for problem in refused.problems:
                error(row_number, column_of(problem, row), problem.message)
            continue
        if result.error_count > before:
            continue
        result.rows.append(row)
    return result


class BatchRejected(Exception):
    """The file was refused, nothing stored; `problems` holds the first 1,000 problems and the count."""

    def __init__(self, problems: ProblemList[RowError]) -> None:
        super().__init__(f"{problems.total} error(s)")
        self.problems = problems
        self.errors = list(problems.kept)


@transaction.atomic
def import_batch(
    plan: Plan, unit: Unit, *, upload: File[bytes], by: Person, submit: bool
) -> list[ProgressReport]:
    """Save every row of a filled-in template as the unit's reports (drafts, or submitted if `submit`).

    All or nothing: a file of the wrong type raises BatchError; any bad row raises BatchRejected with
    every error, and nothing is stored. Side effects: per report, what `save_report` does (audit, event,
    notification of reviewers after commit); one audit entry `reports.batch_imported` for the file.
    """
    if not permissions.can_write_for_unit(by, unit.pk):
        raise ProgressError(_("You may only write reports for your own units."))
    name = upload.name or "?"
    try:
        check_upload(upload, allowed=(XLSX,))
    except UploadRejected as problem:
        raise BatchError(str(problem)) from None
    upload.seek(0)
    content = upload.read()
    result = read_batch(plan, unit, name=name, content=content, by=by)
    if result.error_count:
        raise BatchRejected(result.problems)
    reports = []
    for row in result.rows:
        try:
            reports.append(
                save_report(
                    task=row.task,
                    unit=unit,
                    period=row.period,
                    by=by,
                    narrative=row.narrative,
                    status=row.status,
                    values=row.values,
                    expected_version=row.version,
                    submit=submit,
                )
            )
        except ProgressError as refused:
            # Checked above; a change made meanwhile can still refuse a row: undo the whole file.
            transaction.set_rollback(True)
            raise BatchRejected(
                ProblemList.collect(
                    RowError(
                        REPORTS_SHEET,
                        row.row,
                        get_column_letter(column_of(problem, row)),
                        "",
                        problem.message,
                    )
                    for problem in refused.problems
                )
            ) from None
    record_audit(
        plan,
        action="reports.batch_imported",
        actor=by,
        after={
            "unit": unit.code,
            "file": name,
            "sha256": hashlib.sha256(content).hexdigest(),
            "reports": [r.pk for r in reports],
            "submitted": submit,
        },
        plan_id=plan.pk,
    )
    return reports
