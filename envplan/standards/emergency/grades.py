"""Performance grades (绩效分级) of key-industry enterprises, and what a grade asks during an alert.

Two schemes, each with its document:

* ``2020``: 《重污染天气重点行业应急减排措施制定技术指南（2020年修订版）》(环办大气函〔2020〕340号).
  Grades, best first: 引领性 (performance-leading, for industries graded only on that), A, B, B-, C, D;
  非分级 marks an enterprise outside the graded industries (it takes the general measures).
* ``2026``: 《关于加强重点行业大气环境绩效分级管理的指导意见》(环办大气〔2026〕2号, 2026-01-13).
  Grades A/B/C/D (simple industries A/B/C, where C is the legal minimum). The lowest indicator decides
  the grade (短板原则); an enterprise in several industries gets the lowest of its industry grades; A+
  is selected by the ministry from A enterprises (internationally leading technology, stable for at
  least two years), so indicators alone never give it.

What a grade asks during an alert (``required_cut``): A-grade and performance-leading enterprises reduce
voluntarily (自主减排, the ministry's Q&A on the 2020 guide, digest B.2); the others take the measures of
their list entry, and where the entry gives no figure we apply the share the whole city must reach at the
level, 10 / 20 / 30 % of baseline in yellow / orange / red (环办大气函〔2019〕648号, digest B.1). The
reference gives no 2026 measures by grade: A+ and A are treated as A was in 2020.

Pure: no Django, no clock; callers pass dates and grades.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from envplan.standards.emergency.rules import Level


class GradeError(ValueError):
    """A grade or scheme that does not exist; the message names the allowed values."""


class Scheme(StrEnum):
    G2020 = "2020"
    G2026 = "2026"

    @property
    def document(self) -> str:
        return SCHEME_DOCUMENTS[self]


SCHEME_DOCUMENTS: dict[Scheme, str] = {
    Scheme.G2020: "环办大气函〔2020〕340号 (2020 technical guide on emergency reduction measures)",
    Scheme.G2026: "环办大气〔2026〕2号 (2026 guidance on performance grading of key industries)",
}

# 环办大气〔2026〕2号 was issued on 2026-01-13 (records.md, "Two date-sensitive facts"); grades given
# before that day were given under the 2020 guide.
SCHEME_2026_FROM = date(2026, 1, 13)

NOT_GRADED = "非分级"
LEADING = "引领性"
A_PLUS = "A+"

# Best first.
GRADES: dict[Scheme, tuple[str, ...]] = {
    Scheme.G2020: (LEADING, "A", "B", "B-", "C", "D"),
    Scheme.G2026: (A_PLUS, "A", "B", "C", "D"),
}
# 2026: simple industries are graded A/B/C only.
SIMPLE_2026 = ("A", "B", "C")
VOLUNTARY: dict[Scheme, frozenset[str]] = {
    Scheme.G2020: frozenset({LEADING, "A"}),
    Scheme.G2026: frozenset({A_PLUS, "A"}),
}

# 环办大气函〔2019〕648号: SO2, NOx, PM and VOCs cut by at least 10 / 20 / 30 % of baseline.
LEVEL_SHARE: dict[Level, Decimal] = {
    Level.YELLOW: Decimal(10),
    Level.ORANGE: Decimal(20),
    Level.RED: Decimal(30),
}


def scheme_for(day: date) -> Scheme:
    """The scheme under which a grade given on ``day`` was given."""
    return Scheme.G2026 if day >= SCHEME_2026_FROM else Scheme.G2020


def parse_scheme(text: str) -> Scheme:
    try:
        return Scheme(text.strip())
    except ValueError:
        allowed = ", ".join(s.value for s in Scheme)
        raise GradeError(f"scheme {text!r} is not one of {allowed}") from None


def allowed_grades(scheme: Scheme) -> tuple[str, ...]:
    """Every grade the scheme knows, best first; the 2020 scheme also has 非分级 (not graded)."""
    return (*GRADES[scheme], NOT_GRADED) if scheme is Scheme.G2020 else GRADES[scheme]


def check_grade(scheme: Scheme, grade: str) -> str:
    """The grade as written in the scheme (``a`` → ``A``), or GradeError naming the allowed ones."""
    cleaned = grade.strip().upper() if grade.strip().isascii() else grade.strip()
    if cleaned not in allowed_grades(scheme):
        raise GradeError(
            f"grade {grade!r} is not a grade of the {scheme.value} scheme "
            f"(allowed: {' / '.join(allowed_grades(scheme))})"
        )
    return cleaned


def rank(scheme: Scheme, grade: str) -> int | None:
    """0 for the best grade, growing as grades get worse; None for 非分级 (no place in the order)."""
    cleaned = check_grade(scheme, grade)
    if cleaned == NOT_GRADED:
        return None
    return GRADES[scheme].index(cleaned)


def is_lower(scheme: Scheme, grade: str, than: str) -> bool:
    """Whether ``grade`` is worse than ``than`` (a downgrade); 非分级 is never lower or higher."""
    new, old = rank(scheme, grade), rank(scheme, than)
    return new is not None and old is not None and new > old


@dataclass(frozen=True)
class GradeResult:
    scheme: Scheme
    grade: str
    deciding: tuple[str, ...]  # the indicators or industries that set the grade
    reason: str


def lowest(scheme: Scheme, grades: Iterable[str]) -> str:
    """The worst of ``grades``; 非分级 counts only when nothing is graded."""
    ranked = [(rank(scheme, g), check_grade(scheme, g)) for g in grades]
    graded = [(r, g) for r, g in ranked if r is not None]
    if graded:
        return max(graded)[1]
    if ranked:
        return NOT_GRADED
    raise GradeError("no grade given")


def grade_from_indicators(
    indicators: Mapping[str, str], *, simple: bool = False, a_plus_selected: bool = False
) -> GradeResult:
    """The 2026 grade of one industry from the level reached on each indicator (短板原则: the lowest
    decides). ``simple`` industries stop at C. A+ only when the ministry selected the enterprise and
    every indicator is at A."""
    scheme = Scheme.G2026
    if not indicators:
        raise GradeError("no indicator levels given")
    allowed = SIMPLE_2026 if simple else GRADES[scheme][1:]
    for name, level in indicators.items():
        if check_grade(scheme, level) not in allowed:
            raise GradeError(f"indicator {name!r}: level {level!r} is not one of {' / '.join(allowed)}")
    worst = lowest(scheme, [check_grade(scheme, level) for level in indicators.values()])
    deciding = tuple(
        sorted(name for name, level in indicators.items() if check_grade(scheme, level) == worst)
    )
    if worst == "A" and a_plus_selected:
        return GradeResult(scheme, A_PLUS, deciding, "every indicator at A, and selected for A+")
    reason = f"lowest indicator level {worst} ({', '.join(deciding)})"
    return GradeResult(scheme, worst, deciding, reason)


def enterprise_grade(scheme: Scheme, industry_grades: Mapping[str, str]) -> GradeResult:
    """The grade of an enterprise graded in several industries: the lowest of its industry grades.

    2026: as 环办大气〔2026〕2号 says. 2020: the reference does not say; we take the lowest too, the
    cautious reading, so an enterprise is never treated better than its worst industry."""
    if not industry_grades:
        raise GradeError("no industry grades given")
    worst = lowest(scheme, industry_grades.values())
    deciding = tuple(sorted(i for i, g in industry_grades.items() if check_grade(scheme, g) == worst))
    return GradeResult(scheme, worst, deciding, f"lowest industry grade {worst} ({', '.join(deciding)})")


def reduces_voluntarily(scheme: Scheme, grade: str) -> bool:
    """A-grade and performance-leading enterprises take no compulsory measures (自主减排)."""
    return check_grade(scheme, grade) in VOLUNTARY[scheme]


def required_cut(
    level: Level, *, scheme: Scheme | None, grade: str | None, listed: Decimal | None
) -> Decimal:
    """The cut (% of baseline) an enterprise must reach at ``level``: 0 for voluntary grades, else the
    figure of its list entry, else the city-wide share of the level."""
    if level is Level.NONE:
        return Decimal(0)
    if scheme is not None and grade and reduces_voluntarily(scheme, grade):
        return Decimal(0)
    if listed is not None:
        if not Decimal(0) <= listed <= Decimal(100):
            raise GradeError(f"a cut of {listed} % is not between 0 and 100")
        return listed
    return LEVEL_SHARE[level]
