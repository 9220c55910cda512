"""Where the air app keeps its series: the lake at settings.LAKE_URL.

Kinds (partitioned by date; readers de-duplicate on the key, the last write wins):
* `air_hourly`: station_code, time (end of the hour, China Standard Time, naive), pm25 pm10 so2 no2 co o3
  (CO mg/m³, others µg/m³), city, generated (made up by the demo loader), import_id. Key: station_code, time.
* `air_daily`: the output of `daily_aqi(daily_statistics(...))` per station-day plus city and generated.
  Key: station_code, date.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.conf import settings

from envplan.lake import Lake

HOURLY = "air_hourly"
DAILY = "air_daily"
HOURLY_KEY = ("station_code", "time")
DAILY_KEY = ("station_code", "date")
POLLUTANTS = ("pm25", "pm10", "so2", "no2", "co", "o3")
HOURLY_SCHEMA = pl.Schema(
    {
        "station_code": pl.String(),
        "time": pl.Datetime("us"),
        **{p: pl.Float64() for p in POLLUTANTS},
        "city": pl.String(),
        "generated": pl.Boolean(),
        "import_id": pl.Int64(),
    }
)


def lake() -> Lake:
    return Lake(settings.LAKE_URL)


def _empty_hourly() -> pl.LazyFrame:
    return pl.LazyFrame(schema=HOURLY_SCHEMA).with_columns(pl.lit(None, dtype=pl.Date).alias("date"))


def hourly(*, start: dt.datetime | None = None, end: dt.datetime | None = None) -> pl.LazyFrame:
    """De-duplicated hourly rows with start < time <= end (either bound optional)."""
    store = lake()
    if not store.live_files(HOURLY):
        return _empty_hourly()
    frame = store.scan(HOURLY, unique_on=HOURLY_KEY)
    if start is not None:
        frame = frame.filter(pl.col("date") >= start.date(), pl.col("time") > start)
    if end is not None:
        frame = frame.filter(pl.col("date") <= end.date(), pl.col("time") <= end)
    return frame


def daily(*, start: dt.date | None = None, end: dt.date | None = None) -> pl.LazyFrame | None:
    """De-duplicated station-day results with start <= date <= end, or None when there are none."""
    store = lake()
    if not store.live_files(DAILY):
        return None
    frame = store.scan(DAILY, unique_on=DAILY_KEY)
    if start is not None:
        frame = frame.filter(pl.col("date") >= start)
    if end is not None:
        frame = frame.filter(pl.col("date") <= end)
    return frame
