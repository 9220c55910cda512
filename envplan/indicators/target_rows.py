"""A page's targets fed by computed indicators (the air city dashboard, the water indicators page): each
linked indicator with its series and the target's attainment (red/amber/green) as of today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from envplan.indicators.models import Indicator
from envplan.indicators.services import Attainment, attainment

Series = list[tuple[dt.date, Decimal]]


@dataclass
class TargetRow:
    indicator: Indicator
    series: Series
    attainment: Attainment


def target_rows(
    linked: Iterable[Indicator], series_of: Callable[[Indicator], Series], *, today: dt.date
) -> list[TargetRow]:
    """One row per indicator, with its series (`series_of`) and its target's attainment to the year's end."""
    year_end = dt.date(today.year, 12, 31)
    rows = []
    for indicator in linked:
        points = series_of(indicator)
        rows.append(
            TargetRow(indicator, points, attainment(indicator.target, points, today=today, year_end=year_end))
        )
    return rows
