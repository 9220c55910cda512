"""``envplan screening scan``: screen readings for signs of manipulated automatic-monitoring data. The
handler; its arguments are declared in ``envplan/commands/screening.py``, its help's epilog is ``LAYOUTS``.

Pure: starts no Django. Prints one JSON object per finding, highest score first. Exit code 0 when
nothing was found, 1 when there are findings, 2 for bad input or usage (one line on stderr naming the
file, line and field; nothing on stdout).
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

import polars as pl

from envplan.commandline import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Streams, UsageError, progress_bar
from envplan.screening.grid import GridError
from envplan.screening.options import DETECTORS, ScanOptions
from envplan.screening.readers import InputError, read_limits, read_maintenance, read_outlets, read_readings
from envplan.screening.scan import scan

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


def _options(args: argparse.Namespace) -> ScanOptions:
    detectors = DETECTORS
    if args.detectors:
        detectors = tuple(name.strip() for name in args.detectors.split(",") if name.strip())
        unknown = [name for name in detectors if name not in DETECTORS]
        if unknown:
            raise UsageError(f"envplan screening scan: error: --detectors: unknown {', '.join(unknown)}")
    loads = frozenset(args.load_factor) if args.load_factor else frozenset({"load"})
    if not 0.0 <= args.min_score <= 1.0:
        raise UsageError("envplan screening scan: error: --min-score must be between 0 and 1")
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


def scan_command(args: argparse.Namespace, streams: Streams) -> int:
    """Run ``envplan screening scan …``; returns the exit code."""
    options = _options(args)
    err = streams.stderr
    try:
        source, name = _source(args.readings, streams.stdin)
        readings = read_readings(source, name=name)
        limits = read_limits(args.limits) if args.limits else None
        history = read_readings(args.history) if args.history else None
        maintenance = read_maintenance(args.maintenance) if args.maintenance else None
        outlets = read_outlets(args.outlets) if args.outlets else None
        if args.engine == "spark":
            findings = _on_spark(args, readings, limits, history, maintenance, outlets, options)
        else:
            with progress_bar(streams, "screening scan", unit="step") as progress:
                findings = scan(
                    readings,
                    limits=limits,
                    history=history,
                    maintenance=maintenance,
                    outlets=outlets,
                    options=options,
                    progress=progress,
                )
    except InputError as error:
        err.write(f"envplan screening scan: {error}\n")
        return EXIT_USAGE
    except GridError as error:
        err.write(f"envplan screening scan: {args.readings}: {error}\n")
        return EXIT_USAGE
    shown = findings.filter(pl.col("score") >= args.min_score)
    for row in shown.iter_rows(named=True):
        streams.stdout.write(_line(row) + "\n")
    return EXIT_FINDINGS if shown.height else EXIT_OK
