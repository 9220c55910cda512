"""Title, document number, issuer and date from the lines before a plan's first chapter."""

from __future__ import annotations

import datetime
import re

from .model import Language, Meta
from .targets import _MONTH_EN_RE, _MONTH_FR_RE, _MONTHS_EN, _MONTHS_FR

_DOC_NUMBER = re.compile(
    r"[\w\u4e00-\u9fff.\- ]{0,40}?[\[〔(（【]\s*(?:19|20)\d{2}\s*[\]〕)）】]"
    r"\s*(?:n°|nº|no\.?|n\.|第)?\s*\d{1,4}\s*号?",
    re.I,
)
_DATE_FR = re.compile(rf"^\s*(\d{{1,2}})(?:er)?\s+({_MONTH_FR_RE})\s+(\d{{4}})\s*$", re.I)
_DATE_EN = re.compile(rf"^\s*({_MONTH_EN_RE})\s+(\d{{1,2}}),?\s+(\d{{4}})\s*$", re.I)
_DATE_EN_DMY = re.compile(rf"^\s*(\d{{1,2}})\s+({_MONTH_EN_RE})\s+(\d{{4}})\s*$", re.I)
_DATE_ZH = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_TITLE_WORDS = re.compile(r"plan|programme|方案|计划|要点|action|scheme|工作安排", re.I)


def line_date(line: str) -> str | None:
    """The ISO date of a line that is only a date, else None."""
    match = _DATE_ZH.match(line) or _DATE_ISO.match(line)
    if match:
        year, month, day = (int(g) for g in match.groups())
    elif match := _DATE_FR.match(line):
        day, month, year = int(match.group(1)), _MONTHS_FR[match.group(2).lower()], int(match.group(3))
    elif match := _DATE_EN.match(line):
        month, day, year = _MONTHS_EN[match.group(1).lower()], int(match.group(2)), int(match.group(3))
    elif match := _DATE_EN_DMY.match(line):
        day, month, year = int(match.group(1)), _MONTHS_EN[match.group(2).lower()], int(match.group(3))
    else:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _looks_like_title(line: str) -> bool:
    text = line.strip()
    return (
        4 <= len(text) <= 160
        and bool(_TITLE_WORDS.search(text))
        and not text.endswith((".", "。", ":", "：", ";", "；"))
    )


def parse_meta(header: list[str], language: Language) -> Meta:
    """``header``: the document's lines before the first chapter heading, in order."""
    lines = [line.strip() for line in header]
    title_index = next(
        (i for i in range(len(lines) - 1, -1, -1) if _looks_like_title(lines[i])),
        None,
    )
    title = lines[title_index] if title_index is not None else ""
    if not title:
        title = next((line for line in lines if line), "")
    before_title = lines[:title_index] if title_index is not None else lines

    doc_number = None
    for line in before_title:
        if len(line) <= 60:
            match = _DOC_NUMBER.search(line)
            if match:
                doc_number = match.group(0).strip()
                break

    date = None
    issuer = None
    for index, line in enumerate(before_title):
        found = line_date(line)
        if found:
            date = found
            previous = next((p for p in reversed(before_title[:index]) if p), None)
            if previous and len(previous) <= 120 and not previous.endswith((".", "。", ":", "：")):
                issuer = previous
    return Meta(title=title, doc_number=doc_number, issuer=issuer, date=date, language=language)
