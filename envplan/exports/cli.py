"""`envplan ledger export | assessment`: the handlers (arguments in `envplan/commands/ledger.py`).

envplan ledger export --plan ID -o FILE.xlsx [--language zh-hans]
envplan ledger assessment --plan ID [--pdf FILE.pdf] [--language zh-hans] [--json]
envplan ledger briefing --month YYYY-MM [--plan ID] [--lang zh-hans] --format docx|pdf -o FILE
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from django.utils import translation

from envplan.commandline import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Streams, json_line
from envplan.core import clock
from envplan.exports.assessment import COMPONENTS, Assessment, assess_units
from envplan.exports.ledger import ledger_bytes
from envplan.plans.models import Plan


def _with_plan(run: Callable[[Plan, argparse.Namespace, Streams], int]) -> Callable[..., int]:
    """The plan the command names, in the language it asks for; exit 2 when there is no such plan."""

    def handler(args: argparse.Namespace, streams: Streams) -> int:
        plan = Plan.objects.filter(pk=args.plan).first()
        if plan is None:
            print(f"envplan ledger: --plan {args.plan}: no such plan", file=streams.stderr)
            return EXIT_USAGE
        with translation.override(args.language):
            return run(plan, args, streams)

    return handler


def write(path: Path, content: bytes, err: TextIO) -> bool:
    try:
        path.write_bytes(content)
    except OSError as problem:
        print(f"envplan ledger: {path}: cannot write ({problem.strerror or problem})", file=err)
        return False
    return True


def _export(plan: Plan, args: argparse.Namespace, streams: Streams) -> int:
    path = Path(args.output)
    if path.suffix.lower() != ".xlsx":
        print(f"envplan ledger: {path}: the output file must end in .xlsx", file=streams.stderr)
        return EXIT_USAGE
    if not write(path, ledger_bytes(plan, today=clock.today(), reader=None), streams.stderr):
        return EXIT_USAGE
    print(f"ledger of plan {plan.pk} written to {path}", file=streams.stdout)
    return EXIT_OK


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def assessment_document(result: Assessment, pdf: str | None) -> dict[str, object]:
    """The `--json` shape of `ledger assessment`: the units in ranking order with their score and the
    three components in percent (null where a unit owed nothing of that kind)."""
    return {
        "plan": result.plan.pk,
        "date": result.today.isoformat(),
        "weights": {name: _number(weight) for name, weight in result.weights.items()},
        "units": [
            {
                "rank": row.rank,
                "score": _number(row.score),
                "code": row.unit.code,
                "name": row.unit.display_name,
                "tasks": row.tasks,
                **{name: _number(row.percent(name)) for name in COMPONENTS},
            }
            for row in result.rows
        ],
        "pdf": pdf,
    }


def _assessment(plan: Plan, args: argparse.Namespace, streams: Streams) -> int:
    out, err = streams.stdout, streams.stderr
    result = assess_units(plan, today=clock.today())
    if not args.json:
        for row in result.rows:
            rank = row.rank if row.rank is not None else "-"
            score = row.score if row.score is not None else "-"
            print(f"{rank}\t{score}\t{row.unit.code}\t{row.unit.display_name}", file=out)
    if args.pdf:
        from envplan.exports.pdf import FontsMissing, PdfUnavailable, assessment_pdf

        try:
            document = assessment_pdf(result)
        except FontsMissing as problem:  # bad input for this machine: a Chinese PDF without a CJK font
            print(f"envplan ledger: {problem}", file=err)
            return EXIT_USAGE
        except PdfUnavailable as problem:
            print(f"envplan ledger: {problem}", file=err)
            return EXIT_FINDINGS
        if not write(Path(args.pdf), document, err):
            return EXIT_USAGE
        if not args.json:
            print(f"PDF written to {args.pdf}", file=out)
    if args.json:
        out.write(json_line(assessment_document(result, args.pdf)))
    return EXIT_OK


export = _with_plan(_export)
assessment = _with_plan(_assessment)


def briefing(args: argparse.Namespace, streams: Streams) -> int:
    """`envplan ledger briefing --month YYYY-MM [--plan ID] [--lang zh-hans] --format docx|pdf -o FILE`.

    Exit 2 for a bad month, an unknown plan, an output that does not end like the format, an unwritable
    file, or a PDF that would need Chinese glyphs no installed font has (nothing is written then)."""
    from envplan.exports import briefing as briefings
    from envplan.exports.pdf import PdfUnavailable

    err = streams.stderr
    try:
        month = briefings.parse_month(args.month)
    except briefings.BriefingError as problem:
        print(f"envplan ledger briefing: {problem}", file=err)
        return EXIT_USAGE
    path = Path(args.output)
    if path.suffix.lower() != f".{args.format}":
        print(f"envplan ledger briefing: {path}: the output file must end in .{args.format}", file=err)
        return EXIT_USAGE
    if args.plan is not None:
        plan = Plan.objects.filter(pk=args.plan).first()
    else:
        plan = Plan.objects.filter(year=month.year).order_by("-pk").first()
    if plan is None:
        which = f"--plan {args.plan}: no such plan" if args.plan is not None else f"no plan for {month.year}"
        print(f"envplan ledger briefing: {which}", file=err)
        return EXIT_USAGE
    try:
        made = briefings.build_briefing(plan, month, today=clock.today(), language=args.language)
        document = briefings.briefing_pdf(made) if args.format == "pdf" else briefings.briefing_docx(made)
    except briefings.BriefingError as problem:
        print(f"envplan ledger briefing: {problem}", file=err)
        return EXIT_USAGE
    except PdfUnavailable as problem:
        print(f"envplan ledger briefing: {problem}", file=err)
        return EXIT_USAGE
    if not write(path, document, err):
        return EXIT_USAGE
    if not streams.quiet:
        print(f"briefing of plan {plan.pk} for {month:%Y-%m} written to {path}", file=streams.stdout)
    return EXIT_OK
