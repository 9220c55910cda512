"""`envplan remind [--dry-run] [--plan ID] [--today YYYY-MM-DD] [--json]`: the reminders job, by hand."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from envplan.core import clock
from envplan.plans.models import Plan
from envplan.progress.jobs import remind


class Command(BaseCommand):
    help = (
        "Send the reminders for reports due soon or overdue (in-app and e-mail), once each. "
        "With --dry-run, only print them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="print the reminders; send and store nothing"
        )
        parser.add_argument("--plan", type=int, metavar="ID", help="only this plan (default: running plans)")
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="as if today were this date")
        parser.add_argument("--json", action="store_true", help="print the reminders as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.today()
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today: {options['today']!r} is not a date of the form YYYY-MM-DD", returncode=2
                ) from None
        plans = None
        if options["plan"] is not None:
            plan = Plan.objects.filter(pk=options["plan"]).first()
            if plan is None:
                raise CommandError(f"--plan: no plan has the id {options['plan']}", returncode=2)
            plans = [plan]
        dry_run = options["dry_run"]
        if dry_run:
            with transaction.atomic():
                reminders = remind(today, plans=plans, dry_run=True)
                transaction.set_rollback(True)  # a dry run leaves the database as it found it
        else:
            reminders = remind(today, plans=plans)
        if options["json"]:
            listing = [
                {
                    "kind": r.kind,
                    "username": r.username,
                    "task": r.task_number,
                    "unit": r.unit_code,
                    "period": f"{r.period:%Y-%m}",
                    "due": r.due.isoformat(),
                }
                for r in reminders
            ]
            document = {"today": today.isoformat(), "dry_run": dry_run, "reminders": listing}
            self.stdout.write(json.dumps(document, ensure_ascii=False))
            return
        for r in reminders:
            self.stdout.write(
                f"{r.kind:8} {r.username:20} task {r.task_number:>3} {r.unit_code:40} "
                f"{r.period:%Y-%m} due {r.due:%Y-%m-%d}"
            )
        verb = "would be sent" if dry_run else "due (each sent once; repeats are skipped)"
        self.stdout.write(f"{len(reminders)} reminders {verb} as of {today:%Y-%m-%d}.")
