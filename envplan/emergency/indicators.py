"""Computed indicators of the emergency reduction list (registered in EmergencyConfig.ready()).

* `emergency.gas_enterprise_coverage`: % of gas-related enterprises (a flue-gas outlet in the sources
  registry, or listed as emitting to air) on the list revised in the year of `as_of`, at each month end
  from the month of its adoption; no value before the year's revision is adopted.
* `emergency.list_revised_on_time`: 1 once the year's revision is adopted on or before the deadline
  (parameter `deadline`, "MM-DD", default "09-30": the plan's "end of September"), 0 once it is adopted
  late or the deadline has passed without one; no value before the deadline while none is adopted.
Both return one value per month of the year of `as_of`, dated at the month's end (the running month at
`as_of`), like the other computed indicators.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from envplan.emergency.queries import coverage_share, revision_of_year
from envplan.indicators.registry import Series, register

DEFAULT_DEADLINE = "09-30"


def _month_ends(as_of: dt.date) -> list[dt.date]:
    return [
        min(dt.date(as_of.year, m, calendar.monthrange(as_of.year, m)[1]), as_of)
        for m in range(1, as_of.month + 1)
    ]


def gas_enterprise_coverage(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    series: Series = []
    for end in _month_ends(as_of):
        revision = revision_of_year(as_of.year, on=end)
        if revision is None:
            continue
        share = coverage_share(revision)
        if share is not None:
            series.append((end, share))
    return series


def _deadline(parameters: Mapping[str, Any], year: int) -> dt.date:
    text = str(parameters.get("deadline") or DEFAULT_DEADLINE)
    try:
        month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"deadline {text!r} is not MM-DD") from None


def list_revised_on_time(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    deadline = _deadline(parameters, as_of.year)
    series: Series = []
    for end in _month_ends(as_of):
        revision = revision_of_year(as_of.year, on=end)
        if revision is not None:
            assert revision.revised_on is not None
            series.append((end, Decimal(1 if revision.revised_on <= deadline else 0)))
        elif end > deadline:
            series.append((end, Decimal(0)))
    return series


def register_all() -> None:
    register(
        "emergency.gas_enterprise_coverage",
        label=_("Gas-related enterprises on this year's emergency reduction list"),
        unit_of_measure="%",
        compute=gas_enterprise_coverage,
    )
    register(
        "emergency.list_revised_on_time",
        label=_("Emergency reduction list revised by the deadline (1 yes, 0 no)"),
        unit_of_measure="",
        compute=list_revised_on_time,
    )
