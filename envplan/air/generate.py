"""A GENERATED year of hourly air values for the demo (no Django, no clock): deterministic, plausible,
clearly not measurements. Rows written from here carry `generated = true` in the lake."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

# Days of the year with a winter smog episode (stagnant air, heating season).
EPISODE_DAYS = [12, 13, 32, 343, 344]


def _uniform(index: pl.Expr, seed: int) -> pl.Expr:
    """A deterministic pseudo-random number in [0, 1) from an integer expression."""
    return (index.hash(seed) % 1_000_003).cast(pl.Float64) / 1_000_003


def generated_hours(codes: list[str], *, start: dt.date, end: dt.date) -> pl.DataFrame:
    """GENERATED hourly values for the stations from `start` 01:00 to `end`+1 00:00: a winter-high PM
    season with a few episodes, spring dust, summer-afternoon ozone, daily cycles; about 1 % of values
    missing. Deterministic. Not measurements."""
    first = dt.datetime.combine(start, dt.time(1))
    hours = (
        int((dt.datetime.combine(end + dt.timedelta(days=1), dt.time()) - first).total_seconds() // 3600) + 1
    )
    base = pl.DataFrame({"h": pl.int_range(hours, eager=True, dtype=pl.Int64)}).with_columns(
        (pl.lit(first) + pl.duration(hours=pl.col("h"))).alias("time")
    )
    day_index = (pl.col("time") - pl.duration(hours=1)).dt.ordinal_day().cast(pl.Int64)
    days = pl.DataFrame({"d": pl.int_range(1, 367, eager=True, dtype=pl.Int64)}).with_columns(
        # Weather: a three-day running mean of day noise; episodes and dust days are rare events.
        _uniform(pl.col("d"), 1).rolling_mean(3, min_samples=1).alias("weather"),
        pl.col("d").is_in(EPISODE_DAYS).alias("episode"),
        (_uniform(pl.col("d"), 3) > 0.93).alias("dust"),
    )
    frames = []
    for number, code in enumerate(codes):
        factor = 0.9 + 0.05 * (number % 5)
        frames.append(base.with_columns(pl.lit(code).alias("station_code"), pl.lit(factor).alias("factor")))
    frame = pl.concat(frames).with_columns(day_index.alias("d")).join(days, on="d", how="left")
    season = ((pl.col("d") - 15) * (2 * math.pi / 365)).cos()  # 1 mid-January, -1 mid-July
    hour = (pl.col("time") - pl.duration(hours=1)).dt.hour().cast(pl.Float64)
    noise = 0.85 + 0.3 * _uniform(pl.col("h") * 31 + pl.col("factor").mul(100).cast(pl.Int64), 4)
    winter = season.clip(lower_bound=0)
    episode = pl.when(pl.col("episode")).then(3.2).otherwise(1.0)
    stagnation = ((pl.col("weather") - 0.5) * 2.4).exp()  # log-normal-like day-to-day variation
    pm25 = (
        (32 + 17 * season)
        * stagnation
        * episode
        * (1 + 0.25 * ((hour - 22) * (2 * math.pi / 24)).cos())
        * pl.col("factor")
        * noise
    ).clip(lower_bound=2)
    spring = (pl.col("d") >= 60) & (pl.col("d") <= 140)
    dust = pl.when(spring & pl.col("dust")).then(260.0).otherwise(0.0)
    pm10 = pm25 * (1.9 - 0.3 * season) + dust * noise
    o3 = (
        ((56 - 32 * season) * (1 + 0.85 * ((hour - 9) * (2 * math.pi / 24)).sin())).clip(lower_bound=4)
        * (0.7 + 0.6 * pl.col("weather"))
        * noise
    )
    so2 = (9 + 18 * winter) * (0.6 + 0.8 * pl.col("weather")) * noise
    no2 = (26 + 12 * season + 10 * ((hour - 20) * (2 * math.pi / 24)).cos()) * noise
    co = (0.55 + 0.5 * winter) * (0.7 + 0.6 * pl.col("weather")) * noise
    values = {"pm25": pm25, "pm10": pm10, "so2": so2, "no2": no2, "co": co, "o3": o3}
    columns = []
    for seed, (name, expr) in enumerate(values.items(), start=10):
        decimals = 1 if name == "co" else 0
        missing = _uniform(pl.col("h") * 7 + pl.col("d"), seed) < 0.01
        columns.append(pl.when(missing).then(None).otherwise(expr.round(decimals)).alias(name))
    return frame.select("station_code", "time", *columns).sort("station_code", "time")
