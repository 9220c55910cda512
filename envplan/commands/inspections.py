"""`envplan inspections`: the verifiable random draw of inspection targets and teams (pure)."""

from __future__ import annotations

import argparse

from envplan.commandline import Group, json_option

NAME = "inspections"
HELP = "verifiable random inspections: draw targets and teams, verify a published draw"


def _seed(parser: argparse.ArgumentParser) -> None:
    seed = parser.add_mutually_exclusive_group(required=True)
    seed.add_argument("--seed", help="the seed, hexadecimal, at least 32 digits (16 bytes)")
    seed.add_argument("--seed-file", help="a file holding the seed (keeps it off the command line)")


def add_commands(group: Group) -> None:
    drawing = group.command(
        "draw",
        "envplan.draw.cli:draw_command",
        help="draw targets (and inspector teams) from a pool, verifiably (JSON out)",
    )
    drawing.add_argument("pool", help="CSV with an id column (UTF-8)")
    count = drawing.add_mutually_exclusive_group(required=True)
    count.add_argument("--count", type=int, help="ids in all; with --strata, split in proportion")
    count.add_argument("--per-stratum", type=int, help="ids from each stratum (all of a smaller one)")
    _seed(drawing)
    drawing.add_argument("--strata", help="the pool's column naming each id's stratum")
    drawing.add_argument("--inspectors", help="CSV: id, qualifications, recused_from, recently_inspected")
    drawing.add_argument("--team-size", type=int, default=2, help="inspectors per target (default 2)")
    drawing.add_argument("--require", action="append", default=[], help="qualification every member holds")
    drawing.add_argument("--max-targets", type=int, help="most targets one inspector takes in this draw")

    verifying = group.command(
        "verify",
        "envplan.draw.cli:verify_command",
        help="make a published draw again and compare; exit 1 when it is not reproduced",
    )
    verifying.add_argument("pool", help="the pool CSV the draw was made from")
    verifying.add_argument("draw", help="the published draw (JSON printed by draw)")
    _seed(verifying)
    verifying.add_argument("--inspectors", help="the inspector roster, when the draw has teams")
    json_option(verifying, "verdict")

    handler = "envplan.inspections.command:run"
    pool = group.group("pool", help="the pool of a year's register or of a draw")
    pool_export = pool.command("export", handler, django=True, help="write the pool as CSV")
    pool_export.set_defaults(command="pool", action="export")
    pool_export.add_argument("--year", type=int, help="the register's year (default: this year)")
    pool_export.add_argument("--draw", type=int, help="a committed draw's frozen pool instead")
    pool_export.add_argument("-o", "--output", help="file to write (default: standard output)")
    roster = group.group("roster", help="a committed draw's inspector roster")
    roster_export = roster.command("export", handler, django=True, help="write the roster as CSV")
    roster_export.set_defaults(command="roster", action="export")
    roster_export.add_argument("--draw", type=int, required=True)
    roster_export.add_argument("-o", "--output")
    published = group.command(
        "published", handler, django=True, help="a revealed draw as the JSON `draw` prints"
    )
    published.set_defaults(command="published", action="")
    published.add_argument("--draw", type=int, required=True)
    published.add_argument("-o", "--output")
    rectifications = group.group("rectifications", help="the rectification ledger in Excel")
    importing = rectifications.command(
        "import",
        handler,
        django=True,
        help="register tasks from a ledger (exit 1 when a row is refused: nothing stored)",
    )
    importing.set_defaults(command="rectifications", action="import")
    importing.add_argument("file")
    importing.add_argument("--round", required=True, help="the inspection round the tasks come from")
    importing.add_argument("--feedback-date", help="the day the feedback was received (YYYY-MM-DD)")
    exporting = rectifications.command("export", handler, django=True, help="write the ledger")
    exporting.set_defaults(command="rectifications", action="export")
    exporting.add_argument("-o", "--output", required=True)
