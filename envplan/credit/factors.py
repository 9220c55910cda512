"""The credit grade as a frequency factor of random inspections (envplan.inspections.frequency),
registered from CreditConfig.ready() (inspections sits on this floor).

The rules (../shared/reference/hj212-and-processes.md B.4, B.3): units rated 警示 or 不良 are special
supervision objects, inspected most often (Fuzhou: every quarter); Inner Mongolia draws its D units at
150 % of the normal ratio, which its scheme file states as the grade's `inspection_factor`. Which grades
are 警示 and 不良 is read from the scheme's ranks: the lower half of its grades (national 2013: yellow and
red; Inner Mongolia 2024: C and D), so that a province's scheme file needs no code.

The grade that counts is the one in force on the day the pool is made (envplan.inspections.frequency).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envplan.credit.queries import GradeNow, grades_in_force
from envplan.inspections.frequency import FrequencyRaise, register_factor

NAME = "credit.grade"


def warning_or_worse(grade: GradeNow) -> bool:
    """In the lower half of the scheme's grades (警示 / 不良)."""
    return grade.grade_count > 0 and grade.rank > grade.grade_count / 2


def raise_for(grade: GradeNow) -> FrequencyRaise | None:
    special = warning_or_worse(grade)
    multiplier = grade.inspection_factor if grade.inspection_factor and grade.inspection_factor > 1 else None
    if not special and multiplier is None:
        return None
    reason = _("credit grade %(grade)s (%(scheme)s, in force from %(day)s)") % {
        "grade": grade.label or grade.grade,
        "scheme": grade.scheme_id,
        "day": f"{grade.valid_from:%Y-%m-%d}",
    }
    if multiplier is not None:
        reason += "; " + _("random inspections × %(factor)s") % {
            "factor": format(multiplier.normalize(), "f")
        }
    return FrequencyRaise(multiplier=multiplier or Decimal(1), special=special, reason=reason)


def credit_raises(enterprise_ids: Sequence[int], year: int, on: dt.date) -> Mapping[int, FrequencyRaise]:
    wanted = set(enterprise_ids)
    found: dict[int, FrequencyRaise] = {}
    for grade in grades_in_force(on):
        if grade.enterprise_id in wanted and (raised := raise_for(grade)) is not None:
            found[grade.enterprise_id] = raised
    return found


def register() -> None:
    register_factor(NAME, label=gettext_lazy("Environmental credit grade"), factor=credit_raises)
