"""`envplan ledger`: the plan's ledger workbook and the year-end assessment of units (Django)."""

from __future__ import annotations

from envplan.commandline import Group, json_option

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
    json_option(assess, "ranking")

    briefing = group.command(
        "briefing",
        "envplan.exports.cli:briefing",
        django=True,
        help="write the monthly briefing (status, overdue tasks, targets, air, water, alerts), .docx or .pdf",
    )
    briefing.add_argument("--month", required=True, help="the month, YYYY-MM")
    briefing.add_argument("--plan", type=int, help="plan id (default: the latest plan of that year)")
    briefing.add_argument(
        "--lang",
        "--language",
        dest="language",
        default="zh-hans",
        choices=["zh-hans", "fr", "en"],
        help="language of the briefing",
    )
    briefing.add_argument("--format", choices=["docx", "pdf"], default="docx", help="Word or PDF")
    briefing.add_argument("-o", "--output", required=True, help="the file to write")
