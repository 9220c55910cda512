"""Reads of the plan, shaped for the pages; each list is a fixed, small number of queries.

The default managers leave archived rows out (see `envplan.plans.models`); counts across relations
(joins) do not go through managers, so they say `archived_in__isnull=True` themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import HttpRequest

from envplan.core import clock
from envplan.plans.diff import PlanShape, TargetShape, TaskShape
from envplan.plans.models import Assignment, Chapter, Plan, PlanRevision, Role, Section, Target, Task, Unit

PLAN_SESSION_KEY = "envplan.plan"


def all_plans(request: HttpRequest | None = None) -> list[Plan]:
    """Every plan, latest year first (a district has a few). Kept on the request: the page and its top
    bar both need the list, and it costs one query."""
    cached: list[Plan] | None = getattr(request, "_envplan_plans", None)
    if cached is None:
        cached = list(Plan.objects.order_by("-year", "title", "pk"))
        if request is not None:
            request._envplan_plans = cached  # type: ignore[attr-defined]  # a per-request cache
    return cached


def default_plan(plans: Sequence[Plan], *, today: dt.date) -> Plan | None:
    """The plan of the calendar year, else the one of the latest year (by title when a year has several).

    Never "the last imported": importing next year's plan early, or an old one late, moves nobody."""
    for plan in plans:
        if plan.year == today.year:
            return plan
    return max(plans, key=lambda plan: plan.year) if plans else None


def current_plan(request: HttpRequest | None = None) -> Plan | None:
    """The plan the pages show a person: the plan of the page being viewed (its URL names one), else the
    one asked for with `?plan=` (the switcher and the top bar's links send it), which is then remembered in
    the session, else the one remembered, else `default_plan` for today.

    Only the person's own choice is remembered: importing a plan or following a link to a plan's page
    changes nobody's current plan (and a plan's pages write nothing to the session)."""
    plans = all_plans(request)
    if request is None:
        return default_plan(plans, today=clock.today())
    by_id = {plan.pk: plan for plan in plans}
    match = getattr(request, "resolver_match", None)
    viewed = by_id.get(as_id(match.kwargs.get("plan_id"))) if match is not None else None
    if viewed is not None:
        return viewed
    session: SessionBase | None = getattr(request, "session", None)
    asked = by_id.get(as_id(request.GET.get("plan")))
    if asked is not None:
        if session is not None and session.get(PLAN_SESSION_KEY) != asked.pk:
            session[PLAN_SESSION_KEY] = asked.pk
        return asked
    remembered = by_id.get(as_id(session.get(PLAN_SESSION_KEY))) if session is not None else None
    return remembered or default_plan(plans, today=clock.today())


def as_id(value: str | int | None) -> int:
    """A primary key from a URL, query string or session; 0 (no row) for anything else."""
    if value is None:
        return 0
    try:
        return int(value)
    except ValueError:
        return 0


def chapters_with_counts(plan: Plan) -> QuerySet[Chapter]:
    """Chapters in order, each with its sections (annotated with task and target counts)."""
    current_tasks = Q(tasks__archived_in__isnull=True)
    sections = Section.objects.annotate(
        task_count=Count("tasks", filter=current_tasks, distinct=True),
        target_count=Count(
            "tasks__targets",
            filter=current_tasks & Q(tasks__targets__archived_in__isnull=True),
            distinct=True,
        ),
    ).order_by("position")
    in_current_sections = Q(sections__archived_in__isnull=True, sections__tasks__archived_in__isnull=True)
    return (
        plan.chapters.annotate(
            task_count=Count("sections__tasks", filter=in_current_sections, distinct=True),
            target_count=Count(
                "sections__tasks__targets",
                filter=in_current_sections & Q(sections__tasks__targets__archived_in__isnull=True),
                distinct=True,
            ),
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
        Unit.objects.filter(assignments__task__plan=plan, assignments__task__archived_in__isnull=True)
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


# --- revisions ---------------------------------------------------------------------------------------


def latest_revision_number(plan: Plan) -> int:
    number: int | None = plan.revisions.aggregate(latest=Max("number"))["latest"]
    return number or 0


def plan_revisions(plan: Plan) -> QuerySet[PlanRevision]:
    return plan.revisions.select_related("accepted_by").order_by("-number")


def archived_tasks(plan: Plan) -> QuerySet[Task]:
    """Tasks a revision removed, with their report counts: their history stays reachable."""
    return (
        Task.with_archived.filter(plan=plan, archived_in__isnull=False)
        .select_related("archived_in", "section__chapter")
        .annotate(report_count=Count("reports", distinct=True))
        .order_by("archived_in__number", "position")
    )


def archived_task(plan: Plan, task_id: int) -> Task | None:
    assignments = Assignment.with_archived.select_related("unit").order_by("role", "unit__name")
    return (
        Task.with_archived.filter(plan=plan, pk=task_id, archived_in__isnull=False)
        .select_related("archived_in", "section__chapter")
        .prefetch_related(
            Prefetch("assignments", queryset=assignments, to_attr="all_assignments"),
            Prefetch("targets", queryset=Target.with_archived.order_by("position"), to_attr="all_targets"),
        )
        .first()
    )


def archived_targets_of(task: Task) -> QuerySet[Target]:
    """Targets of a current task that a revision removed (their reported values stay with them)."""
    return Target.with_archived.filter(task=task, archived_in__isnull=False).order_by("position")


def target_shape(target: Target) -> TargetShape:
    return TargetShape(
        indicator=target.indicator,
        comparator=target.comparator,
        value=target.value,
        unit_of_measure=target.unit_of_measure,
        deadline=target.deadline.isoformat() if target.deadline else None,
        as_written=target.as_written,
        id=target.pk,
    )


def plan_shape(plan: Plan) -> PlanShape:
    """The plan as it stands, in the shape `envplan.plans.diff` compares. Four queries."""
    tasks = (
        plan.tasks.select_related("section")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
            Prefetch("targets", queryset=Target.objects.order_by("position")),
        )
        .order_by("position")
    )
    return PlanShape(
        goals=tuple(target_shape(goal) for goal in plan_goals(plan)),
        tasks=tuple(
            TaskShape(
                number=task.number,
                title=task.title,
                summary=task.summary,
                section=task.section.title,
                units=frozenset((a.unit.code, a.role) for a in task.assignments.all()),
                targets=tuple(target_shape(target) for target in task.targets.all()),
                id=task.pk,
            )
            for task in tasks
        ),
    )
