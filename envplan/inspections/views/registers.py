"""The registers: supervision objects and ratios per year, the item list, inspectors and recusals, tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from envplan.core import clock
from envplan.core.services import Person, person
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

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from envplan.inspections.views.common import act, edit_view, own_page, require


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


YearlyRow = TypeVar("YearlyRow", SupervisionObject, RatioRule, InspectionItem)


def _yearly(
    form_class: type[forms.ModelForm[YearlyRow]],
    save: Callable[..., YearlyRow],
    title: StrOrPromise,
    back: str,
) -> Callable[..., HttpResponse]:
    """A yearly register's add/edit page: a new row starts in the year asked for, a saved one goes back
    to its list at its year."""
    return edit_view(
        form_class,
        save,
        allowed=permissions.can_run_enforcement,
        title=title,
        back=back,
        done=lambda saved: f"{reverse(back)}?year={saved.year}",
        new=lambda request: form_class._meta.model(year=_year(request)),
    )


object_edit = _yearly(
    SupervisionObjectForm,
    registers.save_supervision_object,
    gettext_lazy("Supervision object"),
    "inspections:objects",
)
ratio_edit = _yearly(
    RatioRuleForm, registers.save_ratio_rule, gettext_lazy("Ratio rule"), "inspections:objects"
)


def items(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    context = {
        "year": year,
        "items": InspectionItem.objects.filter(year=year),
        "can_edit": permissions.can_run_enforcement(request.user),
    }
    return render(request, "inspections/items.html", context)


item_edit = _yearly(ItemForm, registers.save_item, gettext_lazy("Inspection item"), "inspections:items")


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
    InspectorForm,
    registers.save_inspector,
    allowed=permissions.can_run_enforcement,
    title=gettext_lazy("Inspector"),
    back="inspections:inspectors",
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


def _creator(task: InspectionTask, by: Person) -> None:
    if task.created_by_id is None:
        task.created_by = person(by)


task_edit = edit_view(
    TaskForm,
    registers.save_task,
    allowed=permissions.can_run_enforcement,
    title=gettext_lazy("Inspection task"),
    back="inspections:tasks",
    keywords=lambda data: {"items": list(data["items"])},
    prepare=_creator,
    done=own_page,
    new=lambda request: InspectionTask(year=_year(request)),
)
