"""Plan documents (text, .docx, web pages, PDF; French, Chinese, English) to structured drafts.

Pure: no Django, no settings, no clock. Public API::

    parse_text(text, *, lang="auto", known_units=()) -> Draft
    parse_file(path, *, lang="auto", known_units=()) -> Draft
    plan_text(data, *, name) -> str        (the one reading rule: .docx, PDF, web page, else text)
    Draft.to_json()

Unusable input raises PlanTextError with one clear message (UnreadableDocument for unreadable bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

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
from .reading import UnreadableDocument, docx_text, plan_text
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
    "UnreadableDocument",
    "docx_text",
    "parse_file",
    "parse_text",
    "plan_text",
    "read_plan_file",
]


def read_plan_file(path: str | PathLike[str]) -> str:
    """The text of a plan file (text, .docx, a saved web page or a PDF with a text layer) under the one
    reading rule of `plan_text`."""
    file = Path(path)
    if not file.is_file():
        raise PlanTextError(f"{file}: no such file")
    return plan_text(file.read_bytes(), name=str(file))


def parse_file(
    path: str | PathLike[str], *, lang: str = "auto", known_units: Sequence[KnownUnit] = ()
) -> Draft:
    """Read a plan file (.txt, .docx, .html or .pdf) and parse it; see parse_text."""
    text = read_plan_file(path)
    try:
        return parse_text(text, lang=lang, known_units=known_units)
    except PlanTextError as error:
        raise PlanTextError(f"{path}: {error}") from error
