"""The registers: supervision objects and ratios per year, the item list, inspectors and recusals, tasks."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from envplan.accounts.permissions import User
from envplan.core import clock
from envplan.core.services import person
from envplan.inspections import permissions
from envplan.inspections.forms import (
    InspectorForm,
    ItemForm,
    RatioRuleForm,
    RecusalForm,
    SupervisionObjectForm,
    TaskForm,
)
from envplan.inspections.models import (
    InspectionItem,
    InspectionTask,
    Inspector,
    RatioRule,
    Recusal,
    SupervisionObject,
)
from envplan.inspections.services import draws, registers
from envplan.inspections.views.common import Data, act, edit_view, require


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else clock.today().year


def objects(request: HttpRequest) -> HttpResponse:
    """The year's register of supervision objects, each with the stratum the frequency factors give it."""
    require(permissions.can_run_enforcement(request.user))
    year = _year(request)
    entries = draws.pool_entries(year)
    registered = {
        o.enterprise_id: o for o in SupervisionObject.objects.filter(year=year).select_related("enterprise")
    }
    rows = [(entry, registered[entry.enterprise.pk]) for entry in entries]
    context = {
        "year": year,
        "rows": rows,
        "rules": RatioRule.objects.filter(year=year),
        "counts": {
            c["category"]: c["n"]
            for c in SupervisionObject.objects.filter(year=year).values("category").annotate(n=Count("pk"))
        },
    }
    return render(request, "inspections/objects.html", context)


def _by_year(url_name: str) -> Callable[[SupervisionObject | RatioRule | InspectionItem], str]:
    """Where a saved row of a yearly register goes: its list, at its year."""
    return lambda saved: f"{reverse(url_name)}?year={saved.year}"


object_edit = edit_view(
    SupervisionObject,
    SupervisionObjectForm,
    lambda row, by, data: registers.save_supervision_object(row, by=by),
    allowed=permissions.can_run_enforcement,
    title=gettext_lazy("Supervision object"),
    back="inspections:objects",
    done=_by_year("inspections:objects"),
    new=lambda request: SupervisionObject(year=_year(request)),
)
ratio_edit = edit_view(
    RatioRule,
    RatioRuleForm,
    lambda row, by, data: registers.save_ratio_rule(row, by=by),
    allowed=permissions.can_run_enforcement,
    title=gettext_lazy("Ratio rule"),
    back="inspections:objects",
    done=_by_year("inspections:objects"),
    new=lambda request: RatioRule(year=_year(request)),
)


def items(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    context = {
        "year": year,
        "items": InspectionItem.objects.filter(year=year),
        "can_edit": permissions.can_run_enforcement(request.user),
    }
    return render(request, "inspections/items.html", context)


item_edit = edit_view(
    InspectionItem,
    ItemForm,
    lambda row, by, data: registers.save_item(row, by=by),
    allowed=permissions.can_run_enforcement,
    title=gettext_lazy("Inspection item"),
    back="inspections:items",
    done=_by_year("inspections:items"),
    new=lambda request: InspectionItem(year=_year(request)),
)


def inspectors(request: HttpRequest) -> HttpResponse:
    require(permissions.can_run_enforcement(request.user))
    today = clock.today()
    listed = Inspector.objects.select_related("user").prefetch_related("recusals__enterprise")
    active_recusals = Q(ended_on__isnull=True) | Q(ended_on__gt=today)
    context = {
        "inspectors": listed,
        "recusals": Recusal.objects.filter(active_recusals).select_related("inspector", "enterprise"),
        "form": RecusalForm(),
    }
    return render(request, "inspections/inspectors.html", context)


inspector_edit = edit_view(
    Inspector,
    InspectorForm,
    lambda row, by, data: registers.save_inspector(row, by=by),
    allowed=permissions.can_run_enforcement,
    title=gettext_lazy("Inspector"),
    back="inspections:inspectors",
    done=lambda saved: reverse("inspections:inspectors"),
    new=lambda request: Inspector(),
)


@require_POST
def recusal_add(request: HttpRequest) -> HttpResponse:
    require(permissions.can_run_enforcement(request.user))
    form = RecusalForm(request.POST)
    done = reverse("inspections:inspectors")
    if not form.is_valid():
        messages.error(request, _("Choose the inspector and the enterprise, and give the reason."))
        return redirect(done)
    return act(
        request,
        lambda: registers.declare_recusal(
            form.cleaned_data["inspector"],
            enterprise=form.cleaned_data["enterprise"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        ),
        done=done,
        success=_("Recusal recorded."),
    )


@require_POST
def recusal_end(request: HttpRequest, pk: int) -> HttpResponse:
    require(permissions.can_run_enforcement(request.user))
    recusal = get_object_or_404(Recusal, pk=pk)
    return act(
        request,
        lambda: registers.end_recusal(recusal, by=request.user),
        done=reverse("inspections:inspectors"),
        success=_("Recusal ended."),
    )


def _save_task(task: InspectionTask, by: User, data: Data) -> InspectionTask:
    if task.created_by_id is None:
        task.created_by = person(by)
    return registers.save_task(task, by=by, items=list(data["items"]))


task_edit = edit_view(
    InspectionTask,
    TaskForm,
    _save_task,
    allowed=permissions.can_run_enforcement,
    title=gettext_lazy("Inspection task"),
    back="inspections:tasks",
    done=lambda saved: saved.get_absolute_url(),
    new=lambda request: InspectionTask(year=_year(request)),
)
