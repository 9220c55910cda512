"""`envplan plan`: plan documents read into drafts (pure) and imported for review (Django)."""

from __future__ import annotations

from envplan.commandline import Group, json_option

NAME = "plan"
HELP = "plan documents: parse one into a draft, import one for review"
LANGUAGES = ("auto", "fr", "zh", "en")


def add_commands(group: Group) -> None:
    parsing = group.command(
        "parse",
        "envplan.plantext.cli:parse",
        help="print the draft of a plan document (.txt, .docx, .html or .pdf) as JSON",
    )
    parsing.add_argument("file", help="plan document: text (UTF-8 or GB18030), .docx, .html or .pdf")
    parsing.add_argument("--lang", choices=LANGUAGES, default="auto")

    importing = group.command(
        "import",
        "envplan.imports.command:import_plan",
        django=True,
        help="read a plan document into a draft for review on the import page",
    )
    importing.add_argument("file", help="plan document: .docx, or UTF-8 or GB18030 text")
    importing.add_argument("--accept", action="store_true", help="accept the draft at once (scripts)")
    json_option(importing, "summary")
