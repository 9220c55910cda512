"""Tasks and their draws: plan, commit, draw, reveal, publish (the office only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from envplan.core import clock
from envplan.core.services import Person
from envplan.inspections import permissions, queries
from envplan.inspections.errors import InspectionError
from envplan.inspections.forms import CommitForm, MakeDrawForm
from envplan.inspections.models import Draw, DrawState, InspectionRecord, InspectionTask
from envplan.inspections.services import draws
from envplan.inspections.views.common import act, require, step


def tasks(request: HttpRequest) -> HttpResponse:
    require(permissions.can_run_enforcement(request.user))
    return render(request, "inspections/tasks.html", {"tasks": queries.tasks_with_draws()})


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(permissions.can_run_enforcement(request.user))
    task = get_object_or_404(InspectionTask.objects.prefetch_related("items"), pk=pk)
    task_draws = list(task.draws.order_by("stratum"))
    preview = None
    if not task_draws or all(d.state == DrawState.PLANNED for d in task_draws):
        try:
            preview = draws.plan_strata(task)
        except InspectionError as error:
            messages.warning(request, error.message)
    records = queries.record_rows(
        InspectionRecord.objects.filter(task=task)
        .select_related("enterprise", "drawn_target__draw")
        .order_by("drawn_target__draw__stratum", "drawn_target__position"),
        today=clock.today(),
    )
    context = {
        "task": task,
        "draws": task_draws,
        "preview": preview,
        "records": records,
        "commit_form": CommitForm(),
        "draw_form": MakeDrawForm(),
    }
    return render(request, "inspections/task_detail.html", context)


def _office(user: Person, target: object) -> bool:
    return permissions.can_run_enforcement(user)


@require_POST
def task_plan(request: HttpRequest, pk: int) -> HttpResponse:
    require(permissions.can_run_enforcement(request.user))
    task = get_object_or_404(InspectionTask, pk=pk)
    return act(
        request,
        lambda: draws.plan_draws(task, by=request.user),
        done=task.get_absolute_url(),
        success=_("Draws planned."),
    )


def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_object_or_404(Draw.objects.select_related("task"), pk=pk)
    require(permissions.can_view_draw(request.user, draw))
    targets = draw.targets.select_related("enterprise").prefetch_related("inspectors")
    context = {
        "draw": draw,
        "targets": targets,
        "commit_form": CommitForm(),
        "draw_form": MakeDrawForm(),
        "differences": draws.differences(draw) if draw.result else [],
    }
    return render(request, "inspections/draw_detail.html", context)


def _draw(pk: int) -> Draw:
    return get_object_or_404(Draw, pk=pk)


# The seed fields are optional: an invalid one is left out, and the service says what it needs.
draw_commit = step(
    _draw,
    _office,
    draws.commit_draw,
    form=CommitForm,
    lenient=True,
    success=gettext_lazy("Committed: the hashes are public."),
)
draw_make = step(
    _draw,
    _office,
    draws.make_draw,
    form=MakeDrawForm,
    lenient=True,
    success=gettext_lazy("Drawn. The list stays confidential until the inspections are done."),
)
draw_reveal = step(_draw, _office, draws.reveal_seed, success=gettext_lazy("Seed revealed."))
draw_publish = step(
    _draw, _office, draws.publish_draw, success=gettext_lazy("Published: anyone can now check the draw.")
)


def draw_file(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The office's copy of a draw's pool, roster or JSON, whatever its state (the public page has them
    once published)."""
    draw = get_object_or_404(Draw.objects.select_related("task"), pk=pk)
    require(permissions.can_view_draw(request.user, draw))
    return file_response(draw, name)


def file_response(draw: Draw, name: str) -> HttpResponse:

    makers = {"pool.csv": draws.pool_csv, "roster.csv": draws.roster_csv, "draw.json": draws.draw_json}
    if name not in makers or draw.state == DrawState.PLANNED or (name == "draw.json" and draw.result is None):
        raise Http404
    content_type = "application/json" if name.endswith(".json") else "text/csv"
    response = HttpResponse(makers[name](draw), content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{draw.task.code}-{draw.stratum}-{name}"'
    return response
