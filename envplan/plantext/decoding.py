"""Bytes to text, and the error of a file that is no plan document we read. Shared by every input format."""

from __future__ import annotations

from typing import Final, Literal

from .model import PlanTextError

__all__ = ["Reason", "UnreadableDocument", "decode_text"]

Reason = Literal[
    "not_text",
    "old_word",
    "not_docx",
    "damaged_docx",
    "archive_size",
    "archive_members",
    "archive_ratio",
    "not_pdf",
    "no_text_layer",
]
_ENCODINGS: Final = ("utf-8-sig", "gb18030")


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
