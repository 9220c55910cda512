"""Rows of an Excel sheet whose text never turns into a formula, and column titles as offices print them.

Text from people and documents (names, problems, measures) may begin with `=`, `+`, `-` or `@`, which a
spreadsheet takes for a formula (`=HYPERLINK(...)`, `=cmd|...` run on opening: OWASP "CSV injection").
:func:`safe_row` writes such text as a plain string cell marked as text (Excel's quote prefix): it shows
as written and is never evaluated. Any app writing a workbook for download appends its rows here.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# What a cell may hold.
Cell = str | int | float | Decimal | dt.date | dt.datetime | None

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
