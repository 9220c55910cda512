"""At a district's scale (ten plans over five years, about a hundred units, every unit's monthly reports),
the dashboard and the task list make as many queries as for the demo alone: nothing is fetched per plan,
unit or report. On SQLite and on PostgreSQL (the medians are in bench/scale.py)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from envplan.core.models import DemoClock
from envplan.plans.models import Plan, Unit
from envplan.progress.models import ProgressReport
from envplan.site.scale import build_scaled_district
from tests.plans.conftest import demo, supervisor_client  # noqa: F401  (shared demo fixtures)


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def pages(plan_id: int) -> list[str]:
    return [reverse("dashboard:plan", args=[plan_id]), reverse("plans:tasks", args=[plan_id])]


def test_scale_dashboard_and_task_list_queries_do_not_grow_with_plans_units_and_years(
    demo,  # noqa: F811
    supervisor_client: Client,  # noqa: F811
):
    DemoClock.objects.update(today=dt.date(2025, 12, 20))
    for url in pages(demo.plan.pk):  # the first visit stores the plan's default reporting settings
        supervisor_client.get(url)
    alone = [queries(supervisor_client, url) for url in pages(demo.plan.pk)]

    plans = build_scaled_district(plans=10, months=2)
    at_scale_demo = [queries(supervisor_client, url) for url in pages(demo.plan.pk)]
    at_scale_copy = [queries(supervisor_client, url) for url in pages(plans[-1].pk)]

    assert Plan.objects.count() == 11
    assert Unit.objects.filter(is_group=False).count() >= 100
    assert sorted({plan.year for plan in plans}) == [2021, 2022, 2023, 2024, 2025]
    assert ProgressReport.objects.count() > 1500
    assert at_scale_demo == at_scale_copy == alone
