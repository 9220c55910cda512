"""Benchmark: the dashboard and the task list of a district grown large, on PostgreSQL.

Ten plans over five years (2021-2025), about a hundred units, every unit's monthly reports with values
(envplan.site.scale). Prints each page's query count and median server time (the goal: under 100 ms), with
the demo's single plan measured in the same run as the baseline, then EXPLAIN ANALYZE of each page's
slowest queries, which is how the indexes of docs/deployment.md were chosen.

    bash scripts/with-postgres.sh .venv/bin/python bench/scale.py [--quick] [--runs N]

Without ENVPLAN_DATABASE_URL it runs on a throw-away SQLite database (figures then say little about a
server). ``--quick``: two months of reports per plan, 3 runs.
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
from django.urls import reverse  # noqa: E402

from envplan.core.models import DemoClock  # noqa: E402
from envplan.demo.loader import load_demo  # noqa: E402
from envplan.demo.logins import DEMO_PASSWORD  # noqa: E402
from envplan.plans.models import Plan, Unit  # noqa: E402
from envplan.progress.models import ProgressReport  # noqa: E402
from envplan.site.scale import build_scaled_district  # noqa: E402


def measure(client: Client, url: str, runs: int) -> tuple[float, int, list[dict[str, str]]]:
    client.get(url)  # warm: templates, translations, lazily stored settings
    times = []
    captured_queries: list[dict[str, str]] = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        captured_queries = list(captured.captured_queries)
    return statistics.median(times), len(captured_queries), captured_queries


def explain(queries: list[dict[str, str]], top: int) -> None:
    """EXPLAIN ANALYZE every SELECT of the page; print the `top` ones by execution time, with their scans."""
    if connection.vendor != "postgresql":
        return
    plans = []
    for query in queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
        execution = float(lines[-1].split(":")[1].split()[0])
        plans.append((execution, sql, lines))
    for execution, sql, lines in sorted(plans, key=lambda item: item[0], reverse=True)[:top]:
        print(f"    {execution:7.3f} ms  {sql[:150]}")
        for line in [line.strip() for line in lines if "Scan" in line][:6]:
            print(f"        {line[:150]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--explain", type=int, default=3, help="slowest queries of each page to EXPLAIN")
    args = parser.parse_args()
    months = 2 if args.quick else 12
    runs = 3 if args.quick else args.runs

    call_command("migrate", verbosity=0)
    demo = load_demo()
    DemoClock.objects.update(today=dt.date(2025, 12, 20))
    client = Client()
    client.login(username="supervisor", password=DEMO_PASSWORD)
    pages = {
        "dashboard": lambda plan_id: reverse("dashboard:plan", args=[plan_id]),
        "task list": lambda plan_id: reverse("plans:tasks", args=[plan_id]),
    }
    baseline = {name: measure(client, url(demo.plan.pk), runs) for name, url in pages.items()}

    started = time.perf_counter()
    plans = build_scaled_district(plans=10, months=months)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    print(
        f"{connection.vendor}: {Plan.objects.count()} plans ({plans[0].year}-{plans[-1].year}), "
        f"{Unit.objects.filter(is_group=False).count()} units, {ProgressReport.objects.count():,} reports "
        f"(built in {time.perf_counter() - started:.0f} s)"
    )
    for name, url in pages.items():
        small_time, small_queries, _ = baseline[name]
        for label, plan_id in (("demo plan", demo.plan.pk), ("2025 copy", plans[-1].pk)):
            median, count, captured = measure(client, url(plan_id), runs)
            print(
                f"{name:<10} {label:<10} median {median * 1000:6.1f} ms, {count} queries   (demo alone: "
                f"{small_time * 1000:6.1f} ms, {small_queries} queries; ratio {median / small_time:.2f}x)"
            )
            if label == "2025 copy":
                explain(captured, args.explain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
