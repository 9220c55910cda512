"""The test oracle of the validator: the check-by-check validation that the one-pass `validate` replaced.

Kept as it was (21 separate passes) so that the property tests can show that the one-pass validator gives
the same rows and the same messages, in the same order. Not used by the application. The tables it checks
against (columns, ceilings, error schema) are the validator's own; the checks and the reading of times
are written here independently: times one value at a time with the standard library, not with the
validator's Polars expressions.

`reference_validate` takes the raw text frame (every column a string, as read from the CSV) and returns
the parsed frame plus a frame of errors `file, line, field, message` (line = line number in the file,
the header being line 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl

from envplan.standards.air.validate import (
    CO_MG_ABOVE,
    ERROR_SCHEMA,
    GROUP_COLUMNS,
    IMPOSSIBLE_ABOVE,
    KEY_COLUMNS,
    Kind,
    expected_columns,
)

_CHINA_STANDARD_TIME = timedelta(hours=8)
_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)$")
_LAYOUTS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


@dataclass(frozen=True, slots=True)
class Reference:
    frame: pl.DataFrame  # typed rows (with `line`), errors included
    errors: pl.DataFrame  # file, line, field, message
    unknown_columns: list[str]


def _day(text: str | None) -> date | None:
    """A daily file's date: the first ten characters, YYYY-MM-DD."""
    if text is None:
        return None
    try:
        return datetime.strptime(text.strip()[:10], "%Y-%m-%d").date()
    except ValueError:
        return None


def _hour(text: str | None) -> datetime | None:
    """An ISO 8601 time in China Standard Time: an explicit UTC offset is converted, none means CST
    already, and `24:00` is 00:00 of the next day."""
    if text is None:
        return None
    written = text.strip()
    offset = _CHINA_STANDARD_TIME
    found = _OFFSET.search(written)
    if found:
        sign, digits = found.group(1)[0], found.group(1)[1:].replace(":", "")
        offset = (
            timedelta()
            if sign == "Z"
            else (-1 if sign == "-" else 1) * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        )
        written = written[: found.start()]
    next_day = re.search(r"[T ]24:00(:00)?$", written) is not None
    written = re.sub(r"([T ])24:00", r"\g<1>00:00", written)
    for layout in _LAYOUTS:
        try:
            parsed = datetime.strptime(written, layout)
        except ValueError:
            continue
        return parsed + (_CHINA_STANDARD_TIME - offset) + timedelta(days=1 if next_day else 0)
    return None


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
) -> Reference:
    """Check a raw text frame; see the module docstring. `known_stations` adds an "unknown station" check."""
    required, optional = expected_columns(kind)
    if kind == "daily" and "time" not in raw.columns and "date" in raw.columns:
        raw = raw.rename({"date": "time"})  # the output of `daily` names its key `date`
    known = set(KEY_COLUMNS) | set(required) | set(optional) | set(GROUP_COLUMNS)
    unknown_columns = [c for c in raw.columns if c not in known]
    value_columns = [c for c in (*required, *optional) if c in raw.columns]
    text = raw.with_row_index("line", offset=2).with_columns(pl.col("line").cast(pl.Int64))
    typed = text.with_columns(
        pl.col("time")
        .map_elements(
            _day if kind == "daily" else _hour, return_dtype=pl.Date if kind == "daily" else pl.Datetime
        )
        .alias("time")
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
    return Reference(frame=typed, errors=errors.cast(ERROR_SCHEMA), unknown_columns=unknown_columns)
