"""Small helpers shared by the ledger and the batch template: bilingual headers and sheet layout."""

from __future__ import annotations

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


def write_header(sheet: Worksheet, titles: list[str], widths: list[float]) -> None:
    """Header row 1 in bold, frozen below it, with an autofilter and the given column widths."""
    sheet.append(titles)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if sheet.max_row >= 1 and titles:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(titles))}1"
