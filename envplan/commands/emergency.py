"""`envplan emergency`: heavy-pollution weather warnings (pure)."""

from __future__ import annotations

import argparse

from envplan.commandline import Group

NAME = "emergency"
HELP = "heavy-pollution weather warnings: the level a forecast calls for"

# envplan.standards.emergency.rules' NATIONAL_EDITIONS and GUIDANCE_2024_EFFECTIVE, written out so that
# building the command line imports no rules (tests/commands pins them).
EDITIONS = ("2018", "2024")
GUIDANCE_2024_EFFECTIVE = "2024-03-12"


def add_commands(group: Group) -> None:
    summary = "the warning level a forecast of daily AQI calls for, and the days it covers (JSON out)"
    assess = group.command(
        "assess",
        "envplan.standards.emergency.cli:assess_command",
        help=summary,
        epilog_from="envplan.standards.emergency.regional:FORMAT",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    assess.add_argument("file", help="CSV with columns date,aqi (UTF-8); - for standard input")
    assess.add_argument(
        "--rules",
        choices=("auto", *EDITIONS),
        default="auto",
        help=f"national edition; auto: 2024 for forecasts from {GUIDANCE_2024_EFFECTIVE}, else 2018",
    )
    assess.add_argument("--rules-file", help="regional triggers added to the edition (.toml or .json)")
