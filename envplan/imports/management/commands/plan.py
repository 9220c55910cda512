"""`envplan plan import FILE [--accept]` stores a plan document as a draft (or a plan at once);
`envplan plan parse FILE [--lang]` prints the parser's draft as JSON without touching the database.

Unusable input prints one line to stderr and exits with code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from envplan.imports import services
from envplan.problems import ProblemList


class Command(BaseCommand):
    help = "Import plan documents (.txt or .docx) into drafts and plans."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        importing = commands.add_parser("import", help="read a plan document into a draft for review")
        importing.add_argument("file", help="plan document: .docx, or UTF-8 or GB18030 text")
        importing.add_argument("--accept", action="store_true", help="accept the draft at once (scripts)")
        parsing = commands.add_parser("parse", help="print the draft of a plan document as JSON")
        parsing.add_argument("file", help="plan document: .docx, or UTF-8 or GB18030 text")
        parsing.add_argument("--lang", choices=["auto", "fr", "zh", "en"], default="auto")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "parse":
            from envplan.plantext.cli import main

            # OutputWrapper wraps a TextIO and writes like one.
            out, err = cast(TextIO, self.stdout), cast(TextIO, self.stderr)
            code = main(["parse", options["file"], "--lang", options["lang"]], stdout=out, stderr=err)
            if code:
                raise SystemExit(code)  # the parser already wrote its one line to stderr
            return
        self.import_file(Path(options["file"]), accept=options["accept"])

    def import_file(self, path: Path, *, accept: bool) -> None:
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                f"{path}: cannot read the file ({error.strerror or error})", returncode=2
            ) from error
        try:
            imp, created = services.create_import(filename=path.name, content=content, by=None)
        except services.PlanImportError as error:
            raise CommandError(str(error), returncode=2) from error
        counts = services.draft_counts(imp.draft)
        state = "created" if created else f"already imported ({imp.status})"
        self.stdout.write(
            f"import {imp.pk}: {imp.source_name} {state}; {counts['chapters']} chapters, "
            f"{counts['sections']} sections, {counts['tasks']} tasks, {counts['targets']} targets, "
            f"{counts['units']} units"
        )
        warnings = ProblemList.restore(imp.draft.get("warnings", []), imp.draft.get("warnings_total"))
        for line in warnings.lines("warning: {}".format, "warning", "warnings"):
            self.stdout.write(line)
        for doubt in imp.draft.get("uncertain", []):
            self.stdout.write(f"uncertain unit {doubt['unit']}: {doubt['as_written']} ({doubt['reason']})")
        if accept:
            try:
                plan = services.accept_import(imp, by=None)
            except services.PlanImportError as error:
                raise CommandError(str(error), returncode=2) from error
            self.stdout.write(f"accepted: plan {plan.pk} {plan.title}")
