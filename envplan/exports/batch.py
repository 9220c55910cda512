"""A unit's batch of reports in Excel: the template to fill in, and reading it back.

Layout chosen for offices: one row per (task, period), with the target values on the same row as slot
pairs "目标1 Target 1" (what to report, read-only) + "值1 Value 1" (the number). Every row reads on its
own: the person filling it sees the task, the period and what each number means side by side, and the
sheet has as many columns as the unit's busiest task has targets, not one per target of the plan (a
wide sheet of mostly grey cells) nor one row per target (which splits a report over several rows).
Columns A–D are hidden keys (task id, unit code, period, target ids of the slots); the sheet is
protected so only the status, narrative and value cells can be edited.

Reading back checks every row and collects every error (sheet, row, column); a file with any error is
refused whole. A clean file is saved through `progress.services.save_report` in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from envplan.accounts import permissions
from envplan.core.services import record_audit
from envplan.core.uploads import XLSX, UploadRejected, check_upload
from envplan.exports.queries import plan_periods
from envplan.exports.xlsx import WRAP, bilingual, write_header
from envplan.plans.models import Plan, Target, Task, Unit
from envplan.progress.models import ProgressReport, ReportingSettings, ReportState, ReportStatus
from envplan.progress.services import (
    ProgressError,
    is_closed,
    parse_value,
    reporting_settings,
    save_report,
)

REPORTS_SHEET = "填报 Reports"
HELP_SHEET = "说明 Help"
KEY_HEADERS = ("task_id", "unit_code", "period", "target_ids")
COL_TASK_ID, COL_UNIT, COL_PERIOD, COL_TARGET_IDS = 1, 2, 3, 4
COL_NUMBER, COL_TITLE, COL_PERIOD_SHOWN, COL_STATUS, COL_NARRATIVE = 5, 6, 7, 8, 9
FIRST_SLOT = 10  # then pairs: description, value
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
    values: dict[int, Decimal | None]


@dataclass
class BatchResult:
    rows: list[BatchRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: int = 0


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
    widths: list[float] = [6, 6, 6, 6, 8, 40, 10, 14, 60]
    for index in range(1, slots + 1):
        headers.extend(slot_headers(index))
        widths.extend([34, 12])
    write_header(sheet, headers, widths)
    sheet.freeze_panes = "G2"
    for column in range(COL_TASK_ID, COL_TARGET_IDS + 1):
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
                task.number,
                task.title,
                f"{period:%Y-%m}",
                status_by_code[report.status] if report else "",
                report.narrative if report else "",
            ]
            for target in targets:
                row.extend([target_description(target), values.get(target.pk)])
            sheet.append(row)
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
    help_sheet.append([bilingual("进展状态", _("Status"))])
    for label in labels:
        help_sheet.append([label])
    help_sheet.append([])
    help_sheet.append([_("Fill in the yellow cells: status, progress and the value of each target.")])
    help_sheet.append([_("Leave a row empty to skip it. Do not change the hidden columns.")])
    help_sheet.append([f"{plan.title} · {unit.display_name}"])
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


def parse_period(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    try:
        return dt.datetime.strptime(cell_text(value), "%Y-%m").date()
    except ValueError:
        return None


def open_workbook(name: str, content: bytes) -> Any:
    try:
        return load_workbook(io.BytesIO(content), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise BatchError(
            _("%(name)s could not be read as an Excel workbook (%(reason)s).")
            % {"name": name, "reason": type(error).__name__}
        ) from None


def read_batch(plan: Plan, unit: Unit, *, name: str, content: bytes, by: Any) -> BatchResult:
    """Check every row of a filled-in template for `unit`. Reads only; collects every error."""
    workbook = open_workbook(name, content)
    if REPORTS_SHEET not in workbook.sheetnames:
        raise BatchError(
            _("%(name)s has no sheet named “%(sheet)s”: start from the template of this page.")
            % {"name": name, "sheet": REPORTS_SHEET}
        )
    sheet = workbook[REPORTS_SHEET]
    header = [cell_text(c.value) for c in sheet[1]]
    if tuple(header[: len(KEY_HEADERS)]) != KEY_HEADERS:
        raise BatchError(
            _("%(name)s: the hidden key columns A–D of “%(sheet)s” were changed; download a fresh template.")
            % {"name": name, "sheet": REPORTS_SHEET}
        )
    settings = reporting_settings(plan)
    tasks = {t.pk: t for t in Task.objects.filter(plan=plan).prefetch_related("targets")}
    reported_tasks = {t.pk for t in unit_tasks(plan, unit)}
    statuses = status_codes()
    locked = set(
        ProgressReport.objects.filter(task__plan=plan, unit=unit, state__in=LOCKED_STATES).values_list(
            "task_id", "period"
        )
    )
    result = BatchResult()
    seen: dict[tuple[int, dt.date], int] = {}

    def error(row: int, column: int, message: str) -> None:
        title = header[column - 1] if column - 1 < len(header) else ""
        result.errors.append(RowError(REPORTS_SHEET, row, get_column_letter(column), title, message))

    for row_number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        values = list(cells) + [None] * max(0, len(header) - len(cells))
        editable = [values[COL_STATUS - 1], values[COL_NARRATIVE - 1], *values[FIRST_SLOT:][::2]]
        if all(cell_text(v) == "" for v in values):
            continue
        if all(cell_text(v) == "" for v in editable):
            result.skipped += 1
            continue
        before = len(result.errors)

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
        elif task is not None and task.pk not in reported_tasks:
            error(
                row_number,
                COL_TASK_ID,
                _("This unit has no part in task %(number)s.") % {"number": task.number},
            )

        period = parse_period(values[COL_PERIOD - 1])
        if period is None:
            error(
                row_number,
                COL_PERIOD,
                _("%(value)r is not a period (YYYY-MM).") % {"value": values[COL_PERIOD - 1]},
            )
        elif not settings.first_period <= period <= settings.last_period:
            error(
                row_number,
                COL_PERIOD,
                _("%(period)s is outside the plan's reporting periods (%(first)s to %(last)s).")
                % {
                    "period": f"{period:%Y-%m}",
                    "first": f"{settings.first_period:%Y-%m}",
                    "last": f"{settings.last_period:%Y-%m}",
                },
            )
        elif is_closed(settings, period):
            error(
                row_number,
                COL_PERIOD,
                _("The period %(period)s is closed; its reports can no longer change.")
                % {"period": f"{period:%Y-%m}"},
            )
        elif task is not None and code == unit.code:
            key = (task.pk, period)
            if key in locked:
                error(
                    row_number,
                    COL_PERIOD,
                    _("This report is already submitted or approved and can no longer be edited."),
                )
            if key in seen:
                error(row_number, COL_PERIOD, _("Same task and period as row %(row)d.") % {"row": seen[key]})
            seen.setdefault(key, row_number)

        raw_status = cell_text(values[COL_STATUS - 1])
        status = statuses.get(raw_status.casefold())
        if status is None:
            if raw_status:
                message = _("Unknown status %(status)r; choose one from the list.") % {"status": raw_status}
            else:
                message = _("Choose a status for this row.")
            error(row_number, COL_STATUS, message)

        task_targets = {t.pk for t in task.targets.all()} if task is not None else set()
        raw_ids = [part.strip() for part in cell_text(values[COL_TARGET_IDS - 1]).split(",") if part.strip()]
        numbers: dict[int, Decimal | None] = {}
        slot_count = (len(values) - FIRST_SLOT + 1) // 2
        for index in range(slot_count):
            column = FIRST_SLOT + 2 * index + 1
            raw_value = values[column - 1]
            target_id = int(raw_ids[index]) if index < len(raw_ids) and raw_ids[index].isdigit() else None
            if target_id is None:
                if cell_text(raw_value):
                    error(row_number, column, _("This task has no target in this column."))
                continue
            if task is not None and target_id not in task_targets:
                error(
                    row_number,
                    COL_TARGET_IDS,
                    _("Target %(id)s is not a target of this task.") % {"id": target_id},
                )
                continue
            if cell_text(raw_value) == "":
                numbers[target_id] = None
                continue
            try:
                numbers[target_id] = parse_value(raw_value)
            except ProgressError as problem:
                error(row_number, column, str(problem))

        if len(result.errors) == before and task is not None and period is not None and status is not None:
            result.rows.append(
                BatchRow(
                    row=row_number,
                    task=task,
                    period=period,
                    status=status,
                    narrative=cell_text(values[COL_NARRATIVE - 1]),
                    values=numbers,
                )
            )
    return result


class BatchRejected(Exception):
    """The file was refused; `errors` lists every problem found, and nothing was stored."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@transaction.atomic
def import_batch(
    plan: Plan, unit: Unit, *, upload: UploadedFile[Any], by: Any, submit: bool
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
    if result.errors:
        raise BatchRejected(result.errors)
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
                    submit=submit,
                )
            )
        except ProgressError as problem:
            # Checked above; a change made meanwhile can still refuse a row: undo the whole file.
            transaction.set_rollback(True)
            raise BatchRejected([RowError(REPORTS_SHEET, row.row, "A", "", str(problem))]) from None
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
