"""`envplan demo`: load the bundled demo plan and its demo logins. Safe to run again: changes nothing."""

from __future__ import annotations

import json
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
        parser.add_argument("--json", action="store_true", help="print what was loaded as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo(activity=not options["plan_only"])
        monitoring = {} if options["plan_only"] else load_monitoring_demo(result.plan)
        if options["json"]:
            document = {
                "plan": {"id": result.plan.pk, "title": result.plan.title, "tasks": result.task_count},
                "changed": result.changed,
                "monitoring": monitoring,
                "logins": [
                    {
                        "username": login.username,
                        "password": login.password,
                        "description": str(login.description),
                    }
                    for login in result.logins
                ],
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False, default=str))
            return
        state = "loaded" if result.changed else "already loaded"
        self.stdout.write(f"Demo plan {state}: {result.plan.title} ({result.task_count} tasks).")
        for name, figures in monitoring.items():
            self.stdout.write(f"  {name}: {figures}")
        for login in result.logins:
            self.stdout.write(
                f"  login {login.username!r} / password {login.password!r}: {login.description}"
            )
