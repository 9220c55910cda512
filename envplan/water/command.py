"""`envplan water sections import | import | evaluate`: the handlers that need Django (arguments in
`envplan/commands/water.py`; `classify` and `assess` are the pure `envplan.standards.water_cli`).

Bad input prints `FILE, line N, FIELD: message` lines to stderr (the first 1,000, then a line counting
the others) and exits 2; nothing is stored from a rejected file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from envplan.commandline import (
    Streams,
    progress_bar,
    refused,
    report_import,
    run_registry_import,
    run_service,
)


def import_sections(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.water import services

    return run_registry_import(
        args,
        streams,
        services.import_monitoring_sections,
        services.WaterError,
        key="sections",
        objects="monitoring sections",
    )


def import_samples(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.water import services

    try:
        with progress_bar(streams, f"water import {Path(args.file).name}", unit="step") as progress:
            record = services.import_samples(args.file, by=None, progress=progress)
    except services.WaterError as error:
        return refused(streams, error)
    if record.error_count:
        line = f"{record.file_name}: rejected, {record.error_count} errors, nothing stored"
    else:
        line = f"{record.file_name}: stored, {record.rows} rows, {record.rows_new} new"
    # A rejected file stores nothing: exit 2.
    return report_import(
        streams, record, as_json=args.json, line=line, failed=bool(record.error_count), new=record.rows_new
    )


def evaluate(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.core import clock
    from envplan.water import services

    return run_service(
        streams,
        lambda: services.evaluate_water(args.period, today=clock.today()),
        services.WaterError,
        as_json=args.json,
        text=lambda counts: (
            f"{counts['sections']} sections, {counts['months']} months, {counts['rows']} results stored"
        ),
    )
