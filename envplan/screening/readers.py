"""CSV inputs of `envplan screening scan`, checked row by row: typed frames, or the first bad cell.

Every reader returns the typed frame of its schema (model.py) or raises :class:`InputError` naming the
file, the line (1 is the header) and the field. Nothing is read row by row except to locate a line
that the CSV parser itself rejected.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Final

import polars as pl

from envplan.screening.model import (
    LIMITS_SCHEMA,
    MAINTENANCE_SCHEMA,
    OUTLETS_SCHEMA,
    READINGS_SCHEMA,
    TIME,
    ZONE,
)

# ISO 8601 with an offset (as `readings export` writes), or a local time in China Standard Time.
_ZONED_FORMATS: Final = (
    "%Y-%m-%dT%H:%M:%S%:z",
    "%Y-%m-%d %H:%M:%S%:z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%.f%:z",
)
_LOCAL_FORMATS: Final = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)
_TIME_HINT: Final = "expected ISO 8601 such as 2025-10-06T10:00:00+08:00 (no offset: China Standard Time)"


class InputError(Exception):
    """One bad cell (or file): where it is and what is wrong."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str) -> None:
        super().__init__(file, line, field, message)
        self.file = file
        self.line = line
        self.field = field
        self.message = message

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def _read_text(source: str | Path | bytes, name: str) -> pl.DataFrame:
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as error:
        raise InputError(name, None, None, f"cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(name, line, None, "not UTF-8 text") from None
    if not text.strip():
        raise InputError(name, 1, None, "empty file (a header line is needed)")
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as error:
        raise InputError(
            name, _bad_line(text), None, f"not a valid CSV: {str(error).strip().splitlines()[0]}"
        ) from None
    return frame.rename({column: column.strip().lower() for column in frame.columns})


def _bad_line(text: str) -> int | None:
    """The first line whose number of fields differs from the header's (only when the parser failed)."""
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            return number
    return None


def _require(frame: pl.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputError(name, 1, missing[0], f"missing column (the header must have {', '.join(columns)})")


def _first_error(frame: pl.DataFrame, name: str, checks: list[tuple[str, pl.Expr, pl.Expr]]) -> None:
    """Raise for the first row (in file order) failing a check: (field, bad rows, message)."""
    numbered = frame.with_row_index("_line", offset=2)
    found: list[tuple[int, str, str]] = []
    for column, bad, text in checks:
        rows = numbered.filter(bad.fill_null(False)).select("_line", text.alias("_message")).head(1)
        if rows.height:
            found.append((int(rows.item(0, "_line")), column, str(rows.item(0, "_message"))))
    if found:
        line, field, message = min(found, key=lambda item: item[0])
        raise InputError(name, line, field, message)


def _blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")


def _quoted(column: str) -> pl.Expr:
    return pl.concat_str(pl.lit("'"), pl.col(column), pl.lit("'"))


def _number(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().cast(pl.Float64, strict=False)


def _time(column: str) -> pl.Expr:
    text = pl.col(column).str.strip_chars()
    zoned = [
        text.str.strptime(pl.Datetime("ms", "UTC"), format, strict=False, exact=True)
        for format in _ZONED_FORMATS
    ]
    local = [
        text.str.strptime(pl.Datetime("ms"), format, strict=False, exact=True)
        .dt.replace_time_zone(ZONE, non_existent="null")
        .dt.convert_time_zone("UTC")
        for format in _LOCAL_FORMATS
    ]
    return pl.coalesce([*zoned, *local]).dt.convert_time_zone(ZONE)


def _number_checks(
    column: str, *, required: bool, positive: bool = False, upper: float | None = None
) -> list[tuple[str, pl.Expr, pl.Expr]]:
    value = _number(column)
    checks: list[tuple[str, pl.Expr, pl.Expr]] = []
    if required:
        checks.append((column, _blank(column), pl.lit("empty (a number is needed)")))
    checks.append(
        (column, ~_blank(column) & value.is_null(), pl.concat_str(pl.lit("not a number: "), _quoted(column)))
    )
    checks.append(
        (
            column,
            value.is_nan() | value.is_infinite(),
            pl.concat_str(pl.lit("not a finite number: "), _quoted(column)),
        )
    )
    if positive:
        checks.append((column, value <= 0, pl.concat_str(pl.lit("must be above zero: "), _quoted(column))))
    if upper is not None:
        checks.append(
            (
                column,
                (value < 0) | (value >= upper),
                pl.concat_str(pl.lit(f"must be from 0 to below {upper:g}: "), _quoted(column)),
            )
        )
    return checks


def _text_checks(*columns: str) -> list[tuple[str, pl.Expr, pl.Expr]]:
    return [(column, _blank(column), pl.lit("empty")) for column in columns]


def _time_checks(*columns: str) -> list[tuple[str, pl.Expr, pl.Expr]]:
    return [
        (
            column,
            _blank(column) | _time(column).is_null(),
            pl.concat_str(pl.lit("not a date-time: "), _quoted(column), pl.lit(f" ({_TIME_HINT})")),
        )
        for column in columns
    ]


def read_readings(source: str | Path | bytes, *, name: str | None = None) -> pl.DataFrame:
    """Readings CSV (`mn,kind,time,factor,field,value,flag`; the flag may be absent or empty) ->
    READINGS_SCHEMA."""
    name = name or str(source)
    frame = _read_text(source, name)
    _require(frame, name, ("mn", "kind", "time", "factor", "field", "value"))
    if "flag" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("flag"))
    flag = pl.col("flag").str.strip_chars()
    checks = [
        *_text_checks("mn", "kind"),
        *_time_checks("time"),
        *_text_checks("factor", "field"),
        *_number_checks("value", required=True),
        (
            "flag",
            flag.str.len_chars() > 4,
            pl.concat_str(
                pl.lit("not a data flag: "), _quoted("flag"), pl.lit(" (HJ 212: N, F, M, S, D, C, T, B)")
            ),
        ),
    ]
    _first_error(frame, name, checks)
    key = ["mn", "kind", "time", "factor", "field"]
    typed = frame.select(
        pl.col("mn").str.strip_chars(),
        pl.col("kind").str.strip_chars(),
        _time("time").cast(TIME).alias("time"),
        pl.col("factor").str.strip_chars(),
        pl.col("field").str.strip_chars(),
        _number("value").alias("value"),
        pl.when(_blank("flag"))
        .then(pl.lit(None, pl.String))
        .otherwise(flag.str.to_uppercase())
        .alias("flag"),
    )
    repeated = typed.with_row_index("_line", offset=2).filter(pl.struct(key).is_duplicated())
    if repeated.height:
        first = (
            repeated.group_by(key, maintain_order=True)
            .agg(pl.col("_line").min().alias("a"), pl.col("_line").sort().get(1).alias("b"))
            .sort("b")
            .row(0, named=True)
        )
        raise InputError(
            name, int(first["b"]), "time", f"the same mn, kind, time, factor and field as line {first['a']}"
        )
    return typed.cast(READINGS_SCHEMA)


def read_limits(source: str | Path | bytes, *, name: str | None = None) -> pl.DataFrame:
    """Limits CSV (`mn,factor,field,limit[,reference_o2]`) -> LIMITS_SCHEMA. A row may give only the
    reference O2 (empty limit)."""
    name = name or str(source)
    frame = _read_text(source, name)
    _require(frame, name, ("mn", "factor", "field", "limit"))
    if "reference_o2" not in frame.columns:
        frame = frame.with_columns(pl.lit("", pl.String).alias("reference_o2"))
    checks = [
        *_text_checks("mn", "factor", "field"),
        *_number_checks("limit", required=False, positive=True),
        *_number_checks("reference_o2", required=False, upper=21.0),
        (
            "limit",
            _blank("limit") & _blank("reference_o2"),
            pl.lit("empty (give a limit, a reference_o2 or both)"),
        ),
    ]
    _first_error(frame, name, checks)
    return frame.select(
        pl.col("mn").str.strip_chars(),
        pl.col("factor").str.strip_chars(),
        pl.col("field").str.strip_chars(),
        _number("limit").alias("limit"),
        _number("reference_o2").alias("reference_o2"),
    ).cast(LIMITS_SCHEMA)


def read_maintenance(source: str | Path | bytes, *, name: str | None = None) -> pl.DataFrame:
    """Maintenance records CSV (`mn,factor,start,end`; empty factor: every factor) -> MAINTENANCE_SCHEMA."""
    name = name or str(source)
    frame = _read_text(source, name)
    _require(frame, name, ("mn", "factor", "start", "end"))
    checks = [
        *_text_checks("mn"),
        *_time_checks("start", "end"),
        ("end", _time("end") < _time("start"), pl.concat_str(pl.lit("before the start: "), _quoted("end"))),
    ]
    _first_error(frame, name, checks)
    return frame.select(
        pl.col("mn").str.strip_chars(),
        pl.when(_blank("factor"))
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col("factor").str.strip_chars())
        .alias("factor"),
        _time("start").cast(TIME).alias("start"),
        _time("end").cast(TIME).alias("end"),
    ).cast(MAINTENANCE_SCHEMA)


def read_outlets(source: str | Path | bytes, *, name: str | None = None) -> pl.DataFrame:
    """Outlets CSV (`mn,industry`) -> OUTLETS_SCHEMA."""
    name = name or str(source)
    frame = _read_text(source, name)
    _require(frame, name, ("mn", "industry"))
    _first_error(frame, name, _text_checks("mn", "industry"))
    return frame.select(pl.col("mn").str.strip_chars(), pl.col("industry").str.strip_chars()).cast(
        OUTLETS_SCHEMA
    )
