"""The enforcement overview: this year's tasks and draws, results waiting for publication with their
clocks, the hazardous-waste round and the rectification register at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from envplan.core import clock
from envplan.inspections import permissions, queries
from envplan.inspections.deadlines import RULE, result_working_days
from envplan.inspections.models import HazardousWasteRound, InspectionTask, RecordState


def home(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    office = permissions.can_run_enforcement(request.user)
    waiting = queries.record_rows(
        queries.records_for(request.user)
        .exclude(state=RecordState.PUBLISHED)
        .order_by("inspected_on", "pk")[:50],
        today=today,
    )
    context = {
        "today": today,
        "is_office": office,
        "is_inspector": permissions.inspector_of(request.user) is not None,
        "tasks": queries.tasks_with_draws().filter(year=today.year)
        if office
        else InspectionTask.objects.none(),
        "waiting": waiting,
        "rounds": [queries.round_figures(r) for r in HazardousWasteRound.objects.filter(year=today.year)],
        "rectifications": queries.rectification_counts(today=today),
        "rule": RULE,
        "rule_days": result_working_days(),
    }
    return render(request, "inspections/home.html", context)
