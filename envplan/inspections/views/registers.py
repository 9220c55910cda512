"""The registers: supervision objects and ratios per year, the item list, inspectors and recusals, tasks."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from envplan.core import clock
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
from envplan.inspections.views.common import act, edit_page, require


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


@require_http_methods(["GET", "POST"])
def object_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(permissions.can_run_enforcement(request.user))
    instance = get_object_or_404(SupervisionObject, pk=pk) if pk else SupervisionObject(year=_year(request))
    form = SupervisionObjectForm(request.POST or None, instance=instance)
    return edit_page(
        request,
        form,
        title=_("Supervision object"),
        save=lambda: registers.save_supervision_object(form.save(commit=False), by=request.user),
        done=lambda saved: f"{_objects_url()}?year={saved.year}",
        back=_objects_url(),
    )


def _objects_url() -> str:
    return reverse("inspections:objects")


@require_http_methods(["GET", "POST"])
def ratio_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(permissions.can_run_enforcement(request.user))
    instance = get_object_or_404(RatioRule, pk=pk) if pk else RatioRule(year=_year(request))
    form = RatioRuleForm(request.POST or None, instance=instance)
    return edit_page(
        request,
        form,
        title=_("Ratio rule"),
        save=lambda: registers.save_ratio_rule(form.save(commit=False), by=request.user),
        done=lambda saved: f"{_objects_url()}?year={saved.year}",
        back=_objects_url(),
    )


def items(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    context = {
        "year": year,
        "items": InspectionItem.objects.filter(year=year),
        "can_edit": permissions.can_run_enforcement(request.user),
    }
    return render(request, "inspections/items.html", context)


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(permissions.can_run_enforcement(request.user))
    instance = get_object_or_404(InspectionItem, pk=pk) if pk else InspectionItem(year=_year(request))
    form = ItemForm(request.POST or None, instance=instance)
    return edit_page(
        request,
        form,
        title=_("Inspection item"),
        save=lambda: registers.save_item(form.save(commit=False), by=request.user),
        done=lambda saved: f"{reverse('inspections:items')}?year={saved.year}",
        back=reverse("inspections:items"),
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


@require_http_methods(["GET", "POST"])
def inspector_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(permissions.can_run_enforcement(request.user))
    instance = get_object_or_404(Inspector, pk=pk) if pk else Inspector()
    form = InspectorForm(request.POST or None, instance=instance)
    return edit_page(
        request,
        form,
        title=_("Inspector"),
        save=lambda: registers.save_inspector(form.save(commit=False), by=request.user),
        done=lambda saved: reverse("inspections:inspectors"),
        back=reverse("inspections:inspectors"),
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


@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require(permissions.can_run_enforcement(request.user))
    instance = get_object_or_404(InspectionTask, pk=pk) if pk else InspectionTask(year=_year(request))
    form = TaskForm(request.POST or None, instance=instance)

    def save() -> InspectionTask:
        task = form.save(commit=False)
        if task.created_by_id is None:
            task.created_by = request.user
        return registers.save_task(task, by=request.user, items=list(form.cleaned_data["items"]))

    return edit_page(
        request,
        form,
        title=_("Inspection task"),
        save=save,
        done=lambda saved: saved.get_absolute_url(),
        back=reverse("inspections:tasks"),
    )
