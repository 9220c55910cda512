"""`envplan emergency`: the warning level of a forecast (pure); alerts, CAP feeds, the emergency reduction
list and compliance during an alert (Django)."""

from __future__ import annotations

import argparse

from envplan.commandline import Group

NAME = "emergency"
HELP = "heavy-pollution weather: warning levels, alerts, CAP feeds, reduction lists, compliance"

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

    handlers = "envplan.emergency.command"
    alerts = group.command(
        "alerts", f"{handlers}:alerts", django=True, help="alerts in force (all with --all)"
    )
    alerts.add_argument("--all", action="store_true")
    export = group.command(
        "cap-export", f"{handlers}:cap_export", django=True, help="the CAP 1.2 Atom feed of the alerts"
    )
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.add_argument("--base-url", default="http://localhost", help="address the feed is published at")
    cap_import = group.command(
        "cap-import",
        f"{handlers}:cap_import",
        django=True,
        help="store a neighbour's CAP messages from a file",
    )
    cap_import.add_argument("file")
    cap_import.add_argument("--source", type=int, help="the neighbour feed (id) the file comes from")
    group.command(
        "cap-fetch", f"{handlers}:cap_fetch", django=True, help="read every active neighbour feed once"
    )
    lists = group.group("list", help="the emergency reduction list as Excel")
    list_export = lists.command(
        "export", f"{handlers}:list_export", django=True, help="write a list as Excel"
    )
    list_export.add_argument("--list", type=int, required=True, dest="list_id")
    list_export.add_argument("-o", "--output", required=True)
    list_import = lists.command(
        "import",
        f"{handlers}:list_import",
        django=True,
        help="read a list from Excel (exit 1 when a row is refused: nothing stored)",
    )
    list_import.add_argument("file")
    list_import.add_argument("--list", type=int, dest="list_id", help="a draft list to replace")
    list_import.add_argument("--new", help="title of a new draft list")
    list_import.add_argument("--year", type=int, help="year of revision of the new list")
    check = group.command(
        "compliance",
        f"{handlers}:compliance",
        django=True,
        help="findings of the listed enterprises during an alert (exit 1 when there are findings)",
    )
    check.add_argument("alert", type=int)
    check.add_argument("--format", choices=["csv", "json"], default="csv")
    check.add_argument("-o", "--output")
