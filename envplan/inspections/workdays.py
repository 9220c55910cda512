"""Working days, for deadlines written in working days (工作日). Pure: no Django, no clock.

Only Saturdays and Sundays are left out by default. China's public holidays and the weekend days worked in
their place (调休) change every year by a State Council notice that envplan does not hold: a caller that
knows them passes `holidays` and `extra_workdays`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

SATURDAY = 5


def is_working_day(
    day: dt.date, *, holidays: Collection[dt.date] = (), extra_workdays: Collection[dt.date] = ()
) -> bool:
    if day in extra_workdays:
        return True
    return day.weekday() < SATURDAY and day not in holidays


def add_working_days(
    start: dt.date,
    days: int,
    *,
    holidays: Collection[dt.date] = (),
    extra_workdays: Collection[dt.date] = (),
) -> dt.date:
    """The day on which `days` working days after `start` have passed (`start` itself does not count)."""
    if days < 0:
        raise ValueError("days must be 0 or more")
    day = start
    left = days
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays=holidays, extra_workdays=extra_workdays):
            left -= 1
    return day


def working_days_between(
    start: dt.date,
    end: dt.date,
    *,
    holidays: Collection[dt.date] = (),
    extra_workdays: Collection[dt.date] = (),
) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start, holidays=holidays, extra_workdays=extra_workdays)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays=holidays, extra_workdays=extra_workdays):
            count += 1
    return count
