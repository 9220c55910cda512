"""`envplan static`: collect the static files once (at install, or before `envplan serve`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Collect and compress the static files, unless they are unchanged since the last time."

    def handle(self, *args: Any, **options: Any) -> None:
        from envplan.core.staticfiles import collect_static_if_stale

        collected = collect_static_if_stale()
        self.stdout.write("static files collected" if collected else "static files are up to date")
