"""`envplan inspections …`: the registers' pool and a draw's files out, the rectification ledger in and
out; `draw` and `verify` go to the pure command (envplan.draw.cli), which needs no database.

`pool export [--year Y] [--draw ID] [-o FILE]`
    without --draw, the year's register as a pool CSV with each object's stratum (for
    `envplan inspections draw POOL.csv --strata stratum …`); with --draw, the frozen pool of that draw.
`roster export --draw ID [-o FILE]`, `published --draw ID [-o FILE]`
    a committed draw's roster, and a revealed draw's JSON: with the pool and the seed, what
    `envplan inspections verify POOL.csv DRAW.json --seed HEX --inspectors ROSTER.csv` checks.
`rectifications import FILE --round NAME [--feedback-date YYYY-MM-DD]`, `rectifications export [-o FILE]`
    the rectification ledger in Excel. An import with any bad row stores nothing and prints every
    problem (sheet, row, column).

Exit codes: 0 done; 1 the file was refused for its rows; 2 bad usage or input (no such draw, a file that
cannot be read).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from envplan.core.commandline import RaisingParser as _Parser
from envplan.core.commandline import parse
from envplan.draw import cli as pure_cli

PURE = ("draw", "verify")


def _parser() -> _Parser:
    parser = _Parser(prog="envplan inspections", description="Random inspections and rectifications.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    pool = sub.add_parser("pool", help="the pool of a year's register or of a draw")
    pool_sub = pool.add_subparsers(dest="action", required=True, parser_class=_Parser)
    pool_export = pool_sub.add_parser("export", help="write the pool as CSV")
    pool_export.add_argument("--year", type=int, help="the register's year (default: this year)")
    pool_export.add_argument("--draw", type=int, help="a committed draw's frozen pool instead")
    pool_export.add_argument("-o", "--output", help="file to write (default: standard output)")
    roster = sub.add_parser("roster", help="a committed draw's inspector roster")
    roster_sub = roster.add_subparsers(dest="action", required=True, parser_class=_Parser)
    roster_export = roster_sub.add_parser("export", help="write the roster as CSV")
    roster_export.add_argument("--draw", type=int, required=True)
    roster_export.add_argument("-o", "--output")
    published = sub.add_parser("published", help="a revealed draw as the JSON `draw` prints")
    published.add_argument("--draw", type=int, required=True)
    published.add_argument("-o", "--output")
    rect = sub.add_parser("rectifications", help="the rectification ledger in Excel")
    rect_sub = rect.add_subparsers(dest="action", required=True, parser_class=_Parser)
    rect_import = rect_sub.add_parser("import", help="register tasks from a ledger")
    rect_import.add_argument("file")
    rect_import.add_argument("--round", required=True, help="the inspection round the tasks come from")
    rect_import.add_argument("--feedback-date", help="the day the feedback was received (YYYY-MM-DD)")
    rect_export = rect_sub.add_parser("export", help="write the ledger")
    rect_export.add_argument("-o", "--output", required=True)
    return parser


def _write(content: bytes, output: str | None, out: TextIO) -> None:
    if output:
        Path(output).write_bytes(content)
    else:
        out.write(content.decode("utf-8"))


def main(
    argv: list[str],
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if argv and argv[0] in PURE:
        return pure_cli.main(argv, stdout=out, stderr=err, stdin=stdin)
    args = parse(_parser(), argv, err)
    if isinstance(args, int):
        return args
    from envplan.core import clock
    from envplan.inspections.errors import InspectionError
    from envplan.inspections.models import Draw, DrawState
    from envplan.inspections.queries import rectification_rows
    from envplan.inspections.services import draws
    from envplan.inspections.services.ledger import LedgerRejected, import_ledger
    from envplan.inspections.spreadsheets import ledger_workbook, workbook_bytes

    prog = f"envplan inspections {args.command}"
    try:
        if args.command in ("pool", "roster", "published"):
            draw = None
            if getattr(args, "draw", None) is not None:
                draw = Draw.objects.select_related("task").filter(pk=args.draw).first()
                if draw is None:
                    print(f"{prog}: --draw: no draw {args.draw}", file=err)
                    return 2
                if draw.state == DrawState.PLANNED:
                    print(f"{prog}: --draw: draw {args.draw} is not committed yet", file=err)
                    return 2
            if args.command == "pool":
                content = (
                    draws.pool_csv(draw) if draw else draws.registry_pool_csv(args.year or clock.today().year)
                )
            elif args.command == "roster":
                assert draw is not None
                content = draws.roster_csv(draw)
            else:
                assert draw is not None
                if draw.state not in (DrawState.REVEALED, DrawState.PUBLISHED):
                    print(f"{prog}: draw {args.draw} stays confidential until its seed is revealed", file=err)
                    return 2
                content = draws.draw_json(draw)
            _write(content, args.output, out)
            return 0
        if args.action == "export":
            book = ledger_workbook(rectification_rows(), today=clock.today())
            Path(args.output).write_bytes(workbook_bytes(book))
            print(f"{args.output}: {rectification_rows().count()} tasks", file=out)
            return 0
        path = Path(args.file)
        try:
            content = path.read_bytes()
        except OSError as error:
            print(f"{prog}: {args.file}: cannot read: {error.strerror or error}", file=err)
            return 2
        feedback = None
        if args.feedback_date:
            try:
                feedback = dt.date.fromisoformat(args.feedback_date)
            except ValueError:
                print(f"{prog}: --feedback-date: {args.feedback_date!r} is not YYYY-MM-DD", file=err)
                return 2
        try:
            outcome = import_ledger(path.name, content, by=None, round_name=args.round, feedback_on=feedback)
        except LedgerRejected as rejected:
            for problem in rejected.errors:
                where = f"{path.name}, sheet {problem.sheet}, row {problem.row}, column {problem.column}"
                print(f"{where} ({problem.field}): {problem.message}", file=err)
            if rejected.total > len(rejected.errors):
                print(f"… and {rejected.total - len(rejected.errors):,} more errors", file=err)
            print(rejected.message, file=err)
            return 1 if rejected.errors else 2
        print(
            f"{path.name}: {outcome.created} registered, {outcome.updated} updated, "
            f"{outcome.unchanged} unchanged",
            file=out,
        )
        return 0
    except InspectionError as error:
        print(f"{prog}: {error.message}", file=err)
        return 2
