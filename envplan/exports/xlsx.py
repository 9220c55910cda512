"""Small helpers shared by the ledger and the batch template: bilingual headers, sheet layout, and rows
written so that no text becomes a formula.

Text from people and documents (narratives, task titles, unit names) may begin with `=`, `+`, `-` or `@`,
which a spreadsheet reads as a formula (`=HYPERLINK(...)`, `=cmd|...` run on opening). Every row goes
through `append_row`, which stores such text as a plain string cell marked as text (Excel's quote prefix),
so it shows exactly as written and is never evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import get_language
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E6F2EF")
WRAP = Alignment(wrap_text=True, vertical="top")


def bilingual(chinese: str, translated: str) -> str:
    """A column title as offices print it: the Chinese title, then the reader's language unless Chinese."""
    if (get_language() or "en").lower().startswith("zh"):
        return chinese
    return f"{chinese} / {translated}"


# What a spreadsheet may take for the start of a formula or a command (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def append_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append a row; text that a spreadsheet could evaluate is written as text, never as a formula."""
    values = list(values)
    sheet.append(["" if looks_like_formula(v) else v for v in values])
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if looks_like_formula(value):
            cell = sheet.cell(row=row, column=column)
            cell.value = value
            cell.data_type = "s"  # openpyxl makes any "=..." a formula on assignment; make it text again
            cell.quotePrefix = True


def write_header(sheet: Worksheet, titles: list[str], widths: list[float]) -> None:
    """Header row 1 in bold, frozen below it, with an autofilter and the given column widths."""
    append_row(sheet, titles)
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
