"""Excel in the layouts offices use: the rectification ledger (整改台账) out and in, the published
random-inspection results (序号 | 抽查事项名称 | 抽查对象名称 | 抽查结果) and the hazardous-waste results.

Rows are written by envplan.core.spreadsheets.safe_row: text that a spreadsheet could take for a formula
stays text. Reading back, a formula where a value belongs is refused: its computed value is not in the
file.

The ledger's columns follow the task lists provinces publish (序号 | 整改任务 | 责任单位 | 完成时限 |
整改目标, Inner Mongolia 2019) with the columns cities add (整改实施主体, 验收单位, 整改措施:
Ulanqab 2025); see ../shared/reference/records.md §4.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from envplan.archives import ArchiveError, check_zip_archive
from envplan.core.spreadsheets import Cell, bilingual, safe_row
from envplan.core.spreadsheets import (
    workbook_bytes as workbook_bytes,  # imported from here by commands and tests
)
from envplan.inspections.hazardous_waste import OFFICIAL_OUTCOME, OFFICIAL_ROLE, Outcome, Role
from envplan.inspections.models import (
    OFFICIAL_STATUS,
    HazardousWasteAssessment,
    InspectionRecord,
    RectificationState,
    RectificationTask,
)
from envplan.plans.models import Unit, UnitAlias, normalize_unit_name
from envplan.problems import DEFAULT_LIMIT

WRAP = Alignment(wrap_text=True, vertical="top")
LEDGER_SHEET = "整改台账 Ledger"


def header(sheet: Worksheet, titles: list[str], widths: list[float]) -> None:
    safe_row(sheet, titles)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def new_workbook(title: str, titles: list[str], widths: list[float]) -> tuple[Workbook, Worksheet]:
    """A workbook of one sheet with its header row."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    header(sheet, titles, widths)
    return book, sheet


def numbered_workbook(
    title: str, columns: Sequence[tuple[str, str, float]], rows: Iterable[Sequence[Cell]]
) -> Workbook:
    """A sheet of public figures: a first column numbering the rows (序号), then ``columns`` (the Chinese
    title, its translation and the column's width) filled by ``rows``."""
    titles = [bilingual("序号", _("No.")), *(bilingual(chinese, other) for chinese, other, _width in columns)]
    book, sheet = new_workbook(title, titles, [7, *(width for _chinese, _other, width in columns)])
    for number, row in enumerate(rows, start=1):
        safe_row(sheet, [number, *row])
    return book


# --- the rectification ledger -----------------------------------------------------------------------------

# (field, Chinese title, other spellings seen) in the order of the sheet; the first seven are read back.
LEDGER_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("number", "序号", ("编号", "问题编号")),
    ("problem", "整改任务", ("反馈问题", "问题原文", "整改问题")),
    ("subject", "整改实施主体", ("责任单位", "整改责任单位")),
    ("accepting_unit", "验收单位", ()),
    ("goal", "整改目标", ("目标任务",)),
    ("deadline", "完成时限", ("整改时限",)),
    ("measures", "整改措施", ("重点措施",)),
)
REQUIRED = ("number", "problem", "subject", "accepting_unit", "goal", "deadline")


def ledger_titles() -> list[str]:
    english = {
        "number": _("No."),
        "problem": _("Problem"),
        "subject": _("Carried out by"),
        "accepting_unit": _("Accepting unit"),
        "goal": _("Goal"),
        "deadline": _("Deadline"),
        "measures": _("Measures"),
    }
    titles = [bilingual(chinese, str(english[name])) for name, chinese, _other in LEDGER_COLUMNS]
    return [
        *titles,
        bilingual("整改进展情况", _("Latest progress")),
        bilingual("状态", _("Status")),
        bilingual("验收日期", _("Accepted on")),
        bilingual("销号日期", _("Closed on")),
        bilingual("督察轮次", _("Inspection round")),
    ]


def ledger_workbook(tasks: Iterable[RectificationTask], *, today: dt.date) -> Workbook:
    book, sheet = new_workbook(LEDGER_SHEET, ledger_titles(), [7, 48, 24, 24, 36, 12, 40, 40, 10, 12, 12, 24])
    for task in tasks:
        updates = list(task.updates.all())
        late = task.state in (
            RectificationState.ISSUED,
            RectificationState.IN_PROGRESS,
            RectificationState.REOPENED,
        )
        status = OFFICIAL_STATUS["late" if late and task.deadline < today else task.state]
        unit = task.accepting_unit
        safe_row(
            sheet,
            [
                task.number,
                task.problem,
                task.subject,
                unit.name_zh or unit.name,
                task.goal,
                task.deadline,
                task.measures,
                updates[-1].progress if updates else "",
                status,
                task.accepted_on,
                task.closed_on,
                task.round,
            ],
        )
        for column in range(1, 13):
            sheet.cell(row=sheet.max_row, column=column).alignment = WRAP
        sheet.cell(row=sheet.max_row, column=6).number_format = "yyyy-mm-dd"
    return book


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    field: str
    message: str


@dataclass
class LedgerRows:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # the first DEFAULT_LIMIT
    error_count: int = 0

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < DEFAULT_LIMIT:
            self.errors.append(error)


class SpreadsheetError(Exception):
    """A file that cannot be read at all; the message names it."""


DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"), "day"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:前|之前)?$"), "day"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(?:底|末)?(?:前|之前)?$"), "month"),
    (re.compile(r"^(\d{4})年(?:底|末)?(?:前|之前)?$"), "year"),
)


def parse_deadline(value: object) -> dt.date | None:
    """A deadline as ledgers write it: a date cell, 2025-11-30, 2025年11月30日, 2025年11月底前 (the month's
    last day), 2025年底前 (31 December). None when it is none of these."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace(" ", "")
    for pattern, kind in DATE_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        try:
            if kind == "day":
                return dt.date(year, int(match.group(2)), int(match.group(3)))
            if kind == "month":
                month = int(match.group(2))
                following = dt.date(year + month // 12, month % 12 + 1, 1)
                return following - dt.timedelta(days=1)
            return dt.date(year, 12, 31)
        except ValueError:
            return None
    return None


def find_unit(text: str) -> Unit | None:
    """A plan unit by its code, its names or any alias (the spellings the plan registry knows)."""
    text = text.strip()
    unit = Unit.objects.filter(code=text).first()
    if unit is not None:
        return unit
    alias = UnitAlias.objects.filter(normalized=normalize_unit_name(text)).select_related("unit").first()
    if alias is not None:
        return alias.unit
    key = normalize_unit_name(text)
    for candidate in Unit.objects.all():
        if key in {normalize_unit_name(candidate.name), normalize_unit_name(candidate.name_zh)}:
            return candidate
    return None


def _title_field(title: object) -> str | None:
    text = str(title or "").strip()
    chinese = text.split("/")[0].strip()
    for name, main, others in LEDGER_COLUMNS:
        if chinese in (main, *others):
            return name
    return None


def read_ledger(name: str, content: bytes) -> LedgerRows:
    """The rows of a ledger workbook, each checked (every problem listed by sheet, row and column)."""
    try:
        check_zip_archive(content, name=name)
    except ArchiveError as error:
        raise SpreadsheetError(f"{name}: {error}") from None
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign file
        raise SpreadsheetError(
            _("%(name)s is not an Excel workbook (.xlsx): %(error)s") % {"name": name, "error": error}
        ) from None
    sheet = book.worksheets[0]
    result = LedgerRows()
    rows = sheet.iter_rows()
    try:
        titles = next(rows)
    except StopIteration:
        raise SpreadsheetError(_("%(name)s: the first sheet is empty.") % {"name": name}) from None
    columns: dict[str, int] = {}
    for index, cell in enumerate(titles):
        field_name = _title_field(cell.value)
        if field_name is not None and field_name not in columns:
            columns[field_name] = index
    missing = [chinese for name_, chinese, _o in LEDGER_COLUMNS if name_ in REQUIRED and name_ not in columns]
    if missing:
        raise SpreadsheetError(
            _("%(name)s, sheet %(sheet)s, row 1: no column %(columns)s.")
            % {"name": name, "sheet": sheet.title, "columns": ", ".join(missing)}
        )
    seen: dict[int, int] = {}
    for row_cells in rows:
        row_number = row_cells[0].row if row_cells and hasattr(row_cells[0], "row") else 0
        values = {key: row_cells[index] if index < len(row_cells) else None for key, index in columns.items()}
        if all(cell is None or cell.value in (None, "") for cell in values.values()):
            continue
        row: dict[str, Any] = {"row": row_number}

        def flag(key: str, message: str) -> None:
            letter = get_column_letter(columns[key] + 1)
            result.add(RowError(sheet.title, row_number, letter, key, message))  # noqa: B023  # called at once

        for key, cell in values.items():
            value = None if cell is None else cell.value
            if cell is not None and getattr(cell, "data_type", "") == "f":
                flag(key, _("a formula; type the value itself"))
                continue
            if key == "number":
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                if isinstance(value, str) and value.strip().isdigit():
                    value = int(value.strip())
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    flag(key, _("a whole number, 1 or more"))
                    continue
                if value in seen:
                    flag(
                        key,
                        _("number %(number)d is already on row %(row)d")
                        % {"number": value, "row": seen[value]},
                    )
                    continue
                seen[value] = row_number
                row[key] = value
            elif key == "deadline":
                day = parse_deadline(value)
                if day is None:
                    flag(key, _("not a date (2025-11-30, 2025年11月30日, 2025年11月底前)"))
                    continue
                row[key] = day
            elif key == "accepting_unit":
                text = str(value or "").strip()
                unit = find_unit(text) if text else None
                if unit is None:
                    flag(
                        key,
                        _("no unit of the plan registry is called %(name)r") % {"name": text}
                        if text
                        else _("required"),
                    )
                    continue
                row[key] = unit
            else:
                text = "" if value is None else str(value).strip()
                if key in REQUIRED and not text:
                    flag(key, _("required"))
                    continue
                row[key] = text
        result.rows.append(row)
    book.close()
    if not result.rows and not result.error_count:
        raise SpreadsheetError(_("%(name)s: no task below the title row.") % {"name": name})
    return result


# --- published results and hazardous-waste results --------------------------------------------------------


def results_workbook(records: Iterable[InspectionRecord]) -> Workbook:
    """The public table of random-inspection results (序号 | 抽查事项名称 | 抽查对象名称 | 抽查结果), with the
    task, the date and the day it was published."""
    columns = (
        ("抽查事项名称", _("Inspection items"), 40),
        ("抽查对象名称", _("Inspected object"), 36),
        ("抽查结果", _("Result"), 28),
        ("任务编号", _("Task number"), 16),
        ("检查日期", _("Inspected on"), 12),
        ("公示日期", _("Published on"), 12),
    )
    rows = (
        (
            "；".join(item.name for item in record.task.items.all()),
            record.enterprise.name_zh or record.enterprise.name,
            record.official_result,
            record.task.code,
            record.inspected_on,
            record.published_at.date() if record.published_at else None,
        )
        for record in records
    )
    return numbered_workbook("抽查结果 Results", columns, rows)


def waste_workbook(assessments: Iterable[HazardousWasteAssessment]) -> Workbook:
    columns = (
        ("单位名称", _("Unit"), 40),
        ("单位类别", _("Role"), 12),
        ("评估日期", _("Assessed on"), 12),
        ("得分率(%)", _("Score (%)"), 12),
        ("评估结论", _("Outcome"), 12),
    )
    rows = (
        (
            assessment.enterprise.name_zh or assessment.enterprise.name,
            OFFICIAL_ROLE[Role(assessment.role)],
            assessment.assessed_on,
            float(assessment.percent),
            OFFICIAL_OUTCOME[Outcome(assessment.outcome)],
        )
        for assessment in assessments
    )
    return numbered_workbook("评估结果 Results", columns, rows)
