"""`envplan ledger`: the plan's ledger workbook and the year-end assessment of units (Django)."""

from __future__ import annotations

from envplan.commandline import Group

NAME = "ledger"
HELP = "the plan's ledger (.xlsx) and the year-end assessment of units (ranking, PDF)"


def add_commands(group: Group) -> None:
    export = group.command(
        "export", "envplan.exports.cli:export", django=True, help="write the ledger workbook (.xlsx)"
    )
    export.add_argument("--plan", type=int, required=True, help="plan id")
    export.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    export.add_argument("--language", default="zh-hans", help="language of headers and names")

    assess = group.command(
        "assessment",
        "envplan.exports.cli:assessment",
        django=True,
        help="print the ranking of units; optionally write the PDF",
    )
    assess.add_argument("--plan", type=int, required=True, help="plan id")
    assess.add_argument("--pdf", help="also write the ranking as a PDF to this file")
    assess.add_argument("--language", default="zh-hans", help="language of the PDF and names")
    assess.add_argument("--json", action="store_true", help="print the ranking as one JSON object")
