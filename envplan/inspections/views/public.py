"""Public pages (no login): the published draws with everything needed to check them, the published
inspection results, and the closure notices of rectification tasks. The portal's random-inspections
section (envplan/inspections/public.py) lists the same records as open data, with the address of each
draw's page here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from envplan.inspections import queries
from envplan.inspections.deadlines import RULE, result_working_days
from envplan.inspections.models import Draw, DrawState, RectificationTask
from envplan.inspections.services import draws
from envplan.inspections.views.draws import file_response


@login_not_required
def index(request: HttpRequest) -> HttpResponse:
    context = {
        "draws": queries.public_draws(),
        "records": queries.published_records(),
        "notices": queries.public_notices(),
    }
    return render(request, "inspections/public_index.html", context)


def _public_draw(pk: int) -> Draw:
    draw = get_object_or_404(Draw.objects.select_related("task"), pk=pk)
    if draw.state == DrawState.PLANNED:
        raise Http404
    return draw


@login_not_required
def draw_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A draw's public record: the commitment from the moment it is made; the pool, the roster, the seed,
    the targets and teams and the files to check them once it is published."""
    draw = _public_draw(pk)
    published = draw.state == DrawState.PUBLISHED
    names = {entry["id"]: entry for entry in draw.pool}
    inspectors = {entry["id"]: entry["name"] for entry in draw.roster}
    selected = []
    if published and draw.result:
        for position, target in enumerate(draw.result["selected"], start=1):
            team = draw.result["teams"]["assigned"][target]
            selected.append(
                (position, target, names[target], [(code, inspectors.get(code, "")) for code in team])
            )
    context = {
        "draw": draw,
        "published": published,
        "selected": selected,
        "pool": draw.pool if published else [],
        "differences": draws.differences(draw) if published else [],
        "task": draw.task,
    }
    return render(request, "inspections/public_draw.html", context)


@login_not_required
def draw_public_file(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    draw = _public_draw(pk)
    if draw.state != DrawState.PUBLISHED:
        raise Http404
    return file_response(draw, name)


@login_not_required
def results(request: HttpRequest) -> HttpResponse:
    context = {"records": queries.published_records(), "rule": RULE, "rule_days": result_working_days()}
    return render(request, "inspections/public_results.html", context)


@login_not_required
def rectification_notice(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(RectificationTask.objects.select_related("accepting_unit"), pk=pk)
    if not task.notice_is_public:
        raise Http404
    return render(request, "inspections/public_notice.html", {"task": task})
