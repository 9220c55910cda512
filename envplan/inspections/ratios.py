"""How many supervision objects a random-inspection task draws from a stratum (抽查比例及频次). Pure.

Rules come in two kinds (../shared/reference/records.md §2a; hj212-and-processes.md B.4):
- a share of the category per period, e.g. Guangzhou "重点监管对象每季度最低抽查12.5%", Chizhou 2019
  25 % key / 15 % special / 5 % general per quarter;
- a ratio of on-duty inspectors to objects per year for general objects, e.g. Guangzhou
  "一般监管对象每年最低抽查比为1:2.5" (each inspector checks 2.5 objects a year), Jianghan 2025 1:10.

Both are minimums ("最低", "至少"), so a count is rounded up. A rule for a year used by a quarterly task
gives a quarter of the year's share; a quarterly rule used by a yearly task gives four times it. A raised
frequency (a credit grade, confirmed screening cases; envplan.inspections.frequency) multiplies the
category's share for the raised objects: Inner Mongolia draws D-grade credit units at 150 % of the normal
ratio (Wuhai). Arithmetic on exact fractions, so that the same inputs always give the same count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

PERIODS_PER_YEAR = {"quarter": 4, "year": 1}


@dataclass(frozen=True)
class Quota:
    count: int
    share: Fraction  # of the stratum, per task period (at most 1)


def base_share(
    *,
    per: str,
    task_per: str,
    category_size: int,
    percent: Decimal | None = None,
    objects_per_inspector: Decimal | None = None,
    inspectors: int = 0,
) -> Fraction:
    """The share of a category to draw in one period of the task, from the category's rule."""
    if (percent is None) == (objects_per_inspector is None):
        raise ValueError("a rule is either a percentage or a number of objects per inspector")
    if per not in PERIODS_PER_YEAR or task_per not in PERIODS_PER_YEAR:
        raise ValueError(f"unknown period: {per!r} or {task_per!r}")
    if percent is not None:
        if percent < 0:
            raise ValueError("a percentage cannot be negative")
        share = Fraction(percent) / 100
    else:
        assert objects_per_inspector is not None
        if objects_per_inspector < 0 or inspectors < 0:
            raise ValueError("a ratio cannot be negative")
        if category_size == 0:
            return Fraction(0)
        share = Fraction(objects_per_inspector) * inspectors / category_size
    share = share * PERIODS_PER_YEAR[per] / PERIODS_PER_YEAR[task_per]
    return min(share, Fraction(1))


def quota(*, size: int, share: Fraction, multiplier: Decimal = Decimal(1)) -> Quota:
    """Objects to draw from a stratum of `size` at `share` × `multiplier`, rounded up; never more than all."""
    if size < 0 or multiplier < 1:
        raise ValueError("a stratum's size is 0 or more, and a multiplier at least 1")
    raised = min(share * Fraction(multiplier), Fraction(1))
    return Quota(count=min(size, math.ceil(size * raised)), share=raised)
