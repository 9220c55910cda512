"""Computed indicators of the sources app (registered in SourcesConfig.ready()).

* `sources.transmission_validity_rate`: valid hourly values / expected hourly values of each month (the
  running month up to `as_of`), in %, one decimal, over the enterprises given by the parameter
  `enterprises` (a list of ids; all when absent); see envplan.sources.analytics for the definition;
* `sources.exceedance_hours`: hours in exceedance events starting in the year so far (cumulative from
  1 January), over the same enterprises.
Each returns one value per month of the year of `as_of`, dated at the month's end (the running month at
`as_of`). The validity rate skips the months before the first stored hourly value; the exceedance
hours are 0 for months without events (when the year has any).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from envplan.indicators.registry import Series, register
from envplan.sources import analytics
from envplan.sources import lake as sources_lake

ZONE = ZoneInfo(analytics.TZ)


def _enterprises(parameters: Mapping[str, Any]) -> list[int] | None:
    ids = parameters.get("enterprises")
    if not ids:
        return None
    return [int(i) for i in ids]


def _month_ends(as_of: dt.date) -> list[dt.date]:
    return [
        min(dt.date(as_of.year, m, calendar.monthrange(as_of.year, m)[1]), as_of)
        for m in range(1, as_of.month + 1)
    ]


def _month_end(month: dt.date, as_of: dt.date) -> dt.date:
    return min(dt.date(month.year, month.month, calendar.monthrange(month.year, month.month)[1]), as_of)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=ZONE)


def transmission_validity_rate(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    enterprises = _enterprises(parameters)
    devices = analytics.devices_frame(enterprises=enterprises)
    limits = analytics.limits_frame()
    start = _start_of(dt.date(as_of.year, 1, 1))
    end = _start_of(as_of + dt.timedelta(days=1))
    hourly = sources_lake.devices_hourly(devices, start=start, end=end)
    first = sources_lake.first_time(hourly)
    if first is None:
        return []
    rates = analytics.validity_rates(hourly, devices=devices, limits=limits, start=start, end=end)
    months = rates.group_by("month").agg(pl.col("expected").sum(), pl.col("valid").sum()).sort("month")
    first_month = first.date().replace(day=1)
    series: Series = []
    for month, expected, valid in months.iter_rows():
        if month < first_month or not expected:
            continue
        value = (Decimal(valid) * 100 / Decimal(expected)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        series.append((_month_end(month, as_of), value))
    return series


def exceedance_hours(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    from envplan.sources.models import ExceedanceEvent

    enterprises = _enterprises(parameters)
    events = ExceedanceEvent.objects.filter(start__gte=_start_of(dt.date(as_of.year, 1, 1)))
    if enterprises is not None:
        events = events.filter(outlet__enterprise_id__in=enterprises)
    if not events.exists():
        return []
    series: Series = []
    for month_end in _month_ends(as_of):
        total = events.filter(start__lt=_start_of(month_end + dt.timedelta(days=1))).aggregate(
            h=Sum("hours")
        )["h"]
        series.append((month_end, Decimal(total or 0)))
    return series


def register_all() -> None:
    register(
        "sources.transmission_validity_rate",
        label=_("Transmission-validity rate of online monitoring, year to date"),
        unit_of_measure="%",
        compute=transmission_validity_rate,
    )
    register(
        "sources.exceedance_hours",
        label=_("Hours of limit exceedance at monitored outlets, year to date"),
        unit_of_measure="h",
        compute=exceedance_hours,
    )
