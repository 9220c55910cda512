"""`envplan water …`: sections import, sample import, evaluation; classify/assess go to the pure CLI.

    envplan water sections import FILE.csv
    envplan water import FILE.csv
    envplan water evaluate [--period YYYY[-MM]]
    envplan water classify|assess …   (envplan.standards.water_cli)

Bad input prints `FILE, line N, FIELD: message` lines to stderr (the first 1,000, then a line counting
the others) and exits 2; nothing is stored from a rejected file.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from envplan.core.commandline import RaisingParser as _Parser
from envplan.core.commandline import parse
from envplan.standards import water_cli

PURE = ("classify", "assess")


def _parser() -> _Parser:
    parser = _Parser(
        prog="envplan water", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    monitoring_sections = sub.add_parser("sections", help="monitoring-section registry")
    monitoring_sections_sub = monitoring_sections.add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    monitoring_sections_import = monitoring_sections_sub.add_parser(
        "import", help="create or update sections from a CSV"
    )
    monitoring_sections_import.add_argument("file")
    samples = sub.add_parser("import", help="import monitoring results into the lake (all or nothing)")
    samples.add_argument("file")
    evaluate = sub.add_parser("evaluate", help="monthly and year-to-date results of the sections")
    evaluate.add_argument("--period", help="YYYY or YYYY-MM (default: this year so far)")
    sub.add_parser("classify", help="classify samples of a CSV (no database)", add_help=False)
    sub.add_parser("assess", help="assess sections of a CSV for a period (no database)", add_help=False)
    return parser


def _issue(issue: dict[str, Any]) -> str:
    return f"{issue['file']}, line {issue['line']}, {issue['field']}: {issue['message']}"


def main(
    argv: list[str],
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if argv and argv[0] in PURE:
        return water_cli.main(argv, stdout=out, stderr=err, stdin=stdin)
    args = parse(_parser(), argv, err)
    if isinstance(args, int):
        return args
    from envplan.core import clock
    from envplan.water import services

    try:
        if args.command == "sections":
            monitoring_sections = services.import_monitoring_sections(args.file, by=None)
            print(f"{len(monitoring_sections)} monitoring sections created or updated", file=out)
            return 0
        if args.command == "import":
            record = services.import_samples(args.file, by=None)
            for line in record.problems.lines(_issue, "error", "errors"):
                print(line, file=err)
            if record.error_count:
                print(f"{record.file_name}: rejected, {record.error_count} errors, nothing stored", file=err)
                return 2
            print(f"{record.file_name}: stored, {record.rows} rows, {record.rows_new} new", file=out)
            return 0
        counts = services.evaluate_water(args.period, today=clock.today())
        print(
            f"{counts['sections']} sections, {counts['months']} months, {counts['rows']} results stored",
            file=out,
        )
        return 0
    except services.WaterError as error:
        print(error, file=err)
        return 2
