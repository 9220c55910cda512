"""`envplan inspections pool export | roster export | published | rectifications import|export
| draw | verify`
(see envplan.inspections.command)."""

from __future__ import annotations

import argparse
import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from envplan.inspections.command import main


class Command(BaseCommand):
    help = "Random inspections (pools, rosters, published draws) and the rectification ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("argv", nargs=argparse.REMAINDER, help="sub-command and its arguments")

    def handle(self, *args: Any, **options: Any) -> None:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(options["argv"]), stdout=out, stderr=err)
        self.stdout.write(out.getvalue(), ending="")
        self.stderr.write(err.getvalue(), ending="")
        if code:
            raise CommandError(f"stopped with exit status {code} (see above)", returncode=code)
