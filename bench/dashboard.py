"""Benchmark: the dashboard of the full reference plan with 20 units and 12 months of reports.

Prints the dashboard's query count and median server time, against a naive dashboard measured in the same
run (the same figures computed task by task and target by target, as a first version would) for a ratio.

    .venv/bin/python bench/dashboard.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["ENVPLAN_DATA_DIR"] = tempfile.mkdtemp(prefix="envplan-bench-")
os.environ["ENVPLAN_ALLOWED_HOSTS"] = "testserver"  # the test client's host name
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envplan.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from envplan.demo.activity import fill_routine_reports  # noqa: E402
from envplan.demo.loader import load_demo  # noqa: E402
from envplan.demo.logins import DEMO_PASSWORD  # noqa: E402
from envplan.indicators.models import IndicatorValue  # noqa: E402
from envplan.indicators.services import attainment  # noqa: E402
from envplan.plans.models import Unit  # noqa: E402
from envplan.progress.models import ProgressReport, ReportingSettings  # noqa: E402

TODAY = dt.date(2025, 12, 20)


def build(months: int) -> int:
    call_command("migrate", verbosity=0)
    demo = load_demo()
    plan = demo.plan
    ReportingSettings.objects.update_or_create(
        plan=plan, defaults={"first_period": dt.date(2025, 1, 1), "last_period": dt.date(2025, 12, 1)}
    )
    periods = [dt.date(2025, m, 1) for m in range(1, months + 1)]
    fill_routine_reports(plan, by=None, periods=periods, with_values=True)
    return plan.pk


def naive_dashboard(plan_id: int) -> int:
    """The same figures, one task and one target at a time (N+1 queries): the baseline."""
    from envplan.plans.models import Task

    counted = 0
    for task in Task.objects.filter(plan_id=plan_id):
        for target in task.targets.all():
            series = [(v.date, v.value) for v in IndicatorValue.objects.filter(indicator__target=target)]
            attainment(target, series, today=TODAY, year_end=dt.date(2025, 12, 31))
        for assignment in task.assignments.all():
            _ = assignment.unit.display_name
            counted += ProgressReport.objects.filter(
                task=task, unit=assignment.unit, state="approved"
            ).count()
    return counted


def median_time(function, runs: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        queries = len(captured)
    return statistics.median(times), queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 months of reports, 3 runs")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    months = 3 if args.quick else 12
    runs = 3 if args.quick else args.runs

    start = time.perf_counter()
    plan_id = build(months)
    print(
        f"data: 47 tasks, {Unit.objects.filter(is_group=False).count()} units, "
        f"{ProgressReport.objects.count()} reports over {months} months, "
        f"{IndicatorValue.objects.count()} indicator values (built in {time.perf_counter() - start:.1f} s)"
    )
    from envplan.core.models import DemoClock

    DemoClock.objects.update(today=TODAY)
    client = Client()
    client.login(username="supervisor", password=DEMO_PASSWORD)
    url = f"/dashboard/plans/{plan_id}/"

    def render() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    render()  # warm caches (templates, translations)
    ours, our_queries = median_time(render, runs)
    naive, naive_queries = median_time(lambda: naive_dashboard(plan_id), runs)
    print(f"dashboard page (server time incl. rendering): median {ours * 1000:.1f} ms, {our_queries} queries")
    print(
        f"naive per-task figures (no rendering):        median {naive * 1000:.1f} ms, {naive_queries} queries"
    )
    print(f"ratio naive/ours: time {naive / ours:.1f}x, queries {naive_queries / our_queries:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
