"""From a plan file's bytes to its text: the one reading rule of `plan parse`, `plan import` and the web
import.

- A zip (or a name ending in .docx) is a Word document: its archive is checked before it is opened
  (`envplan.archives`), then its paragraphs and table cells become lines, in document order.
- An old Word .doc file is refused with a hint.
- Anything else is text: UTF-8 (with or without a byte-order mark), else GB18030 (older Chinese files),
  else it is refused. Text holding NUL bytes is a binary file and refused the same way.
"""

from __future__ import annotations

import io
import zipfile
from typing import Final, Literal

from envplan.archives import ArchiveError, ZipLimits, check_zip_archive

from .model import PlanTextError

__all__ = ["UnreadableDocument", "decode_text", "docx_text", "plan_text"]

Reason = Literal[
    "not_text", "old_word", "not_docx", "damaged_docx", "archive_size", "archive_members", "archive_ratio"
]
_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: Word 97-2003 .doc
_ENCODINGS: Final = ("utf-8-sig", "gb18030")
_ARCHIVE_REASONS: Final[dict[str, Reason]] = {
    "size": "archive_size",
    "members": "archive_members",
    "ratio": "archive_ratio",
}


class UnreadableDocument(PlanTextError):
    """The bytes are no plan document we read. `reason` and `params` let a caller word the message in
    another language; the message itself names the file."""

    def __init__(self, message: str, *, name: str, reason: Reason, **params: int | str) -> None:
        super().__init__(message)
        self.name = name
        self.reason: Reason = reason
        self.params = params


def decode_text(data: bytes, *, name: str) -> str:
    """UTF-8 (a byte-order mark is dropped), else GB18030; raises UnreadableDocument otherwise."""
    if b"\x00" not in data:
        for encoding in _ENCODINGS:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise UnreadableDocument(
        f"{name} is neither UTF-8 nor GB18030 text: save it as UTF-8 text or as a Word .docx file",
        name=name,
        reason="not_text",
    )


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
            for cell in child.iter(qn("w:tc")):
                for paragraph in cell.iter(qn("w:p")):
                    lines.append("".join(node.text or "" for node in paragraph.iter(qn("w:t"))))
    return "\n".join(lines)


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
    return decode_text(data, name=name)
