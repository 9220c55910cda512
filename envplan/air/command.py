"""`envplan air …`: stations import, hourly import, daily evaluation; aqi/daily/annual go to the pure CLI.

`air import` prints row errors to stderr (the first 1,000, then a line counting the others) and exits 0
when every row was stored, 1 when some were, 2 when none were.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any, TextIO

from envplan.core.commandline import RaisingParser as _Parser
from envplan.core.commandline import parse
from envplan.standards import air_cli

PURE = ("aqi", "daily", "annual")


def _parser() -> _Parser:
    parser = _Parser(prog="envplan air", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    stations = sub.add_parser("stations", help="station registry")
    stations_sub = stations.add_subparsers(dest="action", required=True, parser_class=_Parser)
    stations_import = stations_sub.add_parser("import", help="create or update stations from a CSV")
    stations_import.add_argument("file")
    hourly = sub.add_parser("import", help="import hourly values into the lake")
    hourly.add_argument("file")
    hourly.add_argument("--format", choices=["csv", "cnemc"], default="csv")
    hourly.add_argument("--strict", action="store_true", help="reject the whole file on any error")
    evaluate = sub.add_parser("evaluate", help="daily statistics and daily AQI of new days")
    evaluate.add_argument("--date", action="append", help="evaluate this day (YYYY-MM-DD; repeatable)")
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
        return air_cli.main(argv, stdout=out, stderr=err, stdin=stdin)
    args = parse(_parser(), argv, err)
    if isinstance(args, int):
        return args
    from envplan.air import services

    try:
        if args.command == "stations":
            stations = services.import_stations(args.file, by=None)
            print(f"{len(stations)} stations created or updated", file=out)
            return 0
        if args.command == "import":
            record = services.import_hourly(args.file, by=None, strict=args.strict, fmt=args.format)
            for line in record.problems.lines(_issue, "error", "errors"):
                print(line, file=err)
            summary = f"{record.status}, {record.rows} rows stored, {record.error_count} errors"
            print(f"{record.file_name}: {summary}", file=out)
            return 0 if not record.error_count else 1 if record.rows else 2
        days = None
        if args.date:
            try:
                days = [dt.date.fromisoformat(text) for text in args.date]
            except ValueError as error:
                print(f"envplan air evaluate: --date: {error}", file=err)
                return 2
        counts = services.evaluate_days(days)
        print(f"{counts['days']} days, {counts['station_days']} station-days evaluated", file=out)
        return 0
    except services.AirError as error:
        print(error, file=err)
        return 2
