"""Reads for the air pages: stations with their latest AQI, a station's hours and days, a city's figures."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from envplan.air import indicators
from envplan.air import lake as air_lake
from envplan.air.models import Station
from envplan.indicators.models import Indicator, Source
from envplan.indicators.target_rows import TargetRow, target_rows
from envplan.standards.air import with_aqi

AIR_COMPUTATIONS = (
    "air.pm25_ytd_mean",
    "air.good_days_ratio_ytd",
    "air.heavy_pollution_days_share_ytd",
)


def hourly_aqi(*, start: dt.datetime, end: dt.datetime, codes: list[str] | None = None) -> pl.DataFrame:
    """Hours start < time <= end with their real-time AQI (HJ 633, edition by date, practice rule)."""
    frame = air_lake.hourly(start=start, end=end)
    if codes is not None:
        frame = frame.filter(pl.col("station_code").is_in(codes))
    rows = frame.collect()
    if rows.height == 0:
        return rows.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("aqi"), pl.lit(None, dtype=pl.Int8).alias("category")
        )
    result = with_aqi(rows.drop("date"), kind="realtime")
    return result.sort("station_code", "time")


@dataclass
class StationRow:
    station: Station
    time: dt.datetime | None = None
    aqi: int | None = None
    category: int | None = None
    primary: str | None = None
    generated: bool = False


def stations_with_latest(now: dt.datetime, *, city: str | None = None) -> list[StationRow]:
    """Every station (of a city) with its latest hourly AQI of the last 24 hours before `now`."""
    stations = Station.objects.all()
    if city is not None:
        stations = stations.filter(city=city)
    rows = {s.code: StationRow(s) for s in stations}
    if not rows:
        return []
    end = now.replace(tzinfo=None, minute=0, second=0, microsecond=0)
    hours = hourly_aqi(start=end - dt.timedelta(hours=24), end=end, codes=list(rows))
    if hours.height:
        latest = (
            hours.filter(pl.col("aqi").is_not_null())
            .group_by("station_code")
            .agg(pl.all().sort_by("time").last())
        )
        for record in latest.iter_rows(named=True):
            row = rows[record["station_code"]]
            row.time, row.aqi, row.category = record["time"], record["aqi"], record["category"]
            row.primary, row.generated = record["primary"], bool(record["generated"])
    return list(rows.values())


@dataclass
class CalendarCell:
    day: dt.date | None
    aqi: int | None = None
    category: int | None = None
    generated: bool = False


def month_calendar(code: str, month: dt.date) -> list[list[CalendarCell]]:
    """Weeks (Monday first) of the month, each day with the station's daily AQI and category."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    frame = air_lake.daily(start=first, end=last)
    values: dict[dt.date, dict[str, Any]] = {}
    if frame is not None:
        for record in frame.filter(pl.col("station_code") == code).collect().iter_rows(named=True):
            values[record["date"]] = record
    weeks: list[list[CalendarCell]] = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        cells = []
        for day in week:
            if day.month != first.month:
                cells.append(CalendarCell(None))
                continue
            record = values.get(day, {})
            cells.append(
                CalendarCell(day, record.get("aqi"), record.get("category"), bool(record.get("generated")))
            )
        weeks.append(cells)
    return weeks


@dataclass
class CityFigures:
    city: str
    today: dt.date
    stations: list[StationRow]
    pm25_ytd: Decimal | None
    good_days_ratio: Decimal | None
    heavy_share: Decimal | None
    days: int
    generated: bool
    targets: list[TargetRow] = field(default_factory=list)


def _last(series: list[tuple[dt.date, Decimal]]) -> Decimal | None:
    return series[-1][1] if series else None


def city_figures(city: str, *, today: dt.date, now: dt.datetime) -> CityFigures:
    parameters = {"city": city}
    pm25 = indicators.pm25_ytd_mean(parameters, today)
    good = indicators.good_days_ratio_ytd(parameters, today)
    heavy = indicators.heavy_pollution_days_share_ytd(parameters, today)
    days = indicators.city_days(city, start=dt.date(today.year, 1, 1), end=today)
    generated = bool(days.height and days.get_column("generated").fill_null(False).any())
    series = {
        "air.pm25_ytd_mean": pm25,
        "air.good_days_ratio_ytd": good,
        "air.heavy_pollution_days_share_ytd": heavy,
    }
    linked = (
        Indicator.objects.filter(source=Source.COMPUTED, computation__in=AIR_COMPUTATIONS)
        .select_related("target__plan")
        .order_by("target__plan_id", "target__position")
    )
    in_city = [indicator for indicator in linked if (indicator.parameters or {}).get("city") == city]
    targets = target_rows(in_city, lambda indicator: series[indicator.computation], today=today)
    return CityFigures(
        city=city,
        today=today,
        stations=stations_with_latest(now, city=city),
        pm25_ytd=_last(pm25),
        good_days_ratio=_last(good),
        heavy_share=_last(heavy),
        days=days.height,
        generated=generated,
        targets=targets,
    )
