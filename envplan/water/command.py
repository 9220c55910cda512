"""`envplan water sections import | import | evaluate`: the handlers that need Django (arguments in
`envplan/commands/water.py`; `classify` and `assess` are the pure `envplan.standards.water_cli`).

Bad input prints `FILE, line N, FIELD: message` lines to stderr (the first 1,000, then a line counting
the others) and exits 2; nothing is stored from a rejected file.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from envplan.commandline import Streams, run_file_import, run_registry_import, run_service

if TYPE_CHECKING:
    from envplan.water.models import WaterImport


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


def _samples_line(record: WaterImport) -> str:
    """The line a person reads of a sample import: stored whole, or rejected whole."""
    if record.error_count:
        return f"{record.file_name}: rejected, {record.error_count} errors, nothing stored"
    return f"{record.file_name}: stored, {record.rows} rows, {record.rows_new} new"


def import_samples(args: argparse.Namespace, streams: Streams) -> int:
    from envplan.water import services

    # A rejected file stores nothing: exit 2.
    return run_file_import(
        args,
        streams,
        lambda progress: services.import_samples(args.file, by=None, progress=progress),
        services.WaterError,
        label="water import",
        line=_samples_line,
        failed=lambda record: bool(record.error_count),
        more=lambda record: {"new": record.rows_new},
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
