"""`envplan ledger export|assessment ...` (see envplan.exports.cli)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from envplan.exports.cli import main


class Command(BaseCommand):
    help = "The plan's ledger (.xlsx) and the year-end assessment of units (ranking, PDF)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("args", nargs="*", help="export --plan ID -o FILE.xlsx | assessment --plan ID")

    def run_from_argv(self, argv: list[str]) -> None:
        # Our own parser handles the sub-commands and their errors (exit code 2, no traceback).
        sys.exit(main(argv[2:], stdout=sys.stdout, stderr=sys.stderr))

    def handle(self, *args: Any, **options: Any) -> None:
        code = main(list(args), stdout=self.stdout, stderr=self.stderr)  # type: ignore[arg-type]  # OutputWrapper writes like a TextIO
        if code:
            sys.exit(code)
