"""A SIMULATED province for benchmarks and the engine tests: deterministic, plausible, not measurements.

* :func:`station_hours`: hourly air values of N stations for a year, spread over cities, with about 1 %
  of values missing, a ten-day outage at every 17th station (invalid days) and a fifty-day outage at every
  50th (an invalid year);
* :func:`section_samples`: monthly samples of N monitoring sections, each in a class of its own, some lakes,
  some seasonal streams dry in winter;
* :func:`device_readings`: minute values of N outlets' loggers (NOx with a daily wave and the plant's load),
  a held value at every 9th outlet (what screening looks for), in the screening's reading layout.

Values come from a hash of their position (no random state), so any slice is the same whichever size is
asked for.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

from envplan.screening.model import READINGS_SCHEMA
from envplan.standards.water import ITEM_CODES

POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co", "o3")


def _uniform(index: pl.Expr, seed: int) -> pl.Expr:
    """A deterministic number in [0, 1) from an integer expression."""
    return (index.hash(seed) % 1_000_003).cast(pl.Float64) / 1_000_003


def station_hours(stations: int, *, year: int = 2025, cities: int = 12) -> pl.DataFrame:
    """Hourly rows (station_code, city, time, the six pollutants) from 1 January 01:00 to 1 January of the
    next year 00:00 (the hours of the year's days)."""
    first = dt.datetime(year, 1, 1, 1)
    hours = int((dt.datetime(year + 1, 1, 1) - first).total_seconds() // 3600) + 1
    grid = (
        pl.DataFrame({"s": pl.int_range(stations, eager=True, dtype=pl.Int64)})
        .join(pl.DataFrame({"h": pl.int_range(hours, eager=True, dtype=pl.Int64)}), how="cross")
        .with_columns((pl.lit(first) + pl.duration(hours=pl.col("h"))).alias("time"))
    )
    day = pl.col("h") // 24
    season = ((day - 14) * (2 * math.pi / 365)).cos()
    hour = (pl.col("h") % 24).cast(pl.Float64)
    place = 0.8 + 0.4 * _uniform(pl.col("s"), 1)
    weather = 0.6 + 0.8 * _uniform(day * 131 + pl.col("s") // 40, 2)
    noise = 0.85 + 0.3 * _uniform(pl.col("s") * 100_003 + pl.col("h"), 3)
    pm25 = (
        (34 + 18 * season) * weather * place * noise * (1 + 0.25 * ((hour - 22) * math.pi / 12).cos())
    ).clip(2)
    values = {
        "pm25": pm25,
        "pm10": pm25 * (1.8 - 0.3 * season),
        "so2": (10 + 14 * season.clip(0)) * weather * noise,
        "no2": (28 + 10 * season + 9 * ((hour - 20) * math.pi / 12).cos()) * place * noise,
        "co": (0.6 + 0.45 * season.clip(0)) * weather * noise,
        "o3": ((60 - 30 * season) * (1 + 0.8 * ((hour - 9) * math.pi / 12).sin())).clip(4) * weather * noise,
    }
    outage = ((pl.col("s") % 17 == 5) & (day >= 40) & (day < 50)) | (
        (pl.col("s") % 50 == 7) & (day >= 100) & (day < 150)
    )
    columns = []
    for seed, (name, expr) in enumerate(values.items(), start=10):
        missing = outage | (_uniform(pl.col("s") * 100_003 + pl.col("h"), seed) < 0.01)
        columns.append(
            pl.when(missing).then(None).otherwise(expr.round(1 if name == "co" else 0)).alias(name)
        )
    return grid.select(
        pl.format("P{}", pl.col("s").cast(pl.String).str.zfill(5)).alias("station_code"),
        pl.format("C{}", (pl.col("s") % cities).cast(pl.String).str.zfill(2)).alias("city"),
        "time",
        *columns,
    )


# Per GB 3838 class II..V, a typical value of the routine items (mg/L; pH unitless); the simulated sections
# scatter around the typical value of their class.
_TYPICAL = {
    "ph": (7.8, 7.8, 7.9, 8.0),
    "do": (7.0, 5.5, 4.0, 2.5),
    "codmn": (3.5, 5.5, 9.0, 13.0),
    "cod": (13.0, 18.0, 26.0, 36.0),
    "bod5": (2.5, 3.6, 5.0, 8.0),
    "nh3n": (0.4, 0.9, 1.3, 1.8),
    "tp": (0.08, 0.17, 0.26, 0.36),
}


WATER_ITEMS = tuple(_TYPICAL)


def section_samples(sections: int, *, year: int = 2025) -> pl.DataFrame:
    """Monthly samples (the 10th, 09:00) of each section, with `waterbody` and `dry`; the item columns of
    every GB 3838 item (those not simulated stay null)."""
    grid = pl.DataFrame({"n": pl.int_range(sections, eager=True, dtype=pl.Int64)}).join(
        pl.DataFrame({"m": pl.int_range(1, 13, eager=True, dtype=pl.Int64)}), how="cross"
    )
    grade = (pl.col("n") * 7 % 4).cast(pl.Int64)
    lake = pl.col("n") % 11 == 3
    dry = (pl.col("n") % 13 == 6) & pl.col("m").is_in([1, 2, 12])
    columns = []
    for seed, (item, typical) in enumerate(_TYPICAL.items(), start=20):
        base = pl.lit(None, dtype=pl.Float64)
        for index, value in enumerate(typical):
            base = pl.when(grade == index).then(value).otherwise(base)
        spread = 0.9 + 0.2 * _uniform(pl.col("n") * 37 + pl.col("m"), seed)
        columns.append(pl.when(dry).then(None).otherwise((base * spread).round(3)).alias(item))
    frame = grid.select(
        pl.format("S{}", pl.col("n").cast(pl.String).str.zfill(5)).alias("monitoring_section"),
        pl.datetime(year, pl.col("m"), 10, 9).cast(pl.Datetime("us")).alias("time"),
        pl.when(lake).then(pl.lit("lake")).otherwise(pl.lit("river")).alias("waterbody"),
        *columns,
        dry.alias("dry"),
    )
    missing = [pl.lit(None, dtype=pl.Float64).alias(code) for code in ITEM_CODES if code not in _TYPICAL]
    return frame.with_columns(missing).select("monitoring_section", "time", "waterbody", *ITEM_CODES, "dry")


def device_readings(devices: int, *, days: int = 30, start: dt.date = dt.date(2025, 3, 1)) -> pl.DataFrame:
    """Minute readings (READINGS_SCHEMA) of NOx (``a21002``) and the load of each outlet, `days` days."""
    minutes = days * 24 * 60
    grid = pl.DataFrame({"d": pl.int_range(devices, eager=True, dtype=pl.Int64)}).join(
        pl.DataFrame({"t": pl.int_range(minutes, eager=True, dtype=pl.Int64)}), how="cross"
    )
    wave = ((pl.col("t") % 1440) * (2 * math.pi / 1440)).sin()
    level = 40 + 30 * _uniform(pl.col("d"), 40)
    noise = _uniform(pl.col("d") * 10_000_019 + pl.col("t"), 41) - 0.5
    nox = (level + 8 * wave + 4 * noise).round(1)
    held = (pl.col("d") % 9 == 4) & (pl.col("t") >= minutes // 2) & (pl.col("t") < minutes // 2 + 600)
    nox = pl.when(held).then(pl.lit(45.0)).otherwise(nox)
    load = (130 + 10 * (wave + 1.0) + 3 * noise).round(2)
    times = (
        pl.lit(dt.datetime.combine(start, dt.time())) + pl.duration(minutes=pl.col("t"))
    ).dt.replace_time_zone("Asia/Shanghai")
    base = grid.select(
        pl.format("MN{}", pl.col("d").cast(pl.String).str.zfill(6)).alias("mn"),
        pl.lit("minute").alias("kind"),
        times.cast(READINGS_SCHEMA["time"]).alias("time"),
        nox.alias("nox"),
        load.alias("load"),
    )
    parts = [
        base.select("mn", "kind", "time", pl.lit(factor).alias("factor"), pl.lit("Avg").alias("field"),
                    pl.col(column).alias("value"), pl.lit("N").alias("flag"))
        for factor, column in (("a21002", "nox"), ("load", "load"))
    ]  # fmt: skip
    return pl.concat(parts).select(list(READINGS_SCHEMA)).cast(READINGS_SCHEMA)
