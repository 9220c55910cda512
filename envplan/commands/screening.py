"""`envplan screening`: screen readings for signs of manipulated automatic-monitoring data (pure)."""

from __future__ import annotations

import argparse

from envplan.commandline import Group, engine_options

NAME = "screening"
HELP = "screening of automatic-monitoring data for signs of manipulation"

# envplan.screening.options.DETECTORS, written out so that building the command line imports no Polars
# (tests/commands pins it).
DETECTORS = (
    "flat_line",
    "variance_collapse",
    "variance_collapse_peers",
    "replay",
    "limit_hugging",
    "level_shift",
    "oxygen_dilution",
    "conversion_mismatch",
    "mass_balance",
    "stopped_running",
    "flag_on_exceedance",
    "flag_share",
    "maintenance_without_record",
    "marks_timing",
    "last_digit",
    "benford",
)


def add_commands(group: Group) -> None:
    command = group.command(
        "scan",
        "envplan.screening.cli:scan_command",
        help="screen readings for suspicious data (JSON lines out); exit 1 when something was found",
        description="Screen readings for signs of manipulated data (held values, collapsed variance, "
        "replayed segments, bunching under the limit, level shifts, dilution, flag misuse, ...).",
        epilog_from="envplan.screening.cli:LAYOUTS",
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    engine_options(command, where="per outlet, learning what is usual and the peers once for all")
