"""``envplan screening scan``: screen readings for signs of manipulated automatic-monitoring data.

Pure: starts no Django. Prints one JSON object per finding, highest score first. Exit code 0 when
nothing was found, 1 when there are findings, 2 for bad input or usage (one line on stderr naming the
file, line and field; nothing on stdout).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, NoReturn, TextIO

import polars as pl

from envplan.screening.grid import GridError
from envplan.screening.options import DETECTORS, ScanOptions
from envplan.screening.readers import InputError, read_limits, read_maintenance, read_outlets, read_readings
from envplan.screening.scan import scan

EXIT_CLEAN, EXIT_FOUND, EXIT_BAD_INPUT = 0, 1, 2
OUTPUT_FIELDS = ("mn", "factor", "start", "end", "detector", "score", "explanation")

LAYOUTS = """\
input files (CSV, UTF-8, a header line; columns in any order, names case-insensitive):

  READINGS.csv and --history H.csv: the layout of `envplan readings export`
    mn,kind,time,factor,field,value,flag
    mn      data-logger id (one outlet)
    kind    realtime, minute, hourly or daily
    time    HJ 212 DataTime, ISO 8601 such as 2025-10-06T10:00:00+08:00
            (without an offset: China Standard Time)
    factor  factor code as sent: a21002 NOx, a21026 SO2, a34013 particulate,
            a19001 O2, a00000 flue-gas flow, a01012 flue-gas temperature,
            w01018 COD, w21003 NH3-N, w00000 water flow, ...
    field   Avg (measured), ZsAvg (converted to the reference O2), Cou
            (amount), Rtd; RS for a facility state (factor SBxxx)
    value   a number
    flag    HJ 212-2017 data flag: N, F, M, S, D, C, T or B (empty: N)
  The history holds earlier readings of the same outlets (and others): what
  is usual for each channel is learnt from it instead of from READINGS.

  --limits LIMITS.csv
    mn,factor,field,limit,reference_o2
    limit         the value of (mn, factor, field) must stay at or below it
    reference_o2  optional, percent: the reference O2 of the factor's
                  converted values (e.g. 6 for coal boilers, 15 for gas
                  turbines); a row may give it without a limit

  --maintenance M.csv
    mn,factor,start,end      maintenance records (empty factor: all factors);
                             start and end as in `time`, both included

  --outlets O.csv
    mn,industry              for the comparison with outlets of the same industry

output: one JSON object per line, highest score first:
  {"mn", "factor", "start", "end", "detector", "score", "explanation"}
exit code: 0 nothing found, 1 findings, 2 bad input (one line on stderr)
"""


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, out: TextIO, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._out = out

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: error: {message}")

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            self._out.write(message)


def _parser(out: TextIO) -> _Parser:
    parser = _Parser(prog="envplan screening", description="Screening of automatic-monitoring data.", out=out)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    command = commands.add_parser(
        "scan",
        help="screen readings for suspicious data",
        description="Screen readings for signs of manipulated data (held values, collapsed variance, "
        "replayed segments, bunching under the limit, level shifts, dilution, flag misuse, ...).",
        epilog=LAYOUTS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        out=out,
    )
    command.add_argument("readings", metavar="READINGS.csv", help="readings to screen; - for standard input")
    command.add_argument("--limits", metavar="LIMITS.csv", help="limits and reference O2 per outlet")
    command.add_argument("--history", metavar="H.csv", help="earlier readings: what is usual per channel")
    command.add_argument("--maintenance", metavar="M.csv", help="maintenance records")
    command.add_argument("--outlets", metavar="O.csv", help="industry of each outlet, for peers")
    command.add_argument(
        "--load-factor",
        action="append",
        metavar="CODE",
        help="factor code of the production load (repeatable; default: load)",
    )
    command.add_argument(
        "--detectors", metavar="NAMES", help=f"comma-separated subset of: {', '.join(DETECTORS)}"
    )
    command.add_argument(
        "--min-score", type=float, default=0.0, metavar="S", help="print findings scoring at least S"
    )
    command.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="where to screen: here, or on Apache Spark per outlet (pip install 'envplan[spark]', Java 17); "
        "Spark learns what is usual and the peers once for all outlets, as envplan.engines does",
    )
    command.add_argument("--spark-master", default="local[2]", help="Spark's master URL")
    return parser


def _options(args: argparse.Namespace) -> ScanOptions:
    detectors = DETECTORS
    if args.detectors:
        detectors = tuple(name.strip() for name in args.detectors.split(",") if name.strip())
        unknown = [name for name in detectors if name not in DETECTORS]
        if unknown:
            raise _UsageError(f"envplan screening scan: error: --detectors: unknown {', '.join(unknown)}")
    loads = frozenset(args.load_factor) if args.load_factor else frozenset({"load"})
    if not 0.0 <= args.min_score <= 1.0:
        raise _UsageError("envplan screening scan: error: --min-score must be between 0 and 1")
    return ScanOptions(detectors=detectors, load_factors=loads)


def _source(path: str, stdin: TextIO) -> tuple[str | bytes, str]:
    if path == "-":
        return stdin.read().encode("utf-8"), "<stdin>"
    return path, path


def _line(row: dict[str, Any]) -> str:
    document = {
        "mn": row["mn"],
        "factor": row["factor"],
        "start": row["start"].isoformat(),
        "end": row["end"].isoformat(),
        "detector": row["detector"],
        "score": round(float(row["score"]), 3),
        "explanation": row["explanation"],
    }
    return json.dumps(document, ensure_ascii=False)


def _on_spark(
    args: argparse.Namespace,
    readings: pl.DataFrame,
    limits: pl.DataFrame | None,
    history: pl.DataFrame | None,
    maintenance: pl.DataFrame | None,
    outlets: pl.DataFrame | None,
    options: ScanOptions,
) -> pl.DataFrame:
    from envplan.engines import EngineError, get_engine  # only where it is used: it loads PySpark

    try:
        engine = get_engine("spark", master=args.spark_master)
    except EngineError as error:
        raise InputError("--engine", None, None, str(error)) from None
    try:
        return engine.screen(
            readings,
            limits=limits,
            history=history,
            outlets=outlets,
            maintenance=maintenance,
            options=options,
        )
    finally:
        engine.stop()


def main(
    argv: list[str],
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run ``envplan screening scan …``; returns the exit code."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    inp = stdin if stdin is not None else sys.stdin
    try:
        args = _parser(out).parse_args(argv)
        options = _options(args)
    except _UsageError as error:
        err.write(f"{error}\n")
        return EXIT_BAD_INPUT
    except SystemExit as exit_:  # --help: argparse has printed it
        return exit_.code if isinstance(exit_.code, int) else EXIT_CLEAN
    try:
        source, name = _source(args.readings, inp)
        readings = read_readings(source, name=name)
        limits = read_limits(args.limits) if args.limits else None
        history = read_readings(args.history) if args.history else None
        maintenance = read_maintenance(args.maintenance) if args.maintenance else None
        outlets = read_outlets(args.outlets) if args.outlets else None
        if args.engine == "spark":
            findings = _on_spark(args, readings, limits, history, maintenance, outlets, options)
        else:
            findings = scan(
                readings,
                limits=limits,
                history=history,
                maintenance=maintenance,
                outlets=outlets,
                options=options,
            )
    except InputError as error:
        err.write(f"envplan screening scan: {error}\n")
        return EXIT_BAD_INPUT
    except GridError as error:
        err.write(f"envplan screening scan: {args.readings}: {error}\n")
        return EXIT_BAD_INPUT
    shown = findings.filter(pl.col("score") >= args.min_score)
    for row in shown.iter_rows(named=True):
        out.write(_line(row) + "\n")
    return EXIT_FOUND if shown.height else EXIT_CLEAN
