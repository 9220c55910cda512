"""Read a .docx plan as text: one line per paragraph, table cells as lines, in document order."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .inputs.tables import table_lines
from .model import PlanTextError


def docx_text(path: Path) -> str:
    """The paragraphs (and table cells) of a Word document, one per line."""
    try:
        import docx  # python-docx
        from docx.oxml.ns import qn
    except ImportError as error:  # pragma: no cover - python-docx is a dependency
        raise PlanTextError("reading .docx needs python-docx") from error
    if not zipfile.is_zipfile(path):
        raise PlanTextError(f"{path}: not a Word .docx file (not a zip archive)")
    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises several unrelated types for broken files
        raise PlanTextError(f"{path}: cannot read the Word document ({error.__class__.__name__})") from error
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append("".join(node.text or "" for node in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            task_lines = table_lines(_rows(child, qn))
            if task_lines is not None:
                lines.extend(task_lines)
                continue
            for cell in child.iter(qn("w:tc")):
                for paragraph in cell.iter(qn("w:p")):
                    lines.append("".join(node.text or "" for node in paragraph.iter(qn("w:t"))))
    return "\n".join(lines)


def _rows(table: Any, qn: Callable[[str], str]) -> list[list[str]]:
    """The cells' text of each row of a Word table (paragraphs of a cell joined)."""
    return [
        ["".join(node.text or "" for node in cell.iter(qn("w:t"))) for cell in row.iter(qn("w:tc"))]
        for row in table.iter(qn("w:tr"))
    ]
