"""Reader for the national monitoring centre's (CNEMC) real-time release formats.

Handles the national GeoJSON snapshot (`features[].properties`) and the hourly national CSV, including
the columns annotated like `o3_24h(=latest 1h O3, see README)`. The raw feed swaps the O3 names:
`o3_24h` holds the LATEST 1-hour O3 and `o3` the max 1-hour of the natural day; `o3_8h_24h` is the latest
8-hour moving mean and `o3_8h` the max 8-hour of the day. Output follows the documented real-time schema
(`station_code, time, pm25, pm10, so2, no2, co, o3, pm25_24h, pm10_24h, so2_24h, no2_24h, co_24h, o3_8h`)
plus `o3_1h_day_max`, `o3_8h_day_max` and the published `published_aqi`, `published_category`,
`published_primary` (codes, `;`-joined in the order pm25;pm10;so2;no2;co;o3).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from envplan.standards.air.tables import CATEGORIES, POLLUTANTS

# raw CNEMC column -> our column
_COLUMNS: dict[str, str] = {
    "stationcode": "station_code",
    "pm2_5": "pm25",
    "pm2_5_24h": "pm25_24h",
    "pm10": "pm10",
    "pm10_24h": "pm10_24h",
    "so2": "so2",
    "so2_24h": "so2_24h",
    "no2": "no2",
    "no2_24h": "no2_24h",
    "co": "co",
    "co_24h": "co_24h",
    "o3_24h": "o3",  # swapped in the feed: the latest 1-hour value
    "o3": "o3_1h_day_max",
    "o3_8h_24h": "o3_8h",  # the latest 8-hour moving mean
    "o3_8h": "o3_8h_day_max",
    "aqi": "published_aqi",
    "quality": "published_quality",
    "primarypollutant": "published_primary",
}
_NUMERIC = [v for k, v in _COLUMNS.items() if k not in ("stationcode", "quality", "primarypollutant")]

# Published primary-pollutant names -> codes.
PRIMARY_NAMES: dict[str, str] = {
    "细颗粒物(PM2.5)": "pm25",
    "颗粒物(PM10)": "pm10",
    "二氧化硫": "so2",
    "二氧化氮": "no2",
    "一氧化碳": "co",
    "臭氧1小时": "o3",
    "臭氧8小时": "o3",
    "臭氧": "o3",
}
_MISSING = ["-;", "-", "—", "", "NA"]


def _raw_frame(path: Path) -> pl.DataFrame:
    if path.suffix.lower() in (".json", ".geojson"):
        document = json.loads(path.read_text(encoding="utf-8"))
        features = document["features"] if isinstance(document, dict) else document
        records = [f.get("properties", f) for f in features]
        return pl.DataFrame(records, infer_schema_length=None).cast(pl.String)
    frame = pl.read_csv(path, infer_schema=False)
    # Annotated headers such as `o3_24h(=latest 1h O3, see README)` keep their first token.
    return frame.rename({name: name.split("(")[0].strip() for name in frame.columns})


def read_cnemc(path: str | Path) -> pl.DataFrame:
    """Read a CNEMC real-time release (GeoJSON or CSV) into the documented real-time schema."""
    raw = _raw_frame(Path(path))
    # The edge-case file has `snapshot` like 2018-02-20T07 instead of `timepoint`.
    time_text = pl.col("timepoint") if "timepoint" in raw.columns else pl.col("snapshot") + ":00:00"
    raw = raw.with_columns(
        [
            pl.when(pl.col(c).str.strip_chars().is_in(_MISSING)).then(None).otherwise(pl.col(c)).alias(c)
            for c in raw.columns
        ]
    )
    present = {k: v for k, v in _COLUMNS.items() if k in raw.columns}
    frame = raw.select(
        pl.col("stationcode").alias("station_code"),
        time_text.str.to_datetime("%Y-%m-%dT%H:%M:%S").alias("time"),
        *[pl.col(k).alias(v) for k, v in present.items() if k != "stationcode"],
    )
    frame = frame.with_columns([pl.col(c).cast(pl.Float64) for c in _NUMERIC if c in frame.columns])
    if "published_aqi" in frame.columns:
        frame = frame.with_columns(pl.col("published_aqi").cast(pl.Int64))
    if "published_quality" in frame.columns:
        names = {c.name_zh: c.level for c in CATEGORIES}
        frame = frame.with_columns(
            pl.col("published_quality")
            .replace_strict(names, default=None, return_dtype=pl.Int8)
            .alias("published_category")
        )
    if "published_primary" in frame.columns:
        order = {code: i for i, code in enumerate(POLLUTANTS)}
        codes = (
            pl.col("published_primary")
            .str.split(",")
            .list.eval(pl.element().str.strip_chars().replace_strict(PRIMARY_NAMES, default=None))
            .list.drop_nulls()
            .list.unique()
        )
        frame = frame.with_columns(
            codes.list.eval(pl.element().sort_by(pl.element().replace_strict(order, return_dtype=pl.Int8)))
            .list.join(";")
            .alias("published_primary")
        )
        frame = frame.with_columns(
            pl.when(pl.col("published_primary") == "")
            .then(None)
            .otherwise(pl.col("published_primary"))
            .alias("published_primary")
        )
    return frame


# The hourly columns of the documented CSV, from the release's columns (mind the O3 swap, see above).
_HOURLY_TEXT: dict[str, str] = {
    "pm2_5": "pm25",
    "pm10": "pm10",
    "so2": "so2",
    "no2": "no2",
    "co": "co",
    "o3_24h": "o3",  # the latest 1-hour O3
}


def read_cnemc_text(path: str | Path) -> pl.DataFrame:
    """A release (GeoJSON or CSV) as TEXT in the documented hourly columns `station_code, time, pm25, pm10,
    so2, no2, co, o3`, nothing parsed, so that `validate_air_frame` reports each bad value by line (a CSV's
    line; for GeoJSON, row n is feature n - 1). Missing markers become nulls; absent columns stay absent."""
    raw = _raw_frame(Path(path))
    raw = raw.with_columns(
        [
            pl.when(pl.col(c).str.strip_chars().is_in(_MISSING)).then(None).otherwise(pl.col(c)).alias(c)
            for c in raw.columns
        ]
    )
    columns: list[pl.Expr] = []
    if "stationcode" in raw.columns:
        columns.append(pl.col("stationcode").alias("station_code"))
    if "timepoint" in raw.columns:
        columns.append(pl.col("timepoint").alias("time"))
    elif "snapshot" in raw.columns:  # the edge-case file: 2018-02-20T07
        columns.append((pl.col("snapshot") + ":00:00").alias("time"))
    columns += [pl.col(k).alias(v) for k, v in _HOURLY_TEXT.items() if k in raw.columns]
    return raw.select(columns)
