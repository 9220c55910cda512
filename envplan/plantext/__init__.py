"""Plan documents (text, .docx, web pages, PDF; French, Chinese, English) to structured drafts.

Pure: no Django, no settings, no clock. Public API::

    parse_text(text, *, lang="auto", known_units=()) -> Draft
    parse_file(path, *, lang="auto", known_units=()) -> Draft
    Draft.to_json()

Unusable input raises PlanTextError with one clear message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

from .docx import docx_text
from .inputs.pdf import pdf_text
from .inputs.webpage import webpage_text
from .model import (
    Chapter,
    Draft,
    KnownUnit,
    Meta,
    PlanTextError,
    Section,
    Target,
    Task,
    Uncertain,
    Unit,
    UnitRef,
)
from .parser import parse_text
from .units import UnitResolver

__all__ = [
    "Chapter",
    "Draft",
    "KnownUnit",
    "Meta",
    "PlanTextError",
    "Section",
    "Target",
    "Task",
    "Uncertain",
    "Unit",
    "UnitRef",
    "UnitResolver",
    "parse_file",
    "parse_text",
    "read_plan_file",
]


_HTML = re.compile(rb"\s*(?:<!doctype\s+html|<html|<\?xml[^>]*>\s*<!doctype\s+html)", re.I)


def read_plan_file(path: str | PathLike[str]) -> str:
    """The text of a plan file: .txt (UTF-8, or GB18030 for older Chinese files), .docx, a saved web page
    (.html) or a PDF with a text layer."""
    file = Path(path)
    if not file.is_file():
        raise PlanTextError(f"{file}: no such file")
    if file.suffix.lower() == ".docx":
        return docx_text(file)
    if file.suffix.lower() == ".doc":
        raise PlanTextError(f"{file}: old Word .doc files are not supported; save it as .docx or .txt")
    data = file.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        return docx_text(file)
    if data.startswith(b"%PDF-") or file.suffix.lower() == ".pdf":
        return pdf_text(file)
    if file.suffix.lower() in {".html", ".htm"} or _HTML.match(data[:512]):
        return webpage_text(data, str(file))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlanTextError(f"{file}: not UTF-8 text")


def parse_file(
    path: str | PathLike[str], *, lang: str = "auto", known_units: Sequence[KnownUnit] = ()
) -> Draft:
    """Read a plan file (.txt, .docx, .html or .pdf) and parse it; see parse_text."""
    text = read_plan_file(path)
    try:
        return parse_text(text, lang=lang, known_units=known_units)
    except PlanTextError as error:
        raise PlanTextError(f"{path}: {error}") from error
