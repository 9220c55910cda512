"""`envplan ledger ...`: the ledger and the assessment from the command line.

envplan ledger export --plan ID -o FILE.xlsx [--language zh-hans]
envplan ledger assessment --plan ID [--pdf FILE.pdf] [--language zh-hans]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from django.utils import translation

from envplan.core import clock
from envplan.exports.assessment import assess_units
from envplan.exports.ledger import ledger_bytes
from envplan.plans.models import Plan


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # raise instead of exiting
        raise UsageError(message)


def build_parser() -> Parser:
    parser = Parser(prog="envplan ledger", description="The plan's ledger and the assessment of units.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    export = commands.add_parser("export", help="write the ledger workbook (.xlsx)")
    export.add_argument("--plan", type=int, required=True, help="plan id")
    export.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    export.add_argument("--language", default="zh-hans", help="language of headers and names")
    assess = commands.add_parser("assessment", help="print the ranking of units; optionally write the PDF")
    assess.add_argument("--plan", type=int, required=True, help="plan id")
    assess.add_argument("--pdf", help="also write the ranking as a PDF to this file")
    assess.add_argument("--language", default="zh-hans", help="language of the PDF and names")
    return parser


def main(
    argv: list[str],
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except UsageError as problem:
        print(f"envplan ledger: {problem}", file=err)
        return 2
    plan = Plan.objects.filter(pk=args.plan).first()
    if plan is None:
        print(f"envplan ledger: --plan {args.plan}: no such plan", file=err)
        return 2
    with translation.override(args.language):
        if args.command == "export":
            return export(plan, Path(args.output), out, err)
        return assessment(plan, args.pdf, out, err)


def write(path: Path, content: bytes, err: TextIO) -> bool:
    try:
        path.write_bytes(content)
    except OSError as problem:
        print(f"envplan ledger: {path}: cannot write ({problem.strerror or problem})", file=err)
        return False
    return True


def export(plan: Plan, path: Path, out: TextIO, err: TextIO) -> int:
    if path.suffix.lower() != ".xlsx":
        print(f"envplan ledger: {path}: the output file must end in .xlsx", file=err)
        return 2
    if not write(path, ledger_bytes(plan, today=clock.today(), reader=None), err):
        return 2
    print(f"ledger of plan {plan.pk} written to {path}", file=out)
    return 0


def assessment(plan: Plan, pdf_path: str | None, out: TextIO, err: TextIO) -> int:
    result = assess_units(plan, today=clock.today())
    for row in result.rows:
        rank = row.rank if row.rank is not None else "-"
        score = row.score if row.score is not None else "-"
        print(f"{rank}\t{score}\t{row.unit.code}\t{row.unit.display_name}", file=out)
    if pdf_path:
        from envplan.exports.pdf import PdfUnavailable, assessment_pdf

        try:
            document = assessment_pdf(result)
        except PdfUnavailable as problem:
            print(f"envplan ledger: {problem}", file=err)
            return 1
        if not write(Path(pdf_path), document, err):
            return 2
        print(f"PDF written to {pdf_path}", file=out)
    return 0
