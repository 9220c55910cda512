"""The test oracle of the validator: the check-by-check validation that the one-pass `validate` replaced.

Kept verbatim (21 separate passes) so that the property tests can show that the one-pass validator gives
the same rows and the same messages, in the same order. Not used by the application.

`validate_air_frame` takes the raw text frame (every column a string, as read from the CSV) and returns
the parsed frame plus a frame of errors `file, line, field, message` (line = line number in the file,
the header being line 1). Rows named in the error frame should be skipped by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

Kind = Literal["realtime", "daily", "hourly"]

REALTIME_COLUMNS = ("pm25", "pm10", "so2", "no2", "co", "o3")
REALTIME_OPTIONAL = ("so2_24h", "pm25_24h", "pm10_24h", "o3_8h")
DAILY_COLUMNS = ("pm25", "pm10", "so2", "no2", "co", "o3_8h", "o3_1h")
DAILY_OPTIONAL = ("aqi",)
KEY_COLUMNS = ("station_code", "time")
GROUP_COLUMNS = ("city",)

# Plausibility ceilings (our choice, not from a standard): values above them are not ambient
# concentrations. They are a few times the top row of HJ 633 Table 1 (PM2.5 500, PM10 600, SO2 2620,
# NO2 3840, O3 1200 µg/m³).
IMPOSSIBLE_ABOVE: dict[str, float] = {"pm25": 5000, "pm10": 10000, "so2": 20000, "no2": 20000, "o3": 5000}
# CO is in mg/m³; HJ 633 Table 1 ends at 150 mg/m³ (CO 1-h, IAQI 500). A larger value is almost surely µg/m³.
CO_MG_ABOVE = 150.0

ERROR_SCHEMA = pl.Schema(
    {
        "file": pl.String(),
        "line": pl.Int64(),
        "field": pl.String(),
        "message": pl.String(),
    }
)

_DATETIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


@dataclass(frozen=True, slots=True)
class Validated:
    frame: pl.DataFrame  # typed rows (with `line`), errors included
    errors: pl.DataFrame  # file, line, field, message
    unknown_columns: list[str]


def expected_columns(kind: Kind) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required value columns, optional value columns) of a file kind."""
    if kind == "daily":
        return DAILY_COLUMNS, DAILY_OPTIONAL
    return REALTIME_COLUMNS, REALTIME_OPTIONAL if kind == "realtime" else ()


def parse_time(text: pl.Expr, *, daily: bool) -> pl.Expr:
    """ISO 8601 local times; `24:00` means 00:00 of the next day; a daily file holds dates."""
    if daily:
        return text.str.strip_chars().str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    stripped = text.str.strip_chars()
    # An explicit UTC offset is converted to China Standard Time (UTC+8); without one the time is CST.
    offset = stripped.str.extract(r"(Z|[+-]\d\d:?\d\d)$", 1)
    sign = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    offset_minutes = (
        pl.when(offset.is_null())
        .then(8 * 60)
        .when(offset == "Z")
        .then(0)
        .otherwise(
            sign
            * (
                offset.str.slice(1, 2).cast(pl.Int32, strict=False) * 60
                + offset.str.slice(-2, 2).cast(pl.Int32, strict=False)
            )
        )
    )
    cleaned = stripped.str.replace(r"(Z|[+-]\d\d:?\d\d)$", "")
    is_24 = cleaned.str.contains(r"[T ]24:00(:00)?$")
    normal = cleaned.str.replace(r"([T ])24:00", "${1}00:00")
    parsed = pl.coalesce([normal.str.to_datetime(fmt, strict=False) for fmt in _DATETIME_FORMATS])
    local = parsed + pl.duration(minutes=8 * 60 - offset_minutes)
    return pl.when(is_24).then(local + pl.duration(days=1)).otherwise(local)


def _issues(frame: pl.DataFrame, condition: pl.Expr, field: str, message: pl.Expr | str) -> pl.DataFrame:
    msg = pl.lit(message) if isinstance(message, str) else message
    # Evaluate before filtering so that window expressions see every row.
    flagged = frame.with_columns(condition.alias("_flag"), msg.cast(pl.String).alias("_message"))
    return flagged.filter(pl.col("_flag")).select(
        pl.col("line"), pl.lit(field).alias("field"), pl.col("_message").alias("message")
    )


def reference_validate(
    raw: pl.DataFrame,
    *,
    file: str | Path,
    kind: Kind,
    known_stations: Iterable[str] | None = None,
) -> Validated:
    """Check a raw text frame; see the module docstring. `known_stations` adds an "unknown station" check."""
    required, optional = expected_columns(kind)
    if kind == "daily" and "time" not in raw.columns and "date" in raw.columns:
        raw = raw.rename({"date": "time"})  # the output of `daily` names its key `date`
    known = set(KEY_COLUMNS) | set(required) | set(optional) | set(GROUP_COLUMNS)
    unknown_columns = [c for c in raw.columns if c not in known]
    value_columns = [c for c in (*required, *optional) if c in raw.columns]
    text = raw.with_row_index("line", offset=2).with_columns(pl.col("line").cast(pl.Int64))
    typed = text.with_columns(
        parse_time(pl.col("time"), daily=kind == "daily").alias("time")
        if "time" in text.columns
        else pl.lit(None, dtype=pl.Datetime).alias("time"),
        *[pl.col(c).str.strip_chars().cast(pl.Float64, strict=False).alias(c) for c in value_columns],
    )
    issues: list[pl.DataFrame] = []
    for column in KEY_COLUMNS:
        if column not in raw.columns:
            issues.append(
                text.head(0).select("line", pl.lit(column).alias("field"), pl.lit("").alias("message"))
            )
    both = text.select(pl.col("line"), *[pl.col(c).alias(f"raw_{c}") for c in raw.columns]).join(
        typed, on="line"
    )
    if "station_code" in raw.columns:
        issues.append(
            _issues(
                both,
                pl.col("raw_station_code").str.strip_chars().fill_null("") == "",
                "station_code",
                "missing station code",
            )
        )
        if known_stations is not None:
            stations = pl.Series(sorted(set(known_stations)), dtype=pl.String)
            unknown = pl.col("raw_station_code").is_not_null() & ~pl.col("raw_station_code").is_in(
                stations.implode()
            )
            issues.append(
                _issues(both, unknown, "station_code", "unknown station " + pl.col("raw_station_code"))
            )
    if "time" in raw.columns:
        bad_time = pl.col("time").is_null()
        message = (
            "not an ISO 8601 "
            + ("date" if kind == "daily" else "date-time")
            + ": '"
            + pl.col("raw_time").fill_null("")
            + "'"
        )
        issues.append(_issues(both, bad_time, "time", message))
    for column in value_columns:
        raw_value = pl.col(f"raw_{column}").str.strip_chars()
        value = pl.col(column)
        issues.append(
            _issues(
                both,
                raw_value.is_not_null() & (raw_value != "") & value.is_null(),
                column,
                "not a number: '" + raw_value + "'",
            )
        )
        issues.append(_issues(both, value < 0, column, "negative value " + raw_value))
        pollutant = column.split("_")[0]
        if pollutant == "co":
            co_message = (
                "CO " + raw_value + f" looks like µg/m³ (above {CO_MG_ABOVE:g} mg/m³); CO must be in mg/m³"
            )
            issues.append(_issues(both, value > CO_MG_ABOVE, column, co_message))
        elif pollutant in IMPOSSIBLE_ABOVE:
            ceiling = IMPOSSIBLE_ABOVE[pollutant]
            issues.append(
                _issues(
                    both, value > ceiling, column, f"impossible value (above {ceiling:g} µg/m³): " + raw_value
                )
            )
        elif column == "aqi":
            issues.append(_issues(both, value > 500, column, "AQI above 500: " + raw_value))
    if {"station_code", "time"} <= set(raw.columns):
        repeat = (pl.int_range(pl.len()).over(["station_code", "time"]) > 0) & pl.col("time").is_not_null()
        first_line = pl.col("line").min().over(["station_code", "time"]).cast(pl.String)
        label = "date" if kind == "daily" else "hour"
        issues.append(
            _issues(typed, repeat, "time", f"duplicated station-{label} (first on line " + first_line + ")")
        )
    errors = (
        pl.concat(issues, how="vertical_relaxed")
        .select(pl.lit(str(file)).alias("file"), "line", "field", "message")
        .sort("line", maintain_order=True)
        if issues
        else pl.DataFrame(schema=ERROR_SCHEMA)
    )
    missing = [c for c in KEY_COLUMNS if c not in raw.columns]
    if missing:
        header = pl.DataFrame(
            {
                "file": [str(file)] * len(missing),
                "line": [1] * len(missing),
                "field": missing,
                "message": [f"missing column '{c}'" for c in missing],
            },
            schema=ERROR_SCHEMA,
        )
        errors = pl.concat([header, errors.filter(pl.col("line") != 1)])
    return Validated(frame=typed, errors=errors.cast(ERROR_SCHEMA), unknown_columns=unknown_columns)
