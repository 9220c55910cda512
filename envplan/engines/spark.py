"""The Spark engine: the pure functions per partition, through PySpark's ``applyInArrow``.

Partitions, and why each function's result for a partition depends on that partition's rows alone:

* daily air statistics and AQI: a station and the year of its days (the hour labelled 00:00 closes the
  previous day, so the year is that of ``belongs_to_day``); ``daily_statistics`` works per station, and the
  8-hour O3 windows it counts lie within one day (HJ 663: windows ending 08:00 to 24:00);
* the annual evaluation: a station (``annual_evaluation`` groups by station); a city's series: the city,
  because its point means mix the city's stations hour by hour;
* the water assessment: a monitoring section (its period means and class are its own); the shares and the
  basin status, which need every section, are computed from the gathered sections, by the same functions.

A partition holds whole entities (stations, cities, sections, outlets): an entity's rows never split,
and the entities are spread over a few buckets (``hash(entity) % buckets``, four per core of the cluster by
default) rather than one Python call each, since a call costs tens of milliseconds however small its
group. A function run on several whole entities gives each the rows it gives it alone, because every
function here works per entity (its group-bys and windows are keyed by the entity).

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

from envplan.engines.local import Engine, OutletScreening
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
_BUCKET = "__envplan_bucket"

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
    """Columns as Spark can hold them: enumerations and categoricals as strings (Spark has no dictionary
    columns), unsigned integers as Int64 (it has no unsigned types); the gathered result is cast back."""
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, (pl.Enum, pl.Categorical)):
            casts.append(pl.col(name).cast(pl.String))
        elif dtype in (pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64):
            casts.append(pl.col(name).cast(pl.Int64))
    return frame.with_columns(casts) if casts else frame


@dataclass(frozen=True)
class _PerGroup:
    """The function shipped to Spark's Python workers: Arrow in, the pure function, Arrow out."""

    function: Callable[[pl.DataFrame], pl.DataFrame]
    drop: tuple[str, ...]
    schema: pa.Schema
    order: tuple[str, ...] = ()

    def __call__(self, table: pa.Table) -> pa.Table:
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        if self.order:  # Spark keeps no row order within a group; sums of floats depend on it
            frame = frame.sort(self.order, maintain_order=True)
        result = _transportable(self.function(frame.drop(self.drop)))
        return result.to_arrow().select(self.schema.names).cast(self.schema)


def apply_in_groups(
    spark: SparkSession,
    data: pl.DataFrame | SparkFrame,
    keys: Sequence[str],
    function: Callable[[pl.DataFrame], pl.DataFrame],
    *,
    drop: Sequence[str] = (),
    order: Sequence[str] = (),
) -> pl.DataFrame:
    """``function`` on each group of rows sharing `keys` (Spark's ``groupBy(keys).applyInArrow``), the
    groups' results in one frame. `drop`: helper key columns removed before `function` sees the rows;
    `order`: the columns each group's rows are sorted by first (as the local engine's input is ordered),
    since Spark does not keep the input's order within a group and floating sums depend on it."""
    from pyspark.sql import DataFrame as SparkFrame
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

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
    if order:
        probe_input = probe_input.sort(list(order), maintain_order=True)
    probe = function(probe_input.drop(list(drop)))
    polars_schema = probe.schema
    spark_schema = from_arrow_schema(_transportable(probe).to_arrow().schema)
    # the Arrow types Spark expects back (lists of large strings, UTC timestamps in microseconds)
    arrow_schema = to_arrow_schema(spark_schema, prefers_large_types=True, timezone="UTC")
    per_group = _PerGroup(function, tuple(drop), arrow_schema, tuple(order))

    def run(table: pa.Table) -> pa.Table:  # PySpark passes the group's key too when a function takes two
        return per_group(table)

    grouped = frame.groupBy(*keys).applyInArrow(run, spark_schema)
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


def _with_bucket(data: pl.DataFrame | SparkFrame, column: str, buckets: int) -> Any:
    """The rows with a bucket number computed from `column` alone: an entity's rows share a bucket."""
    if isinstance(data, pl.DataFrame):
        return data.with_columns((pl.col(column).hash(seed=17) % buckets).cast(pl.Int64).alias(_BUCKET))
    from pyspark.sql import functions as F

    return data.withColumn(_BUCKET, F.pmod(F.xxhash64(F.col(column)), F.lit(buckets)))


@dataclass
class SparkEngine(Engine):
    session: SparkSession
    name: str = "spark"
    owns_session: bool = True  # stop() ends the session only when this engine started it
    buckets: int = 0  # partitions of a task; 0: four per core of the cluster

    @classmethod
    def start(cls, *, master: str = "local[2]", config: dict[str, str] | None = None) -> SparkEngine:
        from pyspark.sql import SparkSession

        running = SparkSession.getActiveSession()
        if running is not None:
            return cls(running, owns_session=False)
        return cls(start_session(master, config=config))

    def _buckets(self) -> int:
        return self.buckets or 4 * int(self.session.sparkContext.defaultParallelism)

    def _per_entity(
        self,
        data: pl.DataFrame | SparkFrame,
        entity: str,
        function: Callable[[pl.DataFrame], pl.DataFrame],
        *,
        order: Sequence[str],
        also: Sequence[str] = (),
    ) -> pl.DataFrame:
        """`function` over buckets of whole entities (and the `also` keys), the results gathered."""
        keyed = _with_bucket(data, entity, self._buckets())
        helpers = [_BUCKET, *also]
        return apply_in_groups(self.session, keyed, helpers, function, drop=helpers, order=[entity, *order])

    def air_daily(self, hourly: pl.DataFrame | SparkFrame) -> pl.DataFrame:
        if isinstance(hourly, pl.DataFrame):
            keyed: Any = hourly.with_columns(belongs_to_day(pl.col("time")).dt.year().alias(_YEAR))
        else:
            from pyspark.sql import functions as F

            keyed = hourly.withColumn(_YEAR, F.year(F.col("time") - F.expr("INTERVAL 1 HOUR")))
        result = self._per_entity(keyed, "station_code", station_days, order=["time"], also=[_YEAR])
        return result.sort("station_code", "date")

    def air_annual(self, daily: pl.DataFrame | SparkFrame, *, year: int) -> pl.DataFrame:
        return self._per_entity(daily, "station_code", StationYear(year), order=["date"]).sort("station_code")

    def air_city_annual(self, hourly: pl.DataFrame | SparkFrame, *, year: int) -> pl.DataFrame:
        result = self._per_entity(hourly, "city", CityYear(year), order=["station_code", "time"])
        return result.sort("station_code")

    def water_assess(
        self, samples: pl.DataFrame, *, every: Every, rules: WaterRules = DEFAULT_RULES
    ) -> Assessment:
        if samples.height == 0:
            return assess(samples, every=every, rules=rules)
        sections = self._per_entity(
            samples, "monitoring_section", SectionPeriod(every, rules), order=["time"]
        )
        # the local engine keeps the sections in order of first appearance; so does this one
        order = samples.select("monitoring_section").unique(maintain_order=True).with_row_index("__order")
        sections = sections.join(order, on="monitoring_section").sort("__order").drop("__order")
        return Assessment(sections, section_shares(sections), basin_status(sections, rules=rules))

    def scan_outlets(self, readings: pl.DataFrame, screening: OutletScreening) -> pl.DataFrame:
        return self._per_entity(readings, "mn", screening, order=["kind", "factor", "field", "time"])

    def stop(self) -> None:
        if self.owns_session:
            self.session.stop()
