"""History hangs on the plan's structure and nothing may take it away: deleting a plan, a task or a target
with reports or values is refused, by the delete service and by the database itself."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from envplan.core.models import AuditEntry
from envplan.indicators.models import Indicator, IndicatorValue
from envplan.indicators.services import record_value
from envplan.plans.demo_data import demo_plan_data
from envplan.plans.models import Chapter, Plan, PlanRevision, Target, Task
from envplan.plans.services import PlanHasHistory, delete_plan, save_plan
from envplan.progress import services as progress
from envplan.progress.models import ProgressReport, ReportValue
from tests.progress.factories import World, build_world

pytestmark = pytest.mark.django_db


def approved_report(world: World) -> ProgressReport:
    report = progress.save_report(
        **world.housing_writes(dt.date(2025, 5, 1)),
        narrative="Two kilometres laid.",
        status="in_progress",
        values={world.target.pk: "2"},
        submit=True,
    )
    return progress.review_report(report, by=world.ecology_admin, approve=True)


def rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Plan, Task, Target, ProgressReport, ReportValue, Indicator, IndicatorValue)
    }


def test_delete_plan_refuses_a_plan_with_reports_and_keeps_everything():
    world = build_world()
    approved_report(world)
    before = rows()

    with pytest.raises(PlanHasHistory) as refused:
        delete_plan(world.plan, by=world.supervisor)

    assert refused.value.held == {"progress reports": 1, "reported values": 1, "indicator values": 1}
    assert rows() == before
    assert not AuditEntry.objects.filter(action="plan.deleted").exists()


def test_delete_plan_refuses_a_plan_with_indicator_values_only():
    world = build_world()
    indicator = Indicator.objects.create(target=world.target)
    record_value(indicator, by=world.supervisor, date=dt.date(2025, 5, 31), value=Decimal(3))

    with pytest.raises(PlanHasHistory) as refused:
        delete_plan(world.plan, by=world.supervisor)

    assert refused.value.held == {"indicator values": 1}
    assert IndicatorValue.objects.count() == 1


def test_the_database_refuses_to_delete_structure_that_history_hangs_on():
    world = build_world()
    report = approved_report(world)

    for structure in (world.plan, world.lead_task, world.target):
        with pytest.raises(ProtectedError):
            structure.delete()

    assert ProgressReport.objects.get() == report
    assert ReportValue.objects.get().target == world.target
    assert IndicatorValue.objects.get().indicator.target == world.target


def test_delete_plan_deletes_a_plan_without_history_and_no_other_plan():
    world = build_world()
    approved_report(world)
    spare, _ = save_plan(demo_plan_data(), by=None)

    delete_plan(spare, by=world.supervisor)

    assert list(Plan.objects.all()) == [world.plan]
    assert Task.with_archived.filter(plan_id=spare.pk).count() == 0
    entry = AuditEntry.objects.get(action="plan.deleted")
    assert (entry.plan_id, entry.actor, entry.before["tasks"]) == (spare.pk, world.supervisor, 47)


def test_delete_plan_deletes_a_revised_plan_with_archived_rows_but_no_history():
    data = demo_plan_data()
    plan, _ = save_plan(data, by=None)
    revised = copy.deepcopy(data)
    revised["chapters"].pop()
    save_plan(revised, by=None)
    assert Chapter.with_archived.filter(plan=plan, archived_in__isnull=False).exists()

    delete_plan(plan, by=None)

    assert (Plan.objects.count(), PlanRevision.objects.count(), Task.with_archived.count()) == (0, 0, 0)
