"""Where the water app keeps its series: the lake at settings.LAKE_URL.

Kinds (partitioned by date; readers de-duplicate on the key, the last write wins):
* `water_samples`: monitoring_section (the section's code), time (sampling time, China Standard Time,
  naive), waterbody (`river` | `lake`), one Float64 column per GB 3838 item (`ITEM_CODES`, mg/L; fecal
  coliforms per litre; null = not measured), dry (no water at sampling time), generated (made up by the
  demo loader), import_id. Key: monitoring_section, time.
* `water_evaluations`: the record written by `evaluate_water(period)`: per section, basis (`month` or
  `ytd`, year to date through the month) and period (first day of the month), the class, dry, n_samples,
  meets_target, main pollutants, item means, generated. Key: monitoring_section, basis, period.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.conf import settings

from envplan.lake import Lake
from envplan.standards.water import ITEM_CODES

SAMPLES = "water_samples"
EVALUATIONS = "water_evaluations"
SAMPLES_KEY = ("monitoring_section", "time")
EVALUATIONS_KEY = ("monitoring_section", "basis", "period")
SAMPLES_SCHEMA = pl.Schema(
    {
        "monitoring_section": pl.String(),
        "time": pl.Datetime("us"),
        "waterbody": pl.String(),
        **{code: pl.Float64() for code in ITEM_CODES},
        "dry": pl.Boolean(),
        "generated": pl.Boolean(),
        "import_id": pl.Int64(),
    }
)


def lake() -> Lake:
    return Lake(settings.LAKE_URL)


def samples(*, start: dt.date | None = None, end: dt.date | None = None) -> pl.DataFrame:
    """De-duplicated samples with start <= sampling date <= end (either bound optional), in SAMPLES_SCHEMA."""
    store = lake()
    if not store.live_files(SAMPLES):
        return pl.DataFrame(schema=SAMPLES_SCHEMA)
    frame = store.scan(SAMPLES, unique_on=SAMPLES_KEY)
    if start is not None:
        frame = frame.filter(pl.col("date") >= start)
    if end is not None:
        frame = frame.filter(pl.col("date") <= end)
    return frame.select(list(SAMPLES_SCHEMA)).collect().cast(SAMPLES_SCHEMA)


def evaluations() -> pl.DataFrame | None:
    """De-duplicated stored evaluations, or None when none was stored."""
    store = lake()
    if not store.live_files(EVALUATIONS):
        return None
    return store.scan(EVALUATIONS, unique_on=EVALUATIONS_KEY).collect()
