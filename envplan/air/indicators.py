"""Computed indicators of the plan's air targets, from the station-day results in the lake.

City values follow HJ 663: a city day's concentration is the mean of its stations' valid daily values, the
city's daily AQI is computed from those (HJ 633), and the year-to-date figures are taken over the city days:
* `air.pm25_ytd_mean`: mean of the valid city daily PM2.5, rounded per GB/T 8170 to an integer (µg/m³);
* `air.good_days_ratio_ytd`: days with AQI <= 100 over days with an AQI, in %, one decimal;
* `air.heavy_pollution_days_share_ytd`: days with AQI > 200 (heavily or severely polluted, HJ 633
  categories 5 and 6) over days with an AQI, in %, one decimal.
Each returns one value per month of the year of `as_of`, dated at the month's end (the running month at
`as_of`), computed over 1 January … that date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import polars as pl
from django.utils.translation import gettext_lazy as _

from envplan.air import lake as air_lake
from envplan.indicators.registry import Series, register
from envplan.standards.air import city_daily, daily_aqi
from envplan.standards.air.rounding import gbt8170_round
from envplan.standards.air.tables import CATEGORIES

GOOD_MAX = 100  # HJ 633 Table 2: AQI 0-100 is excellent or good
HEAVY_ABOVE = CATEGORIES[3].aqi_max  # 200: AQI above it is heavily (201-300) or severely (> 300) polluted


def city_days(city: str, *, start: dt.date, end: dt.date) -> pl.DataFrame:
    """City daily statistics and AQI of `city` for start … end (empty frame when there is no data)."""
    stations = air_lake.daily(start=start, end=end)
    if stations is None:
        return pl.DataFrame()
    rows = stations.filter(pl.col("city") == city).collect()
    if rows.height == 0:
        return pl.DataFrame()
    generated = rows.group_by("date").agg(pl.col("generated").fill_null(False).any())
    return daily_aqi(city_daily(rows, city="city")).join(generated, on="date", how="left").sort("date")


def _month_ends(as_of: dt.date) -> list[dt.date]:
    ends = []
    for month in range(1, as_of.month + 1):
        end = dt.date(as_of.year, month, calendar.monthrange(as_of.year, month)[1])
        ends.append(min(end, as_of))
    return ends


def _running(frame: pl.DataFrame, as_of: dt.date, aggregate: pl.Expr) -> Series:
    """`aggregate` over 1 January … each month end (frame has `date`); months without data are skipped."""
    result: Series = []
    for end in _month_ends(as_of):
        window = frame.filter(pl.col("date") <= end)
        if window.height == 0:
            continue
        value = window.select(aggregate).item()
        if value is not None:
            result.append((end, Decimal(str(value))))
    return result


def _days(parameters: Mapping[str, Any], as_of: dt.date) -> pl.DataFrame:
    city = str(parameters.get("city", ""))
    return city_days(city, start=dt.date(as_of.year, 1, 1), end=as_of)


def pm25_ytd_mean(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    frame = _days(parameters, as_of)
    if frame.height == 0:
        return []
    valid = frame.filter(pl.col("valid_pm25"))
    return _running(valid, as_of, gbt8170_round(pl.col("pm25").mean(), 0))


def _share(parameters: Mapping[str, Any], as_of: dt.date, condition: pl.Expr) -> Series:
    frame = _days(parameters, as_of)
    if frame.height == 0:
        return []
    rated = frame.filter(pl.col("aqi").is_not_null())
    share = condition.cast(pl.Float64).sum() * 100 / pl.len()
    return _running(rated, as_of, gbt8170_round(share, 1))


def good_days_ratio_ytd(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    return _share(parameters, as_of, pl.col("aqi") <= GOOD_MAX)


def heavy_pollution_days_share_ytd(parameters: Mapping[str, Any], as_of: dt.date) -> Series:
    return _share(parameters, as_of, pl.col("aqi") > HEAVY_ABOVE)


def register_all() -> None:
    register(
        "air.pm25_ytd_mean",
        label=_("PM2.5 year-to-date mean of the city"),
        unit_of_measure="µg/m³",
        compute=pm25_ytd_mean,
    )
    register(
        "air.good_days_ratio_ytd",
        label=_("Good days ratio of the city, year to date"),
        unit_of_measure="%",
        compute=good_days_ratio_ytd,
    )
    register(
        "air.heavy_pollution_days_share_ytd",
        label=_("Share of heavily polluted days of the city, year to date"),
        unit_of_measure="%",
        compute=heavy_pollution_days_share_ytd,
    )
