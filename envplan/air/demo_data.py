"""The air demo: Baotou's real stations and hours, a GENERATED year of hours for the dashboard, and the
city's 2025 targets as plan goals. `load_air_demo()` is called by the demo loader; it is idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Max

from envplan.air import lake as air_lake
from envplan.air.generate import generated_hours
from envplan.air.models import AirImport, Station
from envplan.air.services import evaluate_days, import_hourly, import_stations
from envplan.core.services import Actor
from envplan.indicators.models import Indicator, Source
from envplan.indicators.services import configure_indicator
from envplan.plans.models import Plan, Target

DEMO_FOLDER = Path(__file__).resolve().parent / "demo"
CITY = "Baotou"  # shown through envplan.core.names.place_name (its catalogue names)
PROVENANCE = "set by the city"

# Baotou's published 2025 air targets (the reference plan only says "meet the targets set by the city").
CITY_TARGETS: tuple[dict[str, Any], ...] = (
    {
        "indicator": "PM2.5 mean, Baotou (city), year to date",
        "comparator": "<",
        "value": Decimal("35"),
        "unit_of_measure": "µg/m³",
        "computation": "air.pm25_ytd_mean",
        "as_written": "PM2.5 below 35 µg/m³ (Baotou's 2025 target)",
    },
    {
        "indicator": "Good days ratio, Baotou (city), year to date",
        "comparator": ">",
        "value": Decimal("84.8"),
        "unit_of_measure": "%",
        "computation": "air.good_days_ratio_ytd",
        "as_written": "good days above 84.8 % (Baotou's 2025 target)",
    },
    {
        "indicator": "Heavily polluted days, Baotou (city), year to date",
        "comparator": "<=",
        "value": Decimal("0.9"),
        "unit_of_measure": "%",
        "computation": "air.heavy_pollution_days_share_ytd",
        "as_written": "heavily polluted days at most 0.9 % (Baotou's 2025 target)",
    },
)


def store_generated_hours(frame: pl.DataFrame) -> int:
    """Write generated hours straight to the lake, marked `generated`."""
    cities = dict(Station.objects.values_list("code", "city"))
    rows = frame.with_columns(
        pl.col("station_code").replace_strict(cities, default=None, return_dtype=pl.String).alias("city"),
        pl.lit(True).alias("generated"),
        pl.lit(None, dtype=pl.Int64).alias("import_id"),
    ).select(list(air_lake.HOURLY_SCHEMA))
    air_lake.lake().append(air_lake.HOURLY, rows, date_column="time")
    return rows.height


@transaction.atomic
def add_city_targets(plan: Plan, *, by: Actor = None, city: str = CITY, year: int = 2025) -> list[Target]:
    """The city's air targets as plan goals, computed from the lake, labelled as the city's figures."""
    targets = []
    for spec in CITY_TARGETS:
        target = Target.objects.filter(plan=plan, task=None, indicator=spec["indicator"]).first()
        if target is None:
            position = (Target.objects.filter(plan=plan).aggregate(top=Max("position"))["top"] or 0) + 1
            target = Target.objects.create(
                plan=plan,
                task=None,
                position=position,
                indicator=spec["indicator"],
                comparator=spec["comparator"],
                value=spec["value"],
                unit_of_measure=spec["unit_of_measure"],
                deadline=dt.date(year, 12, 31),
                as_written=spec["as_written"],
            )
        indicator, _ = Indicator.objects.get_or_create(target=target)
        if indicator.source != Source.COMPUTED or indicator.computation != spec["computation"]:
            configure_indicator(
                indicator,
                by=by,
                source=Source.COMPUTED,
                computation=spec["computation"],
                parameters={"city": city},
                provenance=PROVENANCE,
            )
        targets.append(target)
    return targets


def load_air_demo(
    *, plan: Plan | None = None, today: dt.date = dt.date(2025, 10, 20), generated_from: dt.date | None = None
) -> dict[str, int]:
    """Stations, real hours, generated hours from `generated_from` (1 January of `today`'s year) to
    `today`, the daily evaluation, and the city's targets on `plan` (the first plan when not given)."""
    stations = import_stations(DEMO_FOLDER / "stations.csv", by=None)
    real = DEMO_FOLDER / "baotou_cnemc_hours.csv"
    real_rows = 0
    if not AirImport.objects.filter(file_name=real.name).exists():
        real_rows = import_hourly(real, by=None, fmt="cnemc").rows
    generated = 0
    already = (
        air_lake.hourly().filter(pl.col("generated")).select(pl.len()).collect().item()
        if air_lake.lake().live_files(air_lake.HOURLY)
        else 0
    )
    if not already:
        start = generated_from or dt.date(today.year, 1, 1)
        generated = store_generated_hours(generated_hours([s.code for s in stations], start=start, end=today))
    evaluated = evaluate_days()
    chosen = plan or Plan.objects.order_by("pk").first()
    targets = add_city_targets(chosen, year=today.year) if chosen is not None else []
    return {
        "stations": len(stations),
        "real_hours": real_rows,
        "generated_hours": generated,
        "station_days": evaluated["station_days"],
        "targets": len(targets),
    }
