"""`envplan backup`: see envplan.site.backup (what is copied, and why the copy is consistent)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from envplan.commandline import Streams, progress_bar
from envplan.site.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database, uploaded files, lake and landing files to a new or empty folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", help="a new or empty folder")

    def handle(self, *args: Any, **options: Any) -> None:
        # A progress bar when a person watches on a terminal (not with -v 0, nor when stderr is piped).
        streams = Streams(sys.stdout, sys.stderr, sys.stdin, quiet=options["verbosity"] == 0)
        try:
            with progress_bar(streams, "backup", unit="step") as progress:
                summary = backup(Path(options["dest"]), progress=progress)
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(f"backed up: {summary.line()}")
