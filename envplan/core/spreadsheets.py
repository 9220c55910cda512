"""Rows of an Excel sheet whose text never turns into a formula, column titles as offices print them,
and a header row laid out the same in every workbook we write (ledger, batch template, lists, registers).

Text from people and documents (names, problems, measures) may begin with `=`, `+`, `-` or `@`, which a
spreadsheet takes for a formula (`=HYPERLINK(...)`, `=cmd|...` run on opening: OWASP "CSV injection").
:func:`safe_row` writes such text as a plain string cell marked as text (Excel's quote prefix): it shows
as written and is never evaluated. Any app writing a workbook for download appends its rows here.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# What a cell may hold.
Cell = str | int | float | Decimal | dt.date | dt.datetime | None

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E6F2EF")
WRAP = Alignment(wrap_text=True, vertical="top")

# What a spreadsheet may take for the start of a formula or a command (half- and full-width signs).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_row(sheet: Worksheet, values: Iterable[Cell]) -> None:
    """Append a row; text a spreadsheet could evaluate becomes a plain text cell."""
    values = list(values)
    sheet.append(["" if looks_like_formula(value) else value for value in values])
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if looks_like_formula(value):
            cell = sheet.cell(row=row, column=column)
            cell.value = value
            cell.data_type = "s"  # openpyxl makes any "=..." a formula on assignment; make it text again
            cell.quotePrefix = True


def bilingual(chinese: str, translated: str) -> str:
    """A column title: the Chinese title, then the reader's language unless that is Chinese."""
    if (get_language() or "en").lower().startswith("zh"):
        return chinese
    return f"{chinese} / {translated}"


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_header(sheet: Worksheet, titles: list[str], widths: list[float]) -> None:
    """Header row 1 in bold, frozen below it, with an autofilter and the given column widths."""
    safe_row(sheet, titles)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if sheet.max_row >= 1 and titles:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(titles))}1"


def write_columns(sheet: Worksheet, columns: Sequence[tuple[str, str, float]]) -> None:
    """`write_header` from one (Chinese title, translated title, width) a column."""
    write_header(
        sheet,
        [bilingual(chinese, translated) for chinese, translated, _width in columns],
        [width for _chinese, _translated, width in columns],
    )
