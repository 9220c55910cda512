"""`envplan water sections import | import | evaluate`: the handlers that need Django (arguments in
`envplan/commands/water.py`; `classify` and `assess` are the pure `envplan.standards.water_cli`).

Bad input prints `FILE, line N, FIELD: message` lines to stderr (the first 1,000, then a line counting
the others) and exits 2; nothing is stored from a rejected file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from envplan.commandline import EXIT_OK, EXIT_USAGE, Streams, import_summary, json_line, progress_bar


def _issue(issue: dict[str, Any]) -> str:
    return f"{issue['file']}, line {issue['line']}, {issue['field']}: {issue['message']}"


def import_sections(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.water import services

    try:
        monitoring_sections = services.import_monitoring_sections(args.file, by=None)
    except services.WaterError as error:
        print(error, file=streams.stderr)
        return EXIT_USAGE
    if args.json:
        streams.stdout.write(json_line({"file": args.file, "sections": len(monitoring_sections)}))
    else:
        print(f"{len(monitoring_sections)} monitoring sections created or updated", file=streams.stdout)
    return EXIT_OK


def import_samples(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.water import services

    try:
        with progress_bar(streams, f"water import {Path(args.file).name}", unit="step") as progress:
            record = services.import_samples(args.file, by=None, progress=progress)
    except services.WaterError as error:
        print(error, file=streams.stderr)
        return EXIT_USAGE
    code = EXIT_USAGE if record.error_count else EXIT_OK
    if args.json:
        summary = import_summary(
            file=record.file_name,
            status=record.status,
            rows=record.rows,
            new=record.rows_new,
            problems=record.problems,
            total=record.problems.total,
        )
        streams.stdout.write(json_line(summary))
        return code
    for line in record.problems.lines(_issue, "error", "errors"):
        print(line, file=streams.stderr)
    if record.error_count:
        print(
            f"{record.file_name}: rejected, {record.error_count} errors, nothing stored", file=streams.stderr
        )
        return code
    print(f"{record.file_name}: stored, {record.rows} rows, {record.rows_new} new", file=streams.stdout)
    return code


def evaluate(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.core import clock
    from envplan.water import services

    try:
        counts = services.evaluate_water(args.period, today=clock.today())
    except services.WaterError as error:
        print(error, file=streams.stderr)
        return EXIT_USAGE
    if args.json:
        streams.stdout.write(json_line(counts))
    else:
        print(
            f"{counts['sections']} sections, {counts['months']} months, {counts['rows']} results stored",
            file=streams.stdout,
        )
    return EXIT_OK
