"""Air, public: each station's latest hourly AQI today, and each city's year so far against its targets
(HJ 633 AQI, HJ 663 statistics; envplan.air)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext_lazy

from envplan.air.models import AirImport, Station
from envplan.air.queries import CityFigures, city_figures
from envplan.air.templatetags.air_tags import aqi_class, category_name
from envplan.core.names import place_name, pollutant_name
from envplan.core.numbers import format_quantity
from envplan.core.publication import Column, Row, Section, Table, register_section
from envplan.portal.sections.columns import DEADLINE, GENERATED, LATEST_DATE, RATING, UNIT_OF_MEASURE
from envplan.portal.sections.memo import once


def _figures(now: dt.datetime) -> list[CityFigures]:
    def compute() -> list[CityFigures]:
        cities = sorted(set(Station.objects.values_list("city", flat=True)))
        return [city_figures(city, today=now.date(), now=now) for city in cities]

    return once(("air", now), compute)


def _station_rows(now: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    for figures in _figures(now):
        for row in figures.stations:
            station = row.station
            rows.append(
                {
                    "station": station.code,
                    "name": station.name,
                    "name_zh": station.name_zh,
                    "city": station.city,
                    "kind": station.kind,
                    "time": row.time,
                    "aqi": row.aqi,
                    "category": row.category,
                    "primary_pollutant": row.primary or "",
                    "generated": row.generated,
                }
            )
    return rows


def _number(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize()


def _city_rows(now: dt.datetime) -> list[dict[str, Any]]:
    return [
        {
            "city": f.city,
            "year": f.today.year,
            "through": f.today,
            "days": f.days,
            "pm25_mean": _number(f.pm25_ytd),
            "good_days_ratio": _number(f.good_days_ratio),
            "heavy_pollution_share": _number(f.heavy_share),
            "generated": f.generated,
        }
        for f in _figures(now)
    ]


def _target_rows(now: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    for figures in _figures(now):
        for row in figures.targets:
            target = row.indicator.target
            rows.append(
                {
                    "target": f"{target.plan_id}-{target.position}",
                    "city": figures.city,
                    "indicator": target.indicator,
                    "comparator": target.comparator,
                    "value": target.value.normalize(),
                    "unit_of_measure": target.unit_of_measure,
                    "deadline": target.deadline,
                    "latest": _number(row.attainment.latest),
                    "latest_date": row.attainment.latest_date,
                    "rating": row.attainment.rating,
                }
            )
    return rows


def _updated() -> dt.datetime | None:
    value = AirImport.objects.aggregate(last=Max("at"))["last"]
    return value if isinstance(value, dt.datetime) else None


def _highlights(now: dt.datetime) -> list[tuple[str, str]]:
    found = []
    for row in _city_rows(now):
        city = place_name(row["city"])
        if row["pm25_mean"] is not None:
            found.append((f"{city} · {pollutant_name('pm25')}", format_quantity(row["pm25_mean"], "µg/m³")))
        if row["good_days_ratio"] is not None:
            found.append(
                (f"{city} · " + str(gettext_lazy("good days")), format_quantity(row["good_days_ratio"], "%"))
            )
    return found


def _text(value: object) -> str:
    return "—" if value is None or value == "" else str(value)


def register() -> None:
    stations = Table(
        name="air-stations-today",
        title=gettext_lazy("Air quality now, by station"),
        description=gettext_lazy(
            "Each station's latest hourly AQI of the last 24 hours (HJ 633-2012 real-time AQI)."
        ),
        columns=(
            Column("station", gettext_lazy("Station"), gettext_lazy("Station code.")),
            Column("name", gettext_lazy("Name"), gettext_lazy("Station name.")),
            Column("name_zh", gettext_lazy("Name in Chinese"), gettext_lazy("Station name in Chinese.")),
            Column("city", gettext_lazy("City"), gettext_lazy("City of the station.")),
            Column(
                "kind",
                gettext_lazy("Kind"),
                gettext_lazy("national, provincial, municipal or micro station."),
            ),
            Column(
                "time",
                gettext_lazy("Hour"),
                gettext_lazy("The hour of the latest value (China Standard Time)."),
                type="datetime",
            ),
            Column(
                "aqi",
                gettext_lazy("AQI"),
                gettext_lazy("Real-time air quality index (HJ 633-2012)."),
                type="integer",
                css=lambda row: f"aqi-cell {aqi_class(row['category'])}",
            ),
            Column(
                "category",
                gettext_lazy("Category"),
                gettext_lazy("AQI category 1 (excellent) to 6 (severe)."),
                type="integer",
                display=lambda row: category_name(row["category"]),
            ),
            Column(
                "primary_pollutant",
                gettext_lazy("Primary pollutant"),
                gettext_lazy("Pollutant with the highest index when AQI > 50."),
                display=lambda row: _text(row["primary_pollutant"]),
            ),
            GENERATED,
        ),
        rows=_station_rows,
        key="station",
        label="name",
        keywords=("air quality", "AQI"),
        updated=_updated,
    )
    cities = Table(
        name="air-year-to-date",
        title=gettext_lazy("Air quality, the year so far"),
        description=gettext_lazy(
            "Each city's year-to-date PM2.5 mean, good-days ratio and share of heavily polluted days "
            "(HJ 663-2013)."
        ),
        columns=(
            Column("city", gettext_lazy("City"), gettext_lazy("City.")),
            Column("year", gettext_lazy("Year"), gettext_lazy("Calendar year."), type="integer"),
            Column("through", gettext_lazy("Through"), gettext_lazy("Last day counted."), type="date"),
            Column(
                "days", gettext_lazy("Days"), gettext_lazy("Days with a valid daily AQI."), type="integer"
            ),
            Column(
                "pm25_mean",
                gettext_lazy("PM2.5 mean"),
                gettext_lazy("Year-to-date mean of daily PM2.5."),
                type="number",
                unit="µg/m³",
            ),
            Column(
                "good_days_ratio",
                gettext_lazy("Good-days ratio"),
                gettext_lazy("Days with AQI ≤ 100 over valid days."),
                type="number",
                unit="%",
            ),
            Column(
                "heavy_pollution_share",
                gettext_lazy("Heavily polluted days"),
                gettext_lazy("Days with AQI > 200 over valid days."),
                type="number",
                unit="%",
            ),
            GENERATED,
        ),
        rows=_city_rows,
        key="city",
        label="city",
        keywords=("air quality", "PM2.5"),
        updated=_updated,
    )
    targets = Table(
        name="air-targets",
        title=gettext_lazy("Air targets"),
        description=gettext_lazy(
            "The plan's air targets computed from the stations, with the latest value and rating."
        ),
        columns=(
            Column("target", gettext_lazy("Target"), gettext_lazy("Plan and target position.")),
            Column("city", gettext_lazy("City"), gettext_lazy("City.")),
            Column("indicator", gettext_lazy("Indicator"), gettext_lazy("What is measured.")),
            Column("comparator", gettext_lazy("Comparator"), gettext_lazy(">=, >, =, <=, <.")),
            Column("value", gettext_lazy("Target value"), gettext_lazy("The value to reach."), type="number"),
            UNIT_OF_MEASURE,
            DEADLINE,
            Column(
                "latest",
                gettext_lazy("Latest value"),
                gettext_lazy("The value computed to date."),
                type="number",
            ),
            LATEST_DATE,
            RATING,
        ),
        rows=_target_rows,
        key="target",
        label="indicator",
        keywords=("air quality", "targets"),
        updated=_updated,
    )
    register_section(
        Section(
            key="air",
            title=gettext_lazy("Air quality"),
            summary=gettext_lazy("Today's air at every station, and the year so far against the targets."),
            order=20,
            watch=("air.Station", "air.AirImport", "indicators.IndicatorValue", "indicators.Indicator"),
            tables=(stations, cities, targets),
            highlights=_highlights,
        )
    )


__all__ = ["Row", "register"]
