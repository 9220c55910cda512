"""`envplan emergency alerts | cap-export | cap-import FILE | cap-fetch | list export|import | compliance
ALERT | assess …` (see envplan.emergency.command)."""

from __future__ import annotations

import argparse
import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from envplan.emergency.command import main


class Command(BaseCommand):
    help = (
        "Heavy-pollution weather: alerts, the CAP feed, neighbours' alerts, the reduction list, compliance."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("argv", nargs=argparse.REMAINDER, help="sub-command and its arguments")

    def handle(self, *args: Any, **options: Any) -> None:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(options["argv"]), stdout=out, stderr=err)
        self.stdout.write(out.getvalue(), ending="")
        self.stderr.write(err.getvalue(), ending="")
        if code:
            raise CommandError(f"stopped with exit status {code} (see above)", returncode=code)
