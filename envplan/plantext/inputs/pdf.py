"""A PDF with a text layer as plan text: lines read with pdfium, paragraphs rebuilt from wrapped lines.

A PDF stores lines, not paragraphs: a task wraps over several lines, and a line break inside a title or a
unit list would cut it. A line that reaches the right edge of the text column continues on the next one,
unless the next one is indented (a new paragraph) or starts with a heading or task number; page numbers
(``- 3 -``, ``第3页``) are dropped. A PDF without any text (a scan) is refused with a message saying so.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from ..decoding import UnreadableDocument
from ..model import PlanTextError


@dataclass
class _Line:
    text: str
    left: float
    right: float
    size: float


_PAGE_NUMBER = re.compile(
    r"^[-—–\s]*\d{1,4}[-—–\s]*$|^第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$"
)
_STARTS_ITEM = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,3}\s*[.．、](?!\d)|"
    r"(?:牵头单位|责任单位|配合单位|附件)\s*[:：])"
)


def pdf_text(data: bytes, *, name: str) -> str:
    """The text of a PDF's text layer, one paragraph a line."""
    try:
        import pypdfium2 as pdfium
        import pypdfium2.raw as pdfium_c
    except ImportError as error:  # pragma: no cover - pypdfium2 is a dependency
        raise PlanTextError("reading PDF needs pypdfium2") from error
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise UnreadableDocument(
            f"{name}: not a readable PDF ({error})", name=name, reason="not_pdf"
        ) from error
    pages: list[list[_Line]] = []
    try:
        for page in document:
            textpage = page.get_textpage()
            pages.append(_page_lines(textpage, pdfium_c))
            textpage.close()
            page.close()
    finally:
        document.close()
    if not any(line.text.strip() for lines in pages for line in lines):
        raise UnreadableDocument(
            f"{name}: the PDF has no text layer (a scanned image?); run OCR on it, or use the Word or text "
            "version of the plan",
            name=name,
            reason="no_text_layer",
        )
    return "\n".join(_paragraphs(pages))


def _page_lines(textpage: object, pdfium_c: object) -> list[_Line]:
    raw = textpage.raw  # type: ignore[attr-defined]  # pypdfium2 objects are untyped
    count = textpage.count_chars()  # type: ignore[attr-defined]
    unicode_of = pdfium_c.FPDFText_GetUnicode  # type: ignore[attr-defined]
    lines: list[_Line] = []
    chars: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []

    def close() -> None:
        text = "".join(chars).replace("\u3000", " ").strip()
        if text and boxes:
            sizes = [top - bottom for _, bottom, _, top in boxes if top > bottom]
            lines.append(
                _Line(
                    text,
                    min(b[0] for b in boxes),
                    max(b[2] for b in boxes),
                    statistics.median(sizes) if sizes else 10.0,
                )
            )
        chars.clear()
        boxes.clear()

    for index in range(count):
        char = chr(unicode_of(raw, index))
        if char in "\r\n":
            if char == "\n":
                close()
            continue
        chars.append(char)
        if not char.isspace():
            boxes.append(textpage.get_charbox(index))  # type: ignore[attr-defined]
    close()
    return [line for line in lines if not _PAGE_NUMBER.match(line.text)]


def _paragraphs(pages: list[list[_Line]]) -> list[str]:
    every = [line for lines in pages for line in lines]
    if not every:
        return []
    left = min(line.left for line in every)
    right = max(line.right for line in every)
    out: list[str] = []
    previous: _Line | None = None
    for line in every:
        size = line.size or 10.0
        continues = (
            previous is not None
            and previous.right >= right - 1.6 * size
            and line.left <= left + 0.6 * size
            and not _STARTS_ITEM.match(line.text)
        )
        if continues and out:
            glue = " " if re.search(r"[A-Za-z0-9]$", out[-1]) and re.match(r"[A-Za-z0-9]", line.text) else ""
            out[-1] = out[-1] + glue + line.text
        else:
            out.append(line.text)
        previous = line
    return out
