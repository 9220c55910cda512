"""`envplan demo`: load the bundled demo plan and its demo logins. Safe to run again: changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from envplan.demo.loader import load_demo, load_monitoring_demo


class Command(BaseCommand):
    help = "Load the bundled demo plan (the Kundulun 2025 plan, paraphrased) and demo users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--plan-only",
            action="store_true",
            help="only the plan and logins: no generated reports, no pinned calendar, no reminders",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo(activity=not options["plan_only"])
        state = "loaded" if result.changed else "already loaded"
        self.stdout.write(f"Demo plan {state}: {result.plan.title} ({result.task_count} tasks).")
        if not options["plan_only"]:
            for name, figures in load_monitoring_demo(result.plan).items():
                self.stdout.write(f"  {name}: {figures}")
        for login in result.logins:
            self.stdout.write(
                f"  login {login.username!r} / password {login.password!r}: {login.description}"
            )
