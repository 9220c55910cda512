"""Reads of the plan, shaped for the pages; each list is a fixed, small number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from envplan.plans.models import Assignment, Chapter, Plan, Role, Section, Target, Task, Unit


def current_plan() -> Plan | None:
    return Plan.objects.order_by("-year", "-created_at").first()


def chapters_with_counts(plan: Plan) -> QuerySet[Chapter]:
    """Chapters in order, each with its sections (annotated with task and target counts)."""
    sections = Section.objects.annotate(
        task_count=Count("tasks", distinct=True),
        target_count=Count("tasks__targets", distinct=True),
    ).order_by("position")
    return (
        plan.chapters.annotate(
            task_count=Count("sections__tasks", distinct=True),
            target_count=Count("sections__tasks__targets", distinct=True),
        )
        .prefetch_related(Prefetch("sections", queryset=sections))
        .order_by("position")
    )


def plan_goals(plan: Plan) -> QuerySet[Target]:
    return plan.targets.filter(task__isnull=True).order_by("position")


def tasks_with_details(plan: Plan) -> QuerySet[Task]:
    assignments = Assignment.objects.select_related("unit").order_by("role", "unit__name")
    return (
        plan.tasks.select_related("section__chapter")
        .prefetch_related(Prefetch("assignments", queryset=assignments), "targets")
        .order_by("position")
    )


def filtered_tasks(plan: Plan, *, unit: Unit | None = None, chapter: Chapter | None = None) -> QuerySet[Task]:
    tasks = tasks_with_details(plan)
    if unit is not None:
        tasks = tasks.filter(
            Q(assignments__unit=unit) | Q(assignments__unit__in=unit.groups.all())
        ).distinct()
    if chapter is not None:
        tasks = tasks.filter(section__chapter=chapter)
    return tasks


def units_in_plan(plan: Plan) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(assignments__task__plan=plan)
        .annotate(task_count=Count("assignments__task", distinct=True))
        .order_by("name")
    )


@dataclass
class UnitTasks:
    unit: Unit
    by_role: dict[str, list[Task]] = field(default_factory=dict)

    @property
    def role_rows(self) -> list[tuple[str, str, list[Task]]]:
        return [(role.value, str(role.label), self.by_role.get(role.value, [])) for role in Role]


def unit_tasks_by_role(unit: Unit, plan: Plan) -> UnitTasks:
    assignments = (
        Assignment.objects.filter(unit=unit, task__plan=plan)
        .select_related("task__section__chapter")
        .order_by("task__position")
    )
    result = UnitTasks(unit=unit)
    for assignment in assignments:
        result.by_role.setdefault(assignment.role, []).append(assignment.task)
    return result
