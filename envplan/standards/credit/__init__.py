"""Enterprise environmental credit rating (企业环境信用评价): schemes as data, rating explained line by line.

Pure: no Django, no clock, no settings. A scheme is a file (``scheme.FORMAT``); the national 2013 trial
measures and Inner Mongolia's 2024 measures are bundled in ``schemes/``. Callers collect the evidence
(``evidence.Evidence``) and call ``rate``.
"""

from __future__ import annotations

from pathlib import Path

from envplan.standards.credit.evidence import CODES, Code, Evidence, Provider
from envplan.standards.credit.scheme import (
    FORMAT,
    Band,
    Downgrade,
    Grade,
    Indicator,
    Scheme,
    SchemeError,
    Text,
    Veto,
    load_scheme_file,
    parse_scheme,
)
from envplan.standards.credit.score import (
    CAPPED,
    COUNTED,
    DOWNGRADE,
    EXCLUDED,
    NOT_USED,
    VETO,
    GradeStep,
    IndicatorLine,
    Rating,
    RecordLine,
    grade_for,
    grade_range,
    rate,
)

BUNDLED = Path(__file__).resolve().parent / "schemes"


def bundled_schemes() -> dict[str, Scheme]:
    """The schemes shipped with envplan, by id."""
    return load_schemes([BUNDLED])


def load_schemes(folders: list[Path]) -> dict[str, Scheme]:
    """Every scheme file (.toml, .json) of the folders, by id; the same id twice is refused."""
    found: dict[str, Scheme] = {}
    where: dict[str, str] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in (".toml", ".json"):
                continue
            scheme = load_scheme_file(path)
            if scheme.id in found:
                raise SchemeError(f"{path}: id {scheme.id!r} is already defined by {where[scheme.id]}")
            found[scheme.id] = scheme
            where[scheme.id] = str(path)
    return found


__all__ = [
    "BUNDLED",
    "CAPPED",
    "CODES",
    "COUNTED",
    "DOWNGRADE",
    "EXCLUDED",
    "FORMAT",
    "NOT_USED",
    "VETO",
    "Band",
    "Code",
    "Downgrade",
    "Evidence",
    "Grade",
    "GradeStep",
    "Indicator",
    "IndicatorLine",
    "Provider",
    "Rating",
    "RecordLine",
    "Scheme",
    "SchemeError",
    "Text",
    "Veto",
    "bundled_schemes",
    "grade_for",
    "grade_range",
    "load_scheme_file",
    "load_schemes",
    "parse_scheme",
    "rate",
]
