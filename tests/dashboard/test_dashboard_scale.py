"""The dashboard's query count is pinned: it does not grow with months of reports (see bench/dashboard.py)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from envplan.core.models import DemoClock
from envplan.demo.activity import fill_routine_reports
from envplan.progress.models import ProgressReport, ReportingSettings

# 17 for the dashboard itself, 1 for the heavy-pollution alert card (envplan.emergency).
DASHBOARD_QUERIES = 18


def dashboard_queries(client: Client, plan_id: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard:plan", args=[plan_id]))
    assert response.status_code == 200
    return len(captured)


def test_dashboard_query_count_is_pinned_for_a_year_of_reports(demo, supervisor_client: Client):
    plan = demo.plan
    ReportingSettings.objects.update_or_create(
        plan=plan, defaults={"first_period": dt.date(2025, 1, 1), "last_period": dt.date(2025, 12, 1)}
    )
    DemoClock.objects.update(today=dt.date(2025, 12, 20))
    fill_routine_reports(plan, by=None, periods=[dt.date(2025, 1, 1)], with_values=True)
    after_one_month = dashboard_queries(supervisor_client, plan.pk)

    fill_routine_reports(plan, by=None, periods=[dt.date(2025, m, 1) for m in range(2, 13)], with_values=True)
    assert ProgressReport.objects.filter(task__plan=plan).count() > 1000
    after_a_year = dashboard_queries(supervisor_client, plan.pk)

    assert after_a_year == after_one_month == DASHBOARD_QUERIES
