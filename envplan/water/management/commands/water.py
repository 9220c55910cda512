"""`envplan water sections import FILE | import FILE | evaluate [--period YYYY[-MM]] | classify|assess …`
(see envplan.water.command)."""

from __future__ import annotations

import argparse
import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from envplan.water.command import main


class Command(BaseCommand):
    help = "Surface water: sections import, sample import, evaluation; classify/assess computations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("argv", nargs=argparse.REMAINDER, help="sub-command and its arguments")

    def handle(self, *args: Any, **options: Any) -> None:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(options["argv"]), stdout=out, stderr=err)
        self.stdout.write(out.getvalue(), ending="")
        self.stderr.write(err.getvalue(), ending="")
        if code:
            raise CommandError(f"exit status {code}", returncode=code)
