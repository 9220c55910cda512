"""`envplan worker [--once] [--only NAME] [--list] [--json]`: run the registered background jobs (reminders,
indicators)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from envplan.core import clock, worker


class Command(BaseCommand):
    help = "Run background jobs on their schedules until SIGTERM/SIGINT, or each once with --once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run each job once now, then exit")
        parser.add_argument("--only", action="append", metavar="NAME", help="run only this job (repeatable)")
        parser.add_argument("--list", action="store_true", help="list the registered jobs and exit")
        parser.add_argument(
            "--json", action="store_true", help="with --list or --once: print the jobs or results as JSON"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = worker.discover()
        if options["list"]:
            if options["json"]:
                listing = [{"name": job.name, "schedule": str(job.schedule)} for job in jobs.values()]
                self.stdout.write(json.dumps({"jobs": listing}, ensure_ascii=False))
                return
            for job in jobs.values():
                self.stdout.write(f"{job.name}: {job.schedule}")
            return
        try:
            selected = worker.select(jobs, options["only"])
        except KeyError as error:
            raise CommandError(
                f"unknown job {error.args[0]}; known jobs: {', '.join(sorted(jobs)) or 'none'}", returncode=2
            ) from None
        self.log_to(options["verbosity"])
        runner = worker.Worker(jobs=selected, now=timezone.localtime, today=clock.today)
        if options["once"]:
            results = runner.run_once()
            if options["json"]:
                outcomes = [
                    {"job": r.job, "ok": r.ok, "error": r.error or None, "seconds": round(r.seconds, 3)}
                    for r in results
                ]
                self.stdout.write(json.dumps({"results": outcomes}, ensure_ascii=False))
            else:
                for result in results:
                    outcome = "ok" if result.ok else f"FAILED ({result.error})"
                    self.stdout.write(f"{result.job}: {outcome} in {result.seconds:.2f}s")
            if not all(result.ok for result in results):
                raise CommandError("a job failed; see the log above", returncode=1)
            return
        worker.install_signal_handlers(runner)
        runner.run_forever()

    def log_to(self, verbosity: int) -> None:
        """Each run is logged (INFO; DEBUG with -v2, warnings only with -v0), through the one logging setup
        (envplan.core.logs: text or JSON lines on stderr)."""
        level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        logging.getLogger("envplan.worker").setLevel(level)
