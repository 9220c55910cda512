"""The Spark engine: the pure functions per partition, through PySpark's ``applyInArrow``.

Partitions, and why each function's result for a partition depends on that partition's rows alone:

* daily air statistics and AQI: a station and the year of its days (the hour labelled 00:00 closes the
  previous day, so the year is that of ``belongs_to_day``); ``daily_statistics`` works per station, and the
  8-hour O3 windows it counts lie within one day (HJ 663: windows ending 08:00 to 24:00);
* the annual evaluation: a station (``annual_evaluation`` groups by station); a city's series: the city,
  because its point means mix the city's stations hour by hour;
* the water assessment: a monitoring section (its period means and class are its own); the shares and the
  basin status, which need every section, are computed from the gathered sections, by the same functions.

Each partition reaches the Python worker as an Arrow table, becomes a Polars frame without a copy, goes
through the pure function, and goes back as Arrow. The result's schema is that of the function run on the
first partition (on the driver); enumerations and categoricals travel as strings and are cast back.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa

from envplan.standards.air.stats import (
    annual_evaluation,
    belongs_to_day,
    city_hourly,
    daily_aqi,
    daily_statistics,
)
from envplan.standards.water.assess import Assessment, assess, basin_status, section_shares
from envplan.standards.water.periods import Every
from envplan.standards.water.rules import DEFAULT_RULES, WaterRules

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkFrame
    from pyspark.sql import SparkSession

_YEAR = "__envplan_year"
_PERIOD = "__envplan_period"

# Spark settings for one machine's local mode and for a cluster alike: Arrow between the JVM and the
# Python workers (large string and list types, as Polars writes them), no web UI, few shuffle partitions
# (the work is per group; Spark's default of 200 is for much larger shuffles), quiet console.
SESSION_CONFIG = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.useLargeVarTypes": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.adaptive.enabled": "true",
    "spark.driver.memory": "2g",
}


def start_session(
    master: str = "local[2]", *, app_name: str = "envplan", config: dict[str, str] | None = None
) -> SparkSession:
    """A Spark session whose Python workers run this interpreter (they import envplan and Polars)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in {**SESSION_CONFIG, **(config or {})}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _transportable(frame: pl.DataFrame) -> pl.DataFrame:
    """Enumerations and categoricals as strings: Spark has no dictionary-encoded columns."""
    casts = [
        pl.col(name).cast(pl.String)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, (pl.Enum, pl.Categorical))
    ]
    return frame.with_columns(casts) if casts else frame


@dataclass(frozen=True)
class _PerGroup:
    """The function shipped to Spark's Python workers: Arrow in, the pure function, Arrow out."""

    function: Callable[[pl.DataFrame], pl.DataFrame]
    drop: tuple[str, ...]
    schema: pa.Schema

    def __call__(self, table: pa.Table) -> pa.Table:
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        result = _transportable(self.function(frame.drop(self.drop)))
        return result.to_arrow().select(self.schema.names).cast(self.schema)


def apply_in_groups(
    spark: SparkSession,
    data: pl.DataFrame | SparkFrame,
    keys: Sequence[str],
    function: Callable[[pl.DataFrame], pl.DataFrame],
    *,
    drop: Sequence[str] = (),
) -> pl.DataFrame:
    """``function`` on each group of rows sharing `keys` (Spark's ``groupBy(keys).applyInArrow``), the
    groups' results in one frame. `drop`: helper key columns removed before `function` sees the rows."""
    from pyspark.sql import DataFrame as SparkFrame
    from pyspark.sql.pandas.types import from_arrow_schema

    if isinstance(data, SparkFrame):
        frame = data
        first = frame.select(*keys).limit(1).collect()
        if not first:
            return pl.DataFrame()
        condition = frame[keys[0]] == first[0][keys[0]]
        for key in keys[1:]:
            condition = condition & (frame[key] == first[0][key])
        probe_input = pl.from_arrow(frame.filter(condition).toArrow())
    else:
        if data.height == 0:
            return function(data.drop(list(drop)))
        frame = spark.createDataFrame(_transportable(data).to_arrow())
        first_keys = data.select(keys).row(0, named=True)
        probe_input = data.filter(pl.all_horizontal(pl.col(k) == v for k, v in first_keys.items()))
    assert isinstance(probe_input, pl.DataFrame)
    probe = function(probe_input.drop(list(drop)))
    polars_schema = probe.schema
    arrow_schema = _transportable(probe).to_arrow().schema
    grouped = frame.groupBy(*keys).applyInArrow(
        _PerGroup(function, tuple(drop), arrow_schema), from_arrow_schema(arrow_schema)
    )
    gathered = pl.from_arrow(grouped.toArrow())
    assert isinstance(gathered, pl.DataFrame)
    return gathered.cast(polars_schema)


# -- the pure functions, as each partition needs them (module level: workers import them by name) ------


def station_days(hourly: pl.DataFrame) -> pl.DataFrame:
    return daily_aqi(daily_statistics(hourly))


@dataclass(frozen=True)
class StationYear:
    year: int

    def __call__(self, daily: pl.DataFrame) -> pl.DataFrame:
        return annual_evaluation(daily, year=self.year)


@dataclass(frozen=True)
class CityYear:
    year: int

    def __call__(self, hourly: pl.DataFrame) -> pl.DataFrame:
        return annual_evaluation(daily_aqi(daily_statistics(city_hourly(hourly))), year=self.year)


@dataclass(frozen=True)
class SectionPeriod:
    every: Every
    rules: WaterRules

    def __call__(self, samples: pl.DataFrame) -> pl.DataFrame:
        return assess(samples, every=self.every, rules=self.rules).sections


@dataclass
class SparkEngine:
    session: SparkSession
    name: str = "spark"

    @classmethod
    def start(cls, *, master: str = "local[2]", config: dict[str, str] | None = None) -> SparkEngine:
        return cls(start_session(master, config=config))

    def air_daily(self, hourly: pl.DataFrame | SparkFrame) -> pl.DataFrame:
        if isinstance(hourly, pl.DataFrame):
            keyed: Any = hourly.with_columns(belongs_to_day(pl.col("time")).dt.year().alias(_YEAR))
        else:
            from pyspark.sql import functions as F

            keyed = hourly.withColumn(_YEAR, F.year(F.col("time") - F.expr("INTERVAL 1 HOUR")))
        result = apply_in_groups(self.session, keyed, ["station_code", _YEAR], station_days, drop=[_YEAR])
        return result.sort("station_code", "date")

    def air_annual(self, daily: pl.DataFrame | SparkFrame, *, year: int) -> pl.DataFrame:
        return apply_in_groups(self.session, daily, ["station_code"], StationYear(year)).sort("station_code")

    def air_city_annual(self, hourly: pl.DataFrame | SparkFrame, *, year: int) -> pl.DataFrame:
        return apply_in_groups(self.session, hourly, ["city"], CityYear(year)).sort("station_code")

    def water_assess(
        self, samples: pl.DataFrame, *, every: Every, rules: WaterRules = DEFAULT_RULES
    ) -> Assessment:
        if samples.height == 0:
            return assess(samples, every=every, rules=rules)
        sections = apply_in_groups(self.session, samples, ["monitoring_section"], SectionPeriod(every, rules))
        # the local engine keeps the sections in order of first appearance; so does this one
        order = samples.select("monitoring_section").unique(maintain_order=True).with_row_index("__order")
        sections = sections.join(order, on="monitoring_section").sort("__order").drop("__order")
        return Assessment(sections, section_shares(sections), basin_status(sections, rules=rules))

    def stop(self) -> None:
        self.session.stop()
