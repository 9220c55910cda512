"""`envplan restore`: see envplan.site.backup (what is copied, and why the copy is consistent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from envplan.site.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `envplan backup` into this instance, which must be empty."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="the folder written by envplan backup")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = restore(Path(options["source"]))
        except BackupError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(f"restored: {summary.line()}")
