"""From a plan file's bytes to its text: the one reading rule of `plan parse`, `plan import` and the web
import.

- A zip (or a name ending in .docx) is a Word document: its archive is checked before it is opened
  (`envplan.archives`), then its paragraphs become lines in document order; a table of tasks
  (序号 / 工作任务 / 牵头单位 / …) becomes task lines, other tables their cells.
- An old Word .doc file is refused with a hint.
- A PDF (by its first bytes or its name) is read from its text layer; a PDF without one (a scan) is
  refused, saying so.
- A saved web page (.html, or text that starts as HTML) gives its article, without the portal around it.
- Anything else is text: UTF-8 (with or without a byte-order mark), else GB18030 (older Chinese files),
  else it is refused. Text holding NUL bytes is a binary file and refused the same way.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any, Final

from envplan.archives import ArchiveError, ZipLimits, check_zip_archive

from .decoding import Reason, UnreadableDocument, decode_text
from .inputs.pdf import pdf_text
from .inputs.tables import table_lines
from .inputs.webpage import webpage_text

__all__ = ["UnreadableDocument", "decode_text", "docx_text", "plan_text"]

_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: Word 97-2003 .doc
_PDF_MAGIC: Final = b"%PDF-"
_HTML: Final = re.compile(rb"\s*(?:<!doctype\s+html|<html|<\?xml[^>]*>\s*<!doctype\s+html)", re.I)
_ARCHIVE_REASONS: Final[dict[str, Reason]] = {
    "size": "archive_size",
    "members": "archive_members",
    "ratio": "archive_ratio",
}


def docx_text(data: bytes, *, name: str, limits: ZipLimits | None = None) -> str:
    """The paragraphs (and table cells) of a Word document, one per line; the archive is checked first."""
    try:
        check_zip_archive(data, name=name, limits=limits)
    except ArchiveError as error:
        if error.reason == "damaged":
            raise UnreadableDocument(
                f"{name} is not a Word .docx file (not a readable zip archive)",
                name=name,
                reason="damaged_docx",
            ) from error
        reason = _ARCHIVE_REASONS[error.reason]
        raise UnreadableDocument(str(error), name=name, reason=reason, **error.params) from error
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "word/document.xml" not in archive.namelist():
            raise UnreadableDocument(
                f"{name} is a zip archive but not a Word .docx document", name=name, reason="not_docx"
            )
    import docx  # python-docx, imported here so that reading text files never needs it
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises several unrelated types for broken files
        raise UnreadableDocument(
            f"{name}: cannot read the Word document ({error.__class__.__name__})",
            name=name,
            reason="damaged_docx",
        ) from error
    lines: list[str] = []
    for child in document.element.body.iterchildren():
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


def plan_text(data: bytes, *, name: str, limits: ZipLimits | None = None) -> str:
    """The text of a plan file (bytes as read, `name` as the messages should call it): see the module."""
    lowered = name.lower()
    if data.startswith(_ZIP_MAGIC) or lowered.endswith(".docx"):
        return docx_text(data, name=name, limits=limits)
    if data.startswith(_OLE_MAGIC) or lowered.endswith(".doc"):
        raise UnreadableDocument(
            f"{name}: old Word .doc files are not supported; save it as .docx or .txt",
            name=name,
            reason="old_word",
        )
    if data.startswith(_PDF_MAGIC) or lowered.endswith(".pdf"):
        return pdf_text(data, name=name)
    if lowered.endswith((".html", ".htm")) or _HTML.match(data[:512]):
        return webpage_text(data, name)
    return decode_text(data, name=name)
