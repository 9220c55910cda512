"""`envplan air aqi|daily|annual` (pure; no Django): the handlers. Their arguments are declared in
`envplan/commands/air.py`.

Exit codes: 0 success; 1 some rows had errors (reported on stderr, skipped); 2 unusable input or usage:
no row without an error, or with `--strict` any row error (nothing is written). Row errors are printed
up to the first 1,000, then one line counts the others.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

import polars as pl

from envplan.commandline import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Streams
from envplan.standards.air import kernel
from envplan.standards.air.aqi import IAQI_COLUMNS, with_aqi
from envplan.standards.air.aqi import Kind as AqiKind
from envplan.standards.air.rounding import decimals_of, gbt8170_round
from envplan.standards.air.stats import (
    DAILY_STATISTICS,
    city_daily,
    daily_aqi,
)
from envplan.standards.air.validate import Kind, Validated, each_distinct, read_air_csv

if TYPE_CHECKING:
    from envplan.engines import Engine

# Columns written by `daily` that `annual` accepts back without a warning.
_DAILY_OUTPUT_EXTRAS = {"date", "aqi", "category", "primary", "edition", *IAQI_COLUMNS}


def _engine(args: argparse.Namespace) -> Engine:
    from envplan.engines import EngineError, get_engine  # the engines' imports only where they are used

    try:
        return get_engine(args.engine, master=args.spark_master)
    except EngineError as exc:
        raise _InputError(str(exc)) from None


class _InputError(Exception):
    """The input file cannot be used at all (exit code 2)."""


Source = str | bytes  # a path, or the bytes of standard input


def _source(path: str, stdin: TextIO) -> Source:
    """The file to read: its path, or for '-' the bytes of standard input (read once)."""
    if path != "-":
        return path
    buffer = getattr(stdin, "buffer", None)
    data: bytes = buffer.read() if buffer is not None else stdin.read().encode("utf-8")
    return data


def _report(validated: Validated, stderr: TextIO) -> None:
    for line in validated.problems().lines(_error_line, "error", "errors"):
        stderr.write(f"{line}\n")


def _error_line(row: dict[str, Any]) -> str:
    return f"{row['file']}:{row['line']}: {row['field']}: {row['message']}"


def _validated_rows(
    path: str,
    source: Source,
    kind: Kind,
    stderr: TextIO,
    strict: bool,
    loader: kernel.Loading,
    extra: set[str] | None = None,
) -> tuple[pl.DataFrame, bool]:
    """Typed rows without errors, and whether any row had an error. Raises _InputError when unusable."""
    try:
        validated = read_air_csv(source, kind=kind, file=path)
    except FileNotFoundError as exc:
        raise _InputError(f"{path}: file not found") from exc
    except (pl.exceptions.PolarsError, UnicodeDecodeError, OSError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _InputError(f"{path}: not a readable CSV file ({first_line})") from exc
    unknown = [
        c for c in validated.unknown_columns if not (extra and (c in extra or c.startswith(("valid_", "n_"))))
    ]
    if unknown:
        stderr.write(f"{path}: warning: ignoring unknown column(s): {', '.join(unknown)}\n")
    if validated.unusable:
        _report(validated, stderr)
        raise _InputError(f"{path}: unusable file (missing key columns)")
    if validated.error_count and strict:
        _report(validated, stderr)
        raise _InputError(f"{path}: {validated.error_count} error(s); --strict: nothing written")
    _report(validated, stderr)
    rows = validated.rows()
    if validated.error_count and rows.height == 0:
        raise _InputError(
            f"{path}: no row without an error ({validated.error_count} error(s)); nothing written"
        )
    loader.wait()
    return rows, validated.error_count > 0


def _write(frame: pl.DataFrame, fmt: str, stdout: TextIO) -> None:
    if fmt == "json":
        stdout.write(json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=1))
        stdout.write("\n")
        return
    buffer = getattr(stdout, "buffer", None)
    if buffer is None:  # an in-memory text stream
        stdout.write(frame.write_csv())
        return
    # Polars writes the bytes itself, in parallel, without a Python string of the whole output.
    stdout.flush()
    frame.write_csv(buffer)
    buffer.flush()


def _aqi(args: argparse.Namespace, stdout: TextIO, stderr: TextIO, stdin: TextIO) -> int:
    kind: AqiKind = args.kind
    rows, had_errors = _validated_rows(
        args.file, _source(args.file, stdin), kind, stderr, args.strict, args.loader
    )
    result = with_aqi(
        rows, kind=kind, edition=args.edition, realtime_rule=args.realtime_rule, missing=args.missing
    )
    time_format = "%Y-%m-%d" if kind == "daily" else "%Y-%m-%dT%H:%M:%S"
    out = result.select(
        "station_code",
        each_distinct(result.get_column("time"), pl.col("time").dt.strftime(time_format)),
        "aqi",
        "category",
        "primary",
        "edition",
        *IAQI_COLUMNS,
    )
    _write(out, "csv", stdout)
    return EXIT_FINDINGS if had_errors else EXIT_OK


def _rounded_daily(frame: pl.DataFrame) -> pl.DataFrame:
    """Daily statistics as published: GB/T 8170 rounding (integers, CO one decimal)."""
    return frame.with_columns([gbt8170_round(pl.col(s), decimals_of(s)).alias(s) for s in DAILY_STATISTICS])


def _daily_columns(frame: pl.DataFrame) -> list[str]:
    columns = ["station_code", "date"]
    columns += list(DAILY_STATISTICS)
    columns += [f"valid_{s}" for s in DAILY_STATISTICS]
    return [*columns, "aqi", "category", "primary", "edition"]


def _daily(args: argparse.Namespace, stdout: TextIO, stderr: TextIO, stdin: TextIO) -> int:
    rows, had_errors = _validated_rows(
        args.file, _source(args.file, stdin), "hourly", stderr, args.strict, args.loader
    )
    engine = _engine(args)
    try:
        daily = engine.air_daily(rows)
    finally:
        engine.stop()
    _write(_rounded_daily(daily).select(_daily_columns(daily)), args.format, stdout)
    return EXIT_FINDINGS if had_errors else EXIT_OK


def _is_hourly(path: str, source: Source) -> bool:
    """Peek at the header: hourly files have `o3`, daily ones `o3_8h` (and no `o3`)."""
    if isinstance(source, bytes):
        header = source.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    else:
        try:
            with open(source, encoding="utf-8", errors="replace") as handle:
                header = handle.readline()
        except FileNotFoundError as exc:
            raise _InputError(f"{path}: file not found") from exc
        except OSError as exc:
            raise _InputError(f"{path}: cannot read ({exc.strerror})") from exc
    names = {name.strip().strip('"') for name in header.strip().split(",")}
    return "o3" in names and "o3_8h" not in names


def _annual(args: argparse.Namespace, stdout: TextIO, stderr: TextIO, stdin: TextIO) -> int:
    source = _source(args.file, stdin)
    hourly = _is_hourly(args.file, source)
    engine = _engine(args)
    try:
        return _annual_on(engine, args, source, hourly, stdout, stderr)
    finally:
        engine.stop()


def _annual_on(
    engine: Engine, args: argparse.Namespace, source: Source, hourly: bool, stdout: TextIO, stderr: TextIO
) -> int:
    extra = set(_DAILY_OUTPUT_EXTRAS)
    if hourly:
        rows, had_errors = _validated_rows(args.file, source, "hourly", stderr, args.strict, args.loader)
        station_daily = engine.air_daily(rows)
    else:
        rows, had_errors = _validated_rows(
            args.file, source, "daily", stderr, args.strict, args.loader, extra
        )
        flags = [
            pl.col(c).str.to_lowercase().is_in(["true", "1", "yes"]).alias(c)
            for c in rows.columns
            if c.startswith("valid_")
        ]
        station_daily = daily_aqi(rows.with_columns(flags).rename({"time": "date"}))
    parts = [
        engine.air_annual(station_daily, year=args.year).with_columns(
            pl.lit("station").alias("level"), pl.col("station_code").alias("station")
        )
    ]
    if "city" in rows.columns:
        cities = rows.group_by("station_code").agg(pl.col("city").drop_nulls().first())
        parts[0] = parts[0].join(cities, on="station_code", how="left")
        if hourly:
            city_result = engine.air_city_annual(rows.filter(pl.col("city").is_not_null()), year=args.year)
        else:
            with_city = station_daily.join(cities, on="station_code", how="left").filter(
                pl.col("city").is_not_null()
            )
            city_result = engine.air_annual(daily_aqi(city_daily(with_city)), year=args.year)
        city_result = city_result.with_columns(
            pl.lit("city").alias("level"),
            pl.lit(None, dtype=pl.String).alias("station"),
            pl.col("station_code").alias("city"),
        )
        parts.append(city_result)
    else:
        parts[0] = parts[0].with_columns(pl.lit(None, dtype=pl.String).alias("city"))
    result = pl.concat(parts, how="diagonal_relaxed")
    first = ["level", "city", "station"]
    result = result.select(*first, pl.exclude([*first, "station_code"])).with_columns(
        pl.lit(args.year).alias("year")
    )
    _write(result, args.format, stdout)
    return EXIT_FINDINGS if had_errors else EXIT_OK


def _run(command: Callable[[argparse.Namespace, TextIO, TextIO, TextIO], int]) -> Callable[..., int]:
    """The handler of one sub-command: the kernel loads while the input is read and checked, and the
    command waits for it on every path."""

    def handler(args: argparse.Namespace, streams: Streams) -> int:
        args.loader = kernel.Loading()
        try:
            return command(args, streams.stdout, streams.stderr, streams.stdin)
        except _InputError as exc:
            streams.stderr.write(f"error: {exc}\n")
            return EXIT_USAGE
        finally:
            args.loader.wait()

    return handler


aqi = _run(_aqi)
daily = _run(_daily)
annual = _run(_annual)
