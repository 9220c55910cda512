"""`envplan air stations import | import | evaluate`: the handlers that need Django (arguments in
`envplan/commands/air.py`; `aqi`, `daily` and `annual` are the pure `envplan.standards.air_cli`).

`air import` prints row errors to stderr (the first 1,000, then a line counting the others) and exits 0
when every row was stored, 1 when some were, 2 when none were.
"""

from __future__ import annotations

import argparse
import datetime as dt

from envplan.commandline import EXIT_USAGE, Streams, run_file_import, run_registry_import, run_service


def import_stations(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.air import services

    return run_registry_import(
        args, streams, services.import_stations, services.AirError, key="stations", objects="stations"
    )


def import_hourly(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.air import services

    return run_file_import(
        args,
        streams,
        lambda progress: services.import_hourly(
            args.file, by=None, strict=args.strict, fmt=args.format, progress=progress
        ),
        services.AirError,
        label="air import",
        line=lambda record: (
            f"{record.file_name}: {record.status}, {record.rows} rows stored, {record.error_count} errors"
        ),
    )


def evaluate(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.air import services

    days = None
    if args.date:
        try:
            days = [dt.date.fromisoformat(text) for text in args.date]
        except ValueError as error:
            print(f"envplan air evaluate: --date: {error}", file=streams.stderr)
            return EXIT_USAGE
    return run_service(
        streams,
        lambda: services.evaluate_days(days),
        services.AirError,
        as_json=args.json,
        text=lambda counts: f"{counts['days']} days, {counts['station_days']} station-days evaluated",
    )
