"""Reporting-period arithmetic, in one place. Pure: dates in, dates out (no Django, no clock).

A period is named by its first day: 2025-06-01 is June 2025 (monthly) or the quarter that starts in
April 2025 contains it (quarterly periods start in January, April, July and October). A period's report
is due on the plan's due day of the month after the period ends.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHLY = "monthly"
QUARTERLY = "quarterly"
FREQUENCIES = (MONTHLY, QUARTERLY)

_PERIOD_TEXT = re.compile(r"\s*(\d{4})-(\d{1,2})\s*")


def months_per_period(frequency: str) -> int:
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown reporting frequency {frequency!r}")
    return 3 if frequency == QUARTERLY else 1


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after (or before, if negative) the month of `day`."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(day: dt.date, frequency: str = MONTHLY) -> dt.date:
    """The period that contains `day`."""
    span = months_per_period(frequency)
    return dt.date(day.year, (day.month - 1) // span * span + 1, 1)


def next_period(period: dt.date, frequency: str = MONTHLY) -> dt.date:
    return add_months(period_of(period, frequency), months_per_period(frequency))


def previous_period(period: dt.date, frequency: str = MONTHLY) -> dt.date:
    return add_months(period_of(period, frequency), -months_per_period(frequency))


def periods_between(first: dt.date, last: dt.date, frequency: str = MONTHLY) -> list[dt.date]:
    """Every period from the one containing `first` to the one containing `last`, in order."""
    periods = []
    period, end = period_of(first, frequency), period_of(last, frequency)
    while period <= end:
        periods.append(period)
        period = next_period(period, frequency)
    return periods


def due_date(period: dt.date, *, due_day: int, frequency: str = MONTHLY) -> dt.date:
    """The report for `period` is due on `due_day` (1-28) of the month after the period ends."""
    if not 1 <= due_day <= 28:
        raise ValueError(f"due day {due_day} is not between 1 and 28")
    return next_period(period, frequency).replace(day=due_day)


def is_closed(period: dt.date, closed_through: dt.date | None) -> bool:
    """Periods up to and including `closed_through` can no longer change."""
    return closed_through is not None and period_of(period) <= closed_through


def parse_period(value: object) -> dt.date | None:
    """'2025-06' (or a date or datetime) -> 2025-06-01; None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if not isinstance(value, str):
        return None
    match = _PERIOD_TEXT.fullmatch(value)
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 1:
        return None
    return dt.date(year, month, 1)


def period_label(period: dt.date) -> str:
    """The period as people write it: 2025-06."""
    return f"{period:%Y-%m}"
