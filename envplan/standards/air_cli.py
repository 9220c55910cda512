"""`envplan air …` commands: `aqi`, `daily`, `annual` (pure; no Django).

Exit codes: 0 success; 1 some rows had errors (reported on stderr, skipped); 2 unusable input or usage
(with `--strict`, any row error makes the file unusable and nothing is written). Row errors are printed
up to the first 1,000, then one line counts the others.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

import polars as pl

from envplan.standards.air import kernel
from envplan.standards.air.aqi import IAQI_COLUMNS, MissingPolicy, RealtimeRule, with_aqi
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


class UsageError(Exception):
    """Bad command line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # raise instead of sys.exit
        raise UsageError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="envplan air", description="Air quality: AQI, daily statistics, annual evaluation.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    aqi = sub.add_parser("aqi", help="IAQI/AQI per row of a real-time or daily file")
    aqi.add_argument("file", help="CSV file, '-' for standard input")
    aqi.add_argument("--kind", choices=["realtime", "daily"], required=True)
    aqi.add_argument("--edition", choices=["auto", "HJ633-2012", "HJ633-2026"], default="auto")
    aqi.add_argument("--realtime-rule", choices=[r.value for r in RealtimeRule], default="practice")
    aqi.add_argument("--missing", choices=[m.value for m in MissingPolicy], default="available")
    aqi.add_argument("--strict", action="store_true", help="reject the whole file on any row error")
    daily = sub.add_parser("daily", help="daily statistics and daily AQI from hourly values")
    daily.add_argument("file")
    daily.add_argument("--format", choices=["csv", "json"], default="csv")
    daily.add_argument("--strict", action="store_true")
    _engine_options(daily)
    annual = sub.add_parser("annual", help="HJ 663 annual evaluation per station and city")
    annual.add_argument("file")
    annual.add_argument("--year", type=int, required=True)
    annual.add_argument("--format", choices=["csv", "json"], default="csv")
    annual.add_argument("--strict", action="store_true")
    _engine_options(annual)
    return parser


def _engine_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--engine",
        choices=["local", "spark"],
        default="local",
        help="where the evaluation runs: here, or on Apache Spark per station and year (pip install "
        "'envplan[spark]', Java 17); both give the same rows",
    )
    command.add_argument("--spark-master", default="local[2]", help="Spark's master URL (default local[2])")


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
    loader.wait()
    return validated.rows(), validated.error_count > 0


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
    return 1 if had_errors else 0


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
    return 1 if had_errors else 0


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
    return 1 if had_errors else 0


_COMMANDS = {"aqi": _aqi, "daily": _daily, "annual": _annual}


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run one `air` sub-command; returns the exit code (never raises on bad input)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    inp = stdin if stdin is not None else sys.stdin
    parser = _parser()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        err.write(f"{exc}\n")
        return 2
    except SystemExit as exc:  # --help
        return 0 if exc.code in (0, None) else 2
    # The kernel loads while the input is read and checked; the command waits for it on every path.
    args.loader = kernel.Loading()
    try:
        return _COMMANDS[args.command](args, out, err, inp)
    except _InputError as exc:
        err.write(f"error: {exc}\n")
        return 2
    finally:
        args.loader.wait()


if __name__ == "__main__":
    raise SystemExit(main())
