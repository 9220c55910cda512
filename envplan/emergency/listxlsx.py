"""The emergency reduction list as an Excel workbook, in the layout offices use.

One row per enterprise and production line (records.md 1a: "one row per enterprise, repeated rows per
line/process possible"), enterprise columns repeated on each of its rows; the measures in the order of
the 邢台 list (red, orange, yellow), then the cut each level's measures amount to. A second sheet gives
the emission caps those cuts set per level (written on export, ignored on import).

Reading checks every row and returns every problem (sheet, row, column, message); nothing is stored
here. Text that a spreadsheet could run as a formula is written as plain text.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from envplan.archives import ArchiveError, check_zip_archive
from envplan.core.spreadsheets import bilingual, safe_row, workbook_bytes, write_header
from envplan.emergency.models import (
    CONTROL_TYPE_ZH,
    LEVEL_ZH,
    ControlType,
    Level,
    PerformanceGrade,
    ProductionLine,
    ReductionList,
)
from envplan.standards.emergency.grades import GradeError, check_grade, parse_scheme, scheme_for

SHEET = "应急减排清单"
CAPS_SHEET = "各级预警排放上限"

# (key, Chinese title as offices print it, English title)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("row", "序号", "No."),
    ("enterprise", "企业名称", "enterprise"),
    ("credit_code", "统一社会信用代码", "unified social credit code"),
    ("district", "县(区)", "district"),
    ("industry", "行业类型", "industry"),
    ("control_type", "管控类型", "control type"),
    ("gas_related", "是否涉气", "emits to air"),
    ("grade", "绩效等级", "performance grade"),
    ("scheme", "分级方案", "grading scheme"),
    ("graded_on", "定级日期", "graded on"),
    ("valid_until", "有效期至", "valid until"),
    ("line", "生产线/工序", "production line or process"),
    ("line_description", "生产线描述", "line description"),
    ("outlets", "排放口编号", "outlet codes"),
    ("stop_from", "停产起始预警级别", "stopped from level"),
    ("so2", "SO2排放量(年,t)", "SO2 (t/a)"),
    ("nox", "NOx排放量(年,t)", "NOx (t/a)"),
    ("pm", "颗粒物排放量(年,t)", "particulate matter (t/a)"),
    ("vocs", "VOCs排放量(年,t)", "VOCs (t/a)"),
    ("annual_hours", "年运行小时数", "operating hours a year"),
    ("red_measures", "红色预警减排措施", "red alert measures"),
    ("orange_measures", "橙色预警减排措施", "orange alert measures"),
    ("yellow_measures", "黄色预警减排措施", "yellow alert measures"),
    ("red_cut", "红色预警减排比例(%)", "red cut (%)"),
    ("orange_cut", "橙色预警减排比例(%)", "orange cut (%)"),
    ("yellow_cut", "黄色预警减排比例(%)", "yellow cut (%)"),
)
KEYS = tuple(key for key, _, _ in COLUMNS)
POLLUTANT_KEYS = ("so2", "nox", "pm", "vocs")
ENTERPRISE_KEYS = (
    "credit_code", "district", "industry", "control_type", "gas_related", "grade", "scheme", "graded_on",
    "valid_until", *POLLUTANT_KEYS, "annual_hours", "red_measures", "orange_measures", "yellow_measures",
    "red_cut", "orange_cut", "yellow_cut",
)  # fmt: skip
LEVEL_WORDS = {
    **{zh: str(level) for level, zh in LEVEL_ZH.items()},
    **{str(level): str(level) for level in Level},
    **{zh[0]: str(level) for level, zh in LEVEL_ZH.items()},
}
CONTROL_WORDS = {
    **{zh: str(kind) for kind, zh in CONTROL_TYPE_ZH.items()},
    **{str(k): str(k) for k in ControlType},
}
YES = {"是", "yes", "y", "1", "true", "oui"}
NO = {"否", "no", "n", "0", "false", "non"}


class ListFileError(ValueError):
    """A file that cannot be read as a list at all (not a workbook, no list sheet, wrong header)."""


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}, row {self.row}, {self.column}: {self.message}"


@dataclass
class ParsedLine:
    name: str
    description: str
    outlet_codes: list[str]
    stop_from: str


@dataclass
class ParsedGrade:
    scheme: str
    grade: str
    valid_from: dt.date
    valid_until: dt.date | None


@dataclass
class ParsedEntry:
    sheet_row: int
    row_number: int
    enterprise_name: str
    credit_code: str
    values: dict[str, Any] = field(default_factory=dict)
    grade: ParsedGrade | None = None
    lines: list[ParsedLine] = field(default_factory=list)


def title(key: str) -> str:
    return bilingual(*next((zh, en) for k, zh, en in COLUMNS if k == key))


def _header(sheet: Worksheet, titles: list[str]) -> None:
    write_header(sheet, titles, [16] * len(titles))


@dataclass(frozen=True)
class ExportRow:
    """One row of the workbook; values by key of COLUMNS."""

    values: dict[str, Any]


@dataclass(frozen=True)
class CapRow:
    enterprise: str
    level: str
    caps: dict[str, float | None]  # pollutant -> kg/d


def write_workbook(rows: Iterable[ExportRow], caps: Iterable[CapRow]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    _header(sheet, [title(key) for key in KEYS])
    for row in rows:
        safe_row(sheet, [row.values.get(key, "") for key in KEYS])
    caps_sheet = book.create_sheet(CAPS_SHEET)
    _header(
        caps_sheet,
        [title("enterprise"), "预警级别", "SO2(kg/d)", "NOx(kg/d)", "颗粒物(kg/d)", "VOCs(kg/d)"],
    )
    for cap in caps:
        safe_row(
            caps_sheet,
            [cap.enterprise, LEVEL_ZH[Level(cap.level)], *(cap.caps.get(p) for p in POLLUTANT_KEYS)],
        )
    return workbook_bytes(book)


def export_rows(reduction_list: ReductionList, *, on: dt.date) -> tuple[list[ExportRow], list[CapRow]]:
    """The workbook rows of a list, with each enterprise's grade in force on ``on``."""
    from envplan.emergency import queries

    entries = list(queries.list_entries(reduction_list))
    grades_by_enterprise: dict[int, list[PerformanceGrade]] = {}
    for row in PerformanceGrade.objects.filter(
        enterprise_id__in=[e.enterprise_id for e in entries], valid_from__lte=on
    ).order_by("-valid_from"):
        grades_by_enterprise.setdefault(row.enterprise_id, []).append(row)
    in_force = queries.grades_in_force([e.enterprise_id for e in entries], on=on)
    rows, caps = [], []
    for entry in entries:
        enterprise = entry.enterprise
        grade = in_force.get(entry.enterprise_id)
        record = next(
            (
                g
                for g in grades_by_enterprise.get(entry.enterprise_id, [])
                if grade and g.grade == grade.grade and g.scheme == grade.scheme
            ),
            None,
        )
        common: dict[str, Any] = {
            "row": entry.row_number,
            "enterprise": enterprise.name_zh or enterprise.name,
            "credit_code": enterprise.credit_code,
            "district": enterprise.district,
            "industry": entry.industry,
            "control_type": CONTROL_TYPE_ZH.get(ControlType(entry.control_type), entry.control_type),
            "gas_related": "是" if entry.gas_related else "否",
            "grade": grade.grade if grade else "",
            "scheme": grade.scheme if grade else "",
            "graded_on": record.valid_from if record else None,
            "valid_until": record.valid_until if record else None,
            "so2": entry.baseline_so2,
            "nox": entry.baseline_nox,
            "pm": entry.baseline_pm,
            "vocs": entry.baseline_vocs,
            "annual_hours": entry.annual_hours,
            "red_measures": entry.red_measures,
            "orange_measures": entry.orange_measures,
            "yellow_measures": entry.yellow_measures,
            "red_cut": entry.red_cut,
            "orange_cut": entry.orange_cut,
            "yellow_cut": entry.yellow_cut,
        }
        lines: list[ProductionLine | None] = [*entry.lines.all()] or [None]
        for line in lines:
            values = dict(common)
            if line is not None:
                values.update(
                    line=line.name,
                    line_description=line.description,
                    outlets=", ".join(o.code for o in line.outlets.all()),
                    stop_from=LEVEL_ZH[Level(line.stop_from)] if line.stop_from else "",
                )
            rows.append(ExportRow({k: float(v) if hasattr(v, "as_tuple") else v for k, v in values.items()}))
        for level in Level.values:
            caps.append(CapRow(common["enterprise"], level, queries.daily_caps(entry, level, grade)))
    return rows, caps


# --- reading ---------------------------------------------------------------------------------------------


def _open(name: str, content: bytes) -> Any:
    try:
        check_zip_archive(content, name=name)
    except ArchiveError as error:
        raise ListFileError(f"{name}: refused before opening ({error.reason})") from None
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ListFileError(f"{name}: not an Excel workbook ({type(error).__name__})") from None


def _is_formula(cell: Any) -> bool:
    return getattr(cell, "data_type", None) == "f" or isinstance(getattr(cell, "value", None), ArrayFormula)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _header_key(text: str) -> str | None:
    chinese = text.split(" / ")[0].strip()
    return next((key for key, zh, _ in COLUMNS if zh == chinese), None)


def read_workbook(name: str, content: bytes) -> tuple[list[ParsedEntry], list[Problem]]:
    """Every entry of the list sheet, and every problem found; entries are only usable when there is no
    problem. Enterprises and outlets are matched later, against the registry."""
    book = _open(name, content)
    try:
        if SHEET not in book.sheetnames:
            raise ListFileError(f"{name}: no sheet named {SHEET!r} (sheets: {', '.join(book.sheetnames)})")
        sheet = book[SHEET]
        rows = sheet.iter_rows()
        header = next(rows, None)
        if header is None:
            raise ListFileError(f"{name}: sheet {SHEET!r} is empty")
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            key = _header_key(_text(cell.value))
            if key:
                positions[key] = index
        missing = [zh for key, zh, _ in COLUMNS if key not in positions and key in ("enterprise", "line")]
        if missing:
            raise ListFileError(f"{name}: sheet {SHEET!r} has no column {', '.join(missing)}")
        return _read_rows(rows, positions)
    finally:
        book.close()


def _read_rows(rows: Iterable[Any], positions: dict[str, int]) -> tuple[list[ParsedEntry], list[Problem]]:
    entries: dict[str, ParsedEntry] = {}
    problems: list[Problem] = []
    for sheet_row, cells in enumerate(rows, start=2):
        cells = list(cells)
        raw: dict[str, str] = {}
        formula = False
        for key, index in positions.items():
            cell = cells[index] if index < len(cells) else None
            if cell is not None and _is_formula(cell):
                problems.append(Problem(SHEET, sheet_row, _zh(key), "a formula where a value belongs"))
                formula = True
            raw[key] = _text(cell.value) if cell is not None else ""
        if not any(raw.values()) or formula:
            continue
        _read_row(sheet_row, raw, entries, problems)
    return list(entries.values()), problems


def _zh(key: str) -> str:
    return next(zh for k, zh, _ in COLUMNS if k == key)


def _read_row(
    sheet_row: int, raw: dict[str, str], entries: dict[str, ParsedEntry], problems: list[Problem]
) -> None:
    def problem(key: str, message: str) -> None:
        problems.append(Problem(SHEET, sheet_row, _zh(key), message))

    name = raw.get("enterprise", "")
    if not name:
        problem("enterprise", "the enterprise's name is missing")
        return
    code = raw.get("credit_code", "")
    key = code or name
    values: dict[str, Any] = {}
    for pollutant in POLLUTANT_KEYS:
        values[pollutant] = _decimal(raw.get(pollutant, ""), pollutant, problem, upper=Decimal("1e9"))
    for level in ("red", "orange", "yellow"):
        values[f"{level}_cut"] = _decimal(
            raw.get(f"{level}_cut", ""), f"{level}_cut", problem, upper=Decimal(100)
        )
        values[f"{level}_measures"] = raw.get(f"{level}_measures", "")
    hours = _decimal(raw.get("annual_hours", ""), "annual_hours", problem, upper=Decimal(8784))
    if hours is not None and (hours != hours.to_integral_value() or hours < 1):
        problem("annual_hours", f"{hours} is not a whole number of hours, 1 to 8784")
        hours = None
    values["annual_hours"] = int(hours) if hours is not None else None
    values["district"] = raw.get("district", "")
    values["industry"] = raw.get("industry", "")
    control = raw.get("control_type", "")
    values["control_type"] = CONTROL_WORDS.get(control) if control else str(ControlType.GRADED)
    if values["control_type"] is None:
        problem("control_type", f"{control!r} is not one of {' / '.join(CONTROL_TYPE_ZH.values())}")
    gas = raw.get("gas_related", "").lower()
    values["gas_related"] = True if not gas or gas in YES else False if gas in NO else None
    if values["gas_related"] is None:
        problem("gas_related", f"{raw['gas_related']!r}: write 是 or 否")
    values["credit_code"] = code
    grade = _grade(raw, problem)
    values["grade"] = (grade.scheme, grade.grade, grade.valid_from, grade.valid_until) if grade else None
    row_number = _decimal(raw.get("row", ""), "row", problem, upper=Decimal(10**6))

    entry = entries.get(key)
    if entry is None:
        entry = ParsedEntry(
            sheet_row=sheet_row,
            row_number=int(row_number) if row_number is not None else len(entries) + 1,
            enterprise_name=name,
            credit_code=code,
            values=values,
            grade=grade,
        )
        entries[key] = entry
    else:
        for column in ENTERPRISE_KEYS:
            if _blank(raw, column) or values.get(column) == entry.values.get(column):
                continue
            shown = entry.values.get(column)
            problem(column, f"differs from row {entry.sheet_row} of the same enterprise ({shown!s} there)")
    line = raw.get("line", "")
    stop = raw.get("stop_from", "")
    stop_level = LEVEL_WORDS.get(stop.lower() if stop.isascii() else stop) if stop else ""
    if stop_level is None:
        problem("stop_from", f"{stop!r} is not 黄色, 橙色 or 红色")
        stop_level = ""
    outlets = [
        c.strip()
        for c in raw.get("outlets", "").replace("，", ",").replace("、", ",").split(",")
        if c.strip()
    ]
    if line:
        entry.lines.append(ParsedLine(line, raw.get("line_description", ""), outlets, stop_level))
    elif outlets or stop:
        problem("line", "outlets or a stop level are given without the production line they belong to")


def _blank(raw: dict[str, str], column: str) -> bool:
    if column == "grade":
        return not raw.get("grade")
    return not raw.get(column, "")


def _decimal(text: str, key: str, problem: Any, *, upper: Decimal) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        problem(key, f"{text!r} is not a number")
        return None
    if not value.is_finite() or value < 0 or value > upper:
        problem(key, f"{text} is not between 0 and {upper}")
        return None
    return value


def _date(text: str, key: str, problem: Any) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        problem(key, f"{text!r} is not a date (YYYY-MM-DD)")
        return None


def _grade(raw: dict[str, str], problem: Any) -> ParsedGrade | None:
    grade = raw.get("grade", "")
    graded_on = _date(raw.get("graded_on", ""), "graded_on", problem)
    valid_until = _date(raw.get("valid_until", ""), "valid_until", problem)
    if not grade:
        return None
    if graded_on is None:
        problem("graded_on", "a grade needs the date it was given")
        return None
    try:
        scheme = parse_scheme(raw["scheme"]) if raw.get("scheme") else scheme_for(graded_on)
        cleaned = check_grade(scheme, grade)
    except GradeError as error:
        problem("grade" if raw.get("scheme") else "scheme", str(error))
        return None
    if valid_until is not None and valid_until < graded_on:
        problem("valid_until", f"{valid_until} is before the grade was given ({graded_on})")
        return None
    return ParsedGrade(scheme.value, cleaned, graded_on, valid_until)
