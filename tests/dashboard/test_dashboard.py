from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from envplan.accounts.models import MemberRole, Membership
from envplan.core.models import AuditEntry
from envplan.dashboard.queries import plan_dashboard
from envplan.demo.logins import DEMO_PASSWORD
from envplan.indicators.models import Indicator, IndicatorValue
from envplan.indicators.services import ensure_indicators
from envplan.plans.models import Target, Task, Unit
from envplan.progress.services import review_report, save_report
from envplan.progress.status import DONE, OVERDUE, plan_task_states

TODAY = dt.date(2025, 10, 20)


def approved_report(task: Task, unit: Unit, supervisor: User, *, period: dt.date, status: str, values=None):
    writer, _ = User.objects.get_or_create(username=f"writer-{unit.code}")
    Membership.objects.get_or_create(user=writer, unit=unit, defaults={"role": MemberRole.REPORTER})
    report = save_report(
        task=task,
        unit=unit,
        period=period,
        by=writer,
        narrative="work done",
        status=status,
        values=values or {},
        submit=True,
    )
    return review_report(report, by=supervisor, approve=True)


def test_task_with_an_approved_done_report_is_done(demo, supervisor):
    task = Task.objects.get(plan=demo.plan, number=1)
    unit = task.assignments.exclude(unit__is_group=True).first().unit
    approved_report(task, unit, supervisor, period=dt.date(2025, 9, 1), status="done")
    states = {s.task.number: s for s in plan_task_states(demo.plan, today=TODAY)}
    assert states[1].status == DONE


def test_tasks_without_reports_after_the_due_date_are_overdue(demo):
    states = plan_task_states(demo.plan, today=TODAY)
    assert {s.status for s in states} == {OVERDUE}
    assert all(s.missing_reports >= 1 for s in states)


def test_tasks_are_on_track_before_any_report_is_due(demo):
    states = plan_task_states(demo.plan, today=dt.date(2025, 6, 5))
    assert {s.status for s in states} == {"on_track"}


def test_approved_values_feed_the_target_series(demo, supervisor):
    target = Target.objects.get(plan=demo.plan, task__number=39)
    unit = target.task.assignments.exclude(unit__is_group=True).first().unit
    approved_report(
        target.task,
        unit,
        supervisor,
        period=dt.date(2025, 8, 1),
        status="in_progress",
        values={target.pk: "98.5"},
    )
    value = IndicatorValue.objects.get(indicator__target=target)
    assert (value.date, value.value) == (dt.date(2025, 8, 31), Decimal("98.5"))
    data = plan_dashboard(demo.plan, today=TODAY)
    row = next(r for r in data.targets if r.target.pk == target.pk)
    assert row.attainment.rating == "green"


def test_dashboard_counts_every_task_once_per_chapter_and_unit(demo):
    data = plan_dashboard(demo.plan, today=TODAY)
    assert sum(row.total for row in data.by_chapter) == 47
    for row in data.by_unit:
        unit_tasks = Task.objects.filter(
            plan=demo.plan, assignments__unit__code=row.link.rsplit("=", 1)[1]
        ).distinct()
        assert row.total == unit_tasks.count()


def test_dashboard_page_for_a_unit_user(demo, client: Client):
    assert client.login(username="ecology", password=DEMO_PASSWORD)
    response = client.get(reverse("dashboard:plan", args=[demo.plan.pk]))
    assert response.status_code == 200
    assert response.context["data"].task_total == 47
    assert response.context["can_configure"] is False


def test_dashboard_requires_login(demo, client: Client):
    response = client.get(reverse("dashboard:plan", args=[demo.plan.pk]))
    assert response.status_code == 302


def test_dashboard_renders_in_a_bounded_number_of_queries(
    demo, supervisor, supervisor_client, django_assert_max_num_queries
):
    for number in (1, 5, 39):
        task = Task.objects.get(plan=demo.plan, number=number)
        unit = task.assignments.exclude(unit__is_group=True).first().unit
        for month in (6, 7, 8):
            approved_report(
                task,
                unit,
                supervisor,
                period=dt.date(2025, month, 1),
                status="in_progress",
                values={t.pk: str(80 + month) for t in task.targets.all()},
            )
    with django_assert_max_num_queries(20):
        response = supervisor_client.get(reverse("dashboard:plan", args=[demo.plan.pk]))
    assert response.status_code == 200


def test_indicator_settings_are_for_supervisors_only(demo, client: Client):
    assert client.login(username="ecology", password=DEMO_PASSWORD)
    assert client.get(reverse("dashboard:indicators", args=[demo.plan.pk])).status_code == 403
    ensure_indicators(demo.plan)
    indicator = Indicator.objects.filter(target__plan=demo.plan).first()
    url = reverse("dashboard:indicator_update", args=[demo.plan.pk, indicator.pk])
    assert client.post(url, {"source": "milestone"}).status_code == 403
    indicator.refresh_from_db()
    assert indicator.source != "milestone" or indicator.target.unit_of_measure == "milestone"


def test_supervisor_configures_an_indicator_and_records_a_value(demo, supervisor_client: Client):
    response = supervisor_client.get(reverse("dashboard:indicators", args=[demo.plan.pk]))
    assert response.status_code == 200
    indicator = Indicator.objects.get(target__plan=demo.plan, target__task__number=43)
    url = reverse("dashboard:indicator_update", args=[demo.plan.pk, indicator.pk])
    supervisor_client.post(url, {"source": "reported", "provenance": "inspection ledger"})
    supervisor_client.post(url, {"action": "value", "date": "2025-10-01", "value": "20"})
    indicator.refresh_from_db()
    assert indicator.provenance == "inspection ledger"
    assert [(v.date, v.value) for v in indicator.values.all()] == [(dt.date(2025, 10, 1), Decimal("20"))]
    assert (
        AuditEntry.objects.filter(action__in=["indicator.configured", "indicator.value_recorded"]).count()
        == 2
    )


def test_bad_indicator_value_is_refused_with_a_message(demo, supervisor_client: Client):
    ensure_indicators(demo.plan)
    indicator = Indicator.objects.filter(target__plan=demo.plan).first()
    url = reverse("dashboard:indicator_update", args=[demo.plan.pk, indicator.pk])
    response = supervisor_client.post(
        url, {"action": "value", "date": "2025-10-01", "value": "lots"}, follow=True
    )
    assert "Not saved" in response.content.decode()
    assert not indicator.values.exists()
