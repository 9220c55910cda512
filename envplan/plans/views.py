from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from envplan.plans import queries
from envplan.plans.models import Chapter, Plan, Unit


def home(request: HttpRequest) -> HttpResponse:
    plan = queries.current_plan(request)
    if plan is None:
        return render(request, "plans/no_plan.html")
    return redirect(plan)


def plan_overview(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    chapters = list(queries.chapters_with_counts(plan))
    context = {
        "plan": plan,
        "chapters": chapters,
        "goals": queries.plan_goals(plan),
        # task_count is annotated by chapters_with_counts (the stubs do not see annotations).
        "task_total": sum(getattr(chapter, "task_count", 0) for chapter in chapters),
        "target_total": plan.targets.count(),
        "revision_number": queries.latest_revision_number(plan),
    }
    return render(request, "plans/plan_overview.html", context)


def plan_revisions(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    context = {
        "plan": plan,
        "revisions": queries.plan_revisions(plan),
        "archived_tasks": queries.archived_tasks(plan),
    }
    return render(request, "plans/plan_revisions.html", context)


def task_list(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    unit = None
    chapter = None
    if request.GET.get("unit"):
        unit = Unit.objects.filter(code=request.GET["unit"]).first()
    if request.GET.get("chapter", "").isdigit():
        chapter = Chapter.objects.filter(plan=plan, position=int(request.GET["chapter"])).first()
    context = {
        "plan": plan,
        "tasks": queries.filtered_tasks(plan, unit=unit, chapter=chapter),
        "units": queries.units_in_plan(plan),
        "chapters": plan.chapters.order_by("position"),
        "selected_unit": unit,
        "selected_chapter": chapter,
    }
    return render(request, "plans/task_list.html", context)


def task_detail(request: HttpRequest, plan_id: int, number: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    task = queries.tasks_with_details(plan).filter(number=number).first()
    if task is None:
        raise Http404("no such task")
    context = {
        "plan": plan,
        "task": task,
        "assignments": task.assignments.all(),
        "targets": task.targets.all(),
        "archived_targets": list(queries.archived_targets_of(task)),
    }
    return render(request, "plans/task_detail.html", context)


def archived_task_detail(request: HttpRequest, plan_id: int, task_id: int) -> HttpResponse:
    """A task a revision removed: its text, units and targets as they were, and its reports."""
    plan = get_object_or_404(Plan, pk=plan_id)
    task = queries.archived_task(plan, task_id)
    if task is None:
        raise Http404("no such archived task")
    context = {
        "plan": plan,
        "task": task,
        "archived": True,
        "assignments": task.all_assignments,  # type: ignore[attr-defined]  # prefetched to this name
        "targets": task.all_targets,  # type: ignore[attr-defined]  # prefetched to this name
    }
    return render(request, "plans/task_detail.html", context)


@require_POST
def switch_plan(request: HttpRequest) -> HttpResponse:
    """Make the chosen plan the current one, then show the same page for it.

    A page of one plan (its URL names the plan and nothing more, e.g. the dashboard) becomes that page of
    the chosen plan; a page within a plan (a task) becomes the chosen plan's overview; any other page is
    shown again."""
    plans = {plan.pk: plan for plan in queries.all_plans(request)}
    plan = plans.get(queries.as_id(request.POST.get("plan")))
    if plan is None:
        raise Http404("no such plan")
    request.session[queries.PLAN_SESSION_KEY] = plan.pk
    following = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        following, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(plan)
    try:
        match = resolve(following.split("?", 1)[0])
    except Resolver404:
        return redirect(plan)
    if "plan_id" not in match.kwargs:
        return redirect(without_plan_parameter(following))
    if set(match.kwargs) != {"plan_id"}:
        return redirect(plan)
    try:
        return redirect(reverse(match.view_name, kwargs={"plan_id": plan.pk}))
    except NoReverseMatch:
        return redirect(plan)


def without_plan_parameter(url: str) -> str:
    """The URL without `?plan=`, which would otherwise choose the previous plan again."""
    parts = urlsplit(url)
    query = urlencode(
        [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "plan"]
    )
    return urlunsplit(parts._replace(query=query))


def unit_list(request: HttpRequest) -> HttpResponse:
    plan = queries.current_plan(request)
    units = queries.units_in_plan(plan) if plan else Unit.objects.none()
    return render(request, "plans/unit_list.html", {"plan": plan, "units": units})


def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.prefetch_related("aliases", "members", "groups"), code=code)
    plan = queries.current_plan(request)
    unit_tasks = queries.unit_tasks_by_role(unit, plan) if plan else None
    return render(request, "plans/unit_detail.html", {"plan": plan, "unit": unit, "unit_tasks": unit_tasks})
