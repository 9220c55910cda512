"""Validation of air-quality input files (hourly or daily CSV) in one vectorised pass.

Every check (station code missing or unknown, time unreadable, value not a number, negative or impossible,
CO given in µg/m³, AQI above 500, station-hour given twice) is one boolean expression, and all of them are
evaluated together in one pass over the rows. A file without errors stops there. Otherwise messages are
written for the first rows with errors only: the first `limit` errors are kept, `file, line, field,
message` (line = the line in the file, the header being line 1), and all of them are counted, as the
commands and the import records report them (`envplan.problems`).

`read_air_csv` reads a file with its value columns typed as numbers, which is what a clean file needs; a
file that does not read that way, or has any error, is read again as text and validated by
`validate_air_frame`, so that each message quotes the value as written.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl

from envplan.problems import DEFAULT_LIMIT, ProblemList

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
AQI_ABOVE = 500  # HJ 633: the AQI scale ends at 500

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
    """A checked file: its typed rows, the first errors and how many there were."""

    frame: pl.DataFrame  # typed rows with `line`, rows with errors included
    errors: pl.DataFrame  # the first `limit` errors, file, line, field, message, in line order
    error_count: int  # every error
    bad: pl.Series  # Boolean per row of `frame`: the row has at least one error
    unknown_columns: list[str]

    @property
    def unusable(self) -> bool:
        """A header error (a missing column): no row can be used."""
        return bool(self.errors.height and self.errors.get_column("line").min() == 1)

    def rows(self) -> pl.DataFrame:
        """The rows without errors."""
        return self.frame.filter(~self.bad) if self.error_count else self.frame

    def problems(self) -> ProblemList[dict[str, Any]]:
        return ProblemList.first(self.errors.iter_rows(named=True), total=self.error_count)


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


def each_distinct(series: pl.Series, convert: pl.Expr) -> pl.Series:
    """`convert` (an expression of the column) computed once per distinct value of the column:
    a file's times repeat for every station, so parsing or formatting them row by row is wasted work."""
    frame = series.to_frame()
    distinct = frame.unique().with_columns(convert.alias("_converted"))
    joined = frame.join(distinct, on=series.name, how="left", maintain_order="left", nulls_equal=True)
    return joined.get_column("_converted").alias(series.name)


def _times(text: pl.Series, *, daily: bool) -> pl.Series:
    """`parse_time` of a column. Hourly files nearly always write `YYYY-MM-DDTHH:MM:SS` without an offset:
    those are parsed in one quick pass, and only the others by the general rule (which gives the same
    time for the quick ones: no offset, no 24:00, the first of its formats)."""
    if daily:
        return each_distinct(text, parse_time(pl.col(text.name), daily=True))
    quick = each_distinct(
        text, pl.col(text.name).str.to_datetime(_DATETIME_FORMATS[0], strict=False, time_unit="us")
    )
    slow_rows = (quick.is_null() & text.is_not_null()).arg_true()
    if slow_rows.len() == 0:
        return quick.alias(text.name)
    slow = pl.select(parse_time(pl.lit(text.gather(slow_rows)), daily=False)).to_series()
    return quick.scatter(slow_rows, slow.cast(pl.Datetime("us"))).alias(text.name)


@dataclass(frozen=True, slots=True)
class _Check:
    field: str
    flag: pl.Expr  # Boolean over the checked frame
    message: pl.Expr | str  # evaluated on the flagged rows only
    first_line: bool = False  # the message names `_first_line`, the first line of the station-hour


def _checks(
    columns: list[str],
    value_columns: list[str],
    *,
    kind: Kind,
    known_stations: Iterable[str] | None,
    text: bool,
    repeats: bool,
) -> list[_Check]:
    """Every row check, in the order of the messages within a line. On a text frame the raw value of each
    column is `raw_<column>` and the typed one `<column>`; on a typed frame (`text=False`) only the typed
    values exist, and the messages are not used. `repeats`: some station-hour may be given twice."""
    checks: list[_Check] = []
    if "station_code" in columns:
        station = pl.col("station_code")
        checks.append(
            _Check("station_code", station.str.strip_chars().fill_null("") == "", "missing station code")
        )
        if known_stations is not None:
            stations = pl.Series(sorted(set(known_stations)), dtype=pl.String)
            unknown = station.is_not_null() & ~station.is_in(stations.implode())
            checks.append(_Check("station_code", unknown, "unknown station " + station))
    if "time" in columns:
        written = pl.col("raw_time").fill_null("") if text else pl.lit("")
        what = "date" if kind == "daily" else "date-time"
        checks.append(_Check("time", pl.col("time").is_null(), f"not an ISO 8601 {what}: '" + written + "'"))
    for column in value_columns:
        value = pl.col(column)
        raw = pl.col(f"raw_{column}").str.strip_chars() if text else pl.lit("")
        # NaN and infinity are read as numbers but measure nothing.
        if text:
            unreadable = raw.is_not_null() & (raw != "") & (value.is_null() | ~value.is_finite())
        else:
            unreadable = value.is_not_null() & ~value.is_finite()
        checks.append(_Check(column, unreadable, "not a number: '" + raw + "'"))
        finite = value.is_finite()
        checks.append(_Check(column, finite & (value < 0), "negative value " + raw))
        pollutant = column.split("_")[0]
        if pollutant == "co":
            message = "CO " + raw + f" looks like µg/m³ (above {CO_MG_ABOVE:g} mg/m³); CO must be in mg/m³"
            checks.append(_Check(column, finite & (value > CO_MG_ABOVE), message))
        elif pollutant in IMPOSSIBLE_ABOVE:
            ceiling = IMPOSSIBLE_ABOVE[pollutant]
            message = f"impossible value (above {ceiling:g} µg/m³): " + raw
            checks.append(_Check(column, finite & (value > ceiling), message))
        elif column == "aqi":
            checks.append(_Check(column, finite & (value > AQI_ABOVE), f"AQI above {AQI_ABOVE}: " + raw))
    if repeats:
        repeat = ~pl.struct("station_code", "time").is_first_distinct() & pl.col("time").is_not_null()
        label = "date" if kind == "daily" else "hour"
        first = pl.col("_first_line").cast(pl.String)
        message = f"duplicated station-{label} (first on line " + first + ")"
        checks.append(_Check("time", repeat, message, first_line=True))
    return checks


def _may_repeat(frame: pl.DataFrame) -> bool:
    """Whether some station-hour (station-day) may be given twice: as many distinct hashes of the key as
    rows proves that none is (equal keys hash alike), and is much quicker than the exact check."""
    keys = pl.struct("station_code", "time").hash()
    return bool(frame.select(keys.n_unique()).item() < frame.height)


def _header_errors(file: str, missing: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "file": [file] * len(missing),
            "line": [1] * len(missing),
            "field": missing,
            "message": [f"missing column '{c}'" for c in missing],
        },
        schema=ERROR_SCHEMA,
    )


def _validate(
    frame: pl.DataFrame,
    *,
    file: str,
    kind: Kind,
    known_stations: Iterable[str] | None,
    require: Iterable[str],
    limit: int,
    text: bool,
) -> Validated:
    """The one pass: typed columns and every check's flag together, then messages for the first bad rows.
    `frame` is all text (`text=True`) or has its value columns read as Float64 already."""
    if kind == "daily" and "time" not in frame.columns and "date" in frame.columns:
        frame = frame.rename({"date": "time"})  # the output of `daily` names its key `date`
    required, optional = expected_columns(kind)
    known = set(KEY_COLUMNS) | set(required) | set(optional) | set(GROUP_COLUMNS)
    unknown_columns = [c for c in frame.columns if c not in known]
    value_columns = [c for c in (*required, *optional) if c in frame.columns]
    missing = [c for c in dict.fromkeys((*require, *KEY_COLUMNS)) if c not in frame.columns]
    raw_columns = ["time", *value_columns] if text else []
    typed = frame.with_columns(
        *[pl.col(c).alias(f"raw_{c}") for c in raw_columns if c in frame.columns],
    )
    if "time" in frame.columns:
        typed = typed.with_columns(_times(frame.get_column("time"), daily=kind == "daily"))
    else:
        typed = typed.with_columns(pl.lit(None, dtype=pl.Datetime("us")).alias("time"))
    if text:
        typed = typed.with_columns(
            [pl.col(c).str.strip_chars().cast(pl.Float64, strict=False).alias(c) for c in value_columns]
        )
    typed = typed.with_row_index("line", offset=2).with_columns(pl.col("line").cast(pl.Int64))
    repeats = {"station_code", "time"} <= set(frame.columns) and _may_repeat(typed)
    checks = _checks(
        frame.columns, value_columns, kind=kind, known_stations=known_stations, text=text, repeats=repeats
    )
    flags = [f"_flag{i}" for i in range(len(checks))]
    checked = typed.with_columns(
        *[check.flag.fill_null(False).alias(name) for check, name in zip(checks, flags, strict=True)]
    )
    counts = checked.select([pl.col(name).sum() for name in flags]).row(0) if flags else ()
    row_errors = int(sum(counts))
    header = _header_errors(file, missing)
    kept = [c for c in checked.columns if c not in flags and not c.startswith("raw_")]
    if row_errors == 0:
        empty = pl.Series("bad", [False] * checked.height, dtype=pl.Boolean)
        return Validated(checked.select(kept), header, header.height, empty, unknown_columns)
    bad = checked.select(pl.any_horizontal(flags).alias("bad")).to_series()
    # Each bad row holds at least one error: the first `limit` bad rows hold the first `limit` errors.
    first_rows = checked.filter(bad).head(limit)
    if any(check.first_line and count for check, count in zip(checks, counts, strict=True)):
        keys = ["station_code", "time"]
        repeated = checked.filter(pl.struct(keys).is_duplicated() & pl.col("time").is_not_null())
        first_lines = repeated.group_by(keys).agg(pl.col("line").min().alias("_first_line"))
        first_rows = first_rows.join(first_lines, on=keys, how="left", nulls_equal=True)
    messages = [
        first_rows.filter(pl.col(name)).select(
            "line",
            pl.lit(check.field).alias("field"),
            (pl.lit(check.message) if isinstance(check.message, str) else check.message)
            .cast(pl.String)
            .alias("message"),
            pl.lit(position).alias("_check"),
        )
        for position, (check, name) in enumerate(zip(checks, flags, strict=True))
        if counts[position]
    ]
    rows = pl.concat(messages).sort("line", "_check").drop("_check")
    errors = pl.concat([header, rows.select(pl.lit(file).alias("file"), "line", "field", "message")])
    return Validated(
        checked.select(kept),
        errors.head(limit).cast(ERROR_SCHEMA),
        header.height + row_errors,
        bad,
        unknown_columns,
    )


def validate_air_frame(
    raw: pl.DataFrame,
    *,
    file: str | Path,
    kind: Kind,
    known_stations: Iterable[str] | None = None,
    require: Iterable[str] = (),
    limit: int = DEFAULT_LIMIT,
) -> Validated:
    """Check a text frame (every column a string, as read from the CSV); see the module docstring.
    `known_stations` adds an "unknown station" check; `require` names value columns that must be present
    (the key columns always must)."""
    return _validate(
        raw, file=str(file), kind=kind, known_stations=known_stations, require=require, limit=limit, text=True
    )


CsvSource = str | Path | bytes


def _read(source: CsvSource, **options: Any) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(source) if isinstance(source, bytes) else source, **options)


def read_air_csv(
    source: CsvSource,
    *,
    kind: Kind,
    file: str | Path | None = None,
    known_stations: Iterable[str] | None = None,
    require: Iterable[str] = (),
    limit: int = DEFAULT_LIMIT,
) -> Validated:
    """Read an air CSV (a path, or its bytes) and validate it; `file` names it in the messages (by
    default the path). Raises Polars' errors (and OSError) for a file that is not a readable CSV."""
    name = str(file if file is not None else source if not isinstance(source, bytes) else "-")
    required, optional = expected_columns(kind)
    numbers = {column: pl.Float64 for column in (*required, *optional)}
    stations = None if known_stations is None else list(known_stations)
    try:
        typed = _read(source, infer_schema=False, schema_overrides=numbers)
    except pl.exceptions.PolarsError:
        typed = None  # a value that is not a number, or no CSV at all: the text reading says which
    if typed is not None:
        result = _validate(
            typed, file=name, kind=kind, known_stations=stations, require=require, limit=limit, text=False
        )
        if result.error_count == 0:
            return result
    raw = _read(source, infer_schema=False)
    return validate_air_frame(
        raw, file=name, kind=kind, known_stations=stations, require=require, limit=limit
    )
