from __future__ import annotations

import copy

import pytest

from envplan.core.models import AuditEntry
from envplan.plans.demo_data import demo_plan_data
from envplan.plans.models import Plan, Task, Unit
from envplan.plans.services import PlanDataError, ensure_unit, save_plan


def test_save_plan_writes_one_audit_entry_for_the_plan(db):
    plan, changed = save_plan(demo_plan_data(), by=None)
    assert changed is True
    entries = AuditEntry.objects.filter(action="plan.created")
    assert [(entry.plan_id, entry.after["tasks"]) for entry in entries] == [(plan.pk, 47)]


def test_save_plan_with_new_content_revises_the_plan_and_archives_what_it_drops(db):
    data = demo_plan_data()
    plan, _ = save_plan(data, by=None)
    task_ids = set(Task.objects.filter(plan=plan).values_list("pk", flat=True))
    changed_data = copy.deepcopy(data)
    dropped = changed_data["chapters"][3]["sections"][0]["tasks"].pop()
    again, changed = save_plan(changed_data, by=None)
    assert (again.pk, changed) == (plan.pk, True)
    assert Task.objects.filter(plan=plan).count() == 46
    assert set(Task.with_archived.filter(plan=plan).values_list("pk", flat=True)) == task_ids
    archived = Task.with_archived.get(plan=plan, archived_in__isnull=False)
    assert (archived.number, archived.archived_in.number) == (dropped["number"], 2)
    assert Plan.objects.count() == 1
    entry = AuditEntry.objects.get(action="plan.revised")
    assert (entry.after["tasks"], entry.after["revision"], entry.after["changes"]["tasks_removed"]) == (
        46,
        2,
        1,
    )


def test_save_plan_with_unknown_unit_stores_nothing(db):
    data = demo_plan_data()
    data["chapters"][3]["sections"][0]["tasks"][0]["units"].append({"unit": "no-such-unit", "role": "lead"})
    with pytest.raises(PlanDataError, match="no-such-unit"):
        save_plan(data, by=None)
    assert Plan.objects.count() == 0
    assert Unit.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_ensure_unit_refuses_a_spelling_that_names_another_unit(db):
    ensure_unit(code="a", name="Bureau A", aliases=["Office A"], by=None)
    with pytest.raises(PlanDataError, match="already belongs"):
        ensure_unit(code="b", name="Bureau B", aliases=["office  a"], by=None)


def test_audit_entries_cannot_be_changed_or_deleted(db):
    unit = ensure_unit(code="a", name="Bureau A", by=None)
    entry = AuditEntry.objects.for_object(unit).get(action="unit.created")
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(action="x")
