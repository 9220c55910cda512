"""`envplan air stations import | import | evaluate`: the handlers that need Django (arguments in
`envplan/commands/air.py`; `aqi`, `daily` and `annual` are the pure `envplan.standards.air_cli`).

`air import` prints row errors to stderr (the first 1,000, then a line counting the others) and exits 0
when every row was stored, 1 when some were, 2 when none were.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from envplan.commandline import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    Streams,
    import_summary,
    json_line,
    progress_bar,
)


def _issue(issue: dict[str, Any]) -> str:
    return f"{issue['file']}, line {issue['line']}, {issue['field']}: {issue['message']}"


def import_stations(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.air import services

    try:
        stations = services.import_stations(args.file, by=None)
    except services.AirError as error:
        print(error, file=streams.stderr)
        return EXIT_USAGE
    if args.json:
        streams.stdout.write(json_line({"file": args.file, "stations": len(stations)}))
    else:
        print(f"{len(stations)} stations created or updated", file=streams.stdout)
    return EXIT_OK


def import_hourly(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.air import services

    try:
        with progress_bar(streams, f"air import {Path(args.file).name}", unit="step") as progress:
            record = services.import_hourly(
                args.file, by=None, strict=args.strict, fmt=args.format, progress=progress
            )
    except services.AirError as error:
        print(error, file=streams.stderr)
        return EXIT_USAGE
    code = EXIT_OK if not record.error_count else EXIT_FINDINGS if record.rows else EXIT_USAGE
    if args.json:
        summary = import_summary(
            file=record.file_name,
            status=record.status,
            rows=record.rows,
            problems=record.problems,
            total=record.problems.total,
        )
        streams.stdout.write(json_line(summary))
        return code
    for line in record.problems.lines(_issue, "error", "errors"):
        print(line, file=streams.stderr)
    summary_line = f"{record.status}, {record.rows} rows stored, {record.error_count} errors"
    print(f"{record.file_name}: {summary_line}", file=streams.stdout)
    return code


def evaluate(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.air import services

    days = None
    if args.date:
        try:
            days = [dt.date.fromisoformat(text) for text in args.date]
        except ValueError as error:
            print(f"envplan air evaluate: --date: {error}", file=streams.stderr)
            return EXIT_USAGE
    try:
        counts = services.evaluate_days(days)
    except services.AirError as error:
        print(error, file=streams.stderr)
        return EXIT_USAGE
    if args.json:
        streams.stdout.write(json_line(counts))
    else:
        print(f"{counts['days']} days, {counts['station_days']} station-days evaluated", file=streams.stdout)
    return EXIT_OK
