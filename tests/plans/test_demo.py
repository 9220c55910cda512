from __future__ import annotations

from collections import Counter
from decimal import Decimal

from envplan.core.models import AuditEntry
from envplan.plans.demo_data import load_demo
from envplan.plans.models import Assignment, Section, Target, Task, Unit


def test_demo_has_the_reference_plans_structure(demo):
    plan = demo.plan
    assert plan.tasks.count() == 47
    assert Section.objects.filter(chapter__plan=plan).count() == 22
    numbers = list(plan.tasks.order_by("position").values_list("number", flat=True))
    assert numbers == list(range(1, 48))


def test_demo_chapter_numbers_keep_the_printed_irregularity(demo):
    numbers = list(demo.plan.chapters.order_by("position").values_list("number", flat=True))
    assert Counter(numbers)["VI"] == 2
    assert "VII" not in numbers


def test_demo_every_task_has_a_unit_and_the_ecology_bureau_is_one_unit(demo):
    assert not Task.objects.filter(plan=demo.plan, assignments__isnull=True).exists()
    ecology = Unit.objects.get(code="ecology-bureau-kundulun")
    assert ecology.aliases.count() >= 8
    assert Unit.objects.filter(name__icontains="ecolog").count() == 1


def test_demo_roles_cover_lead_responsible_and_implementing(demo):
    roles = set(Assignment.objects.filter(task__plan=demo.plan).values_list("role", flat=True))
    assert roles == {"lead", "responsible", "implementing"}


def test_demo_water_goal_is_a_plan_goal_of_83_3_percent(demo):
    goal = Target.objects.get(plan=demo.plan, task__isnull=True, value=Decimal("83.3"))
    assert (goal.comparator, goal.unit_of_measure) == (">=", "%")


def test_demo_load_twice_changes_nothing(demo):
    audit_count = AuditEntry.objects.count()
    again = load_demo()
    assert again.changed is False
    assert again.plan.pk == demo.plan.pk
    assert AuditEntry.objects.count() == audit_count
    assert Task.objects.count() == 47


def test_demo_group_unit_exists_for_all_subdistricts_and_towns(demo):
    group = Unit.objects.get(code="all-subdistricts-and-towns")
    assert group.is_group is True
