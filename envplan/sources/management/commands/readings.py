"""`envplan readings ...` (see envplan.sources.command)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from envplan.sources.command import readings_main


class Command(BaseCommand):
    help = "See envplan.sources.command: `envplan readings --help`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("argv", nargs=argparse.REMAINDER, help="sub-command and its arguments")

    def handle(self, *args: Any, **options: Any) -> None:
        # Written straight to the process's streams: `serve` reports while it runs, exports can be large.
        code = readings_main(list(options["argv"]), stdout=sys.stdout, stderr=sys.stderr, stdin=sys.stdin)
        if code:
            raise CommandError(f"exit status {code}", returncode=code)
