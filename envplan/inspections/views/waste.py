"""Hazardous-waste assessment rounds: the round's figures, the checklist form, the results in Excel."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from envplan.core import clock
from envplan.core.downloads import workbook_download
from envplan.inspections import hazardous_waste as scheme
from envplan.inspections import permissions, queries
from envplan.inspections.errors import InspectionError
from envplan.inspections.forms import AssessmentForm, WasteRoundForm
from envplan.inspections.models import HazardousWasteAssessment, HazardousWasteRound, WasteRole
from envplan.inspections.services import hazardous_waste as services
from envplan.inspections.spreadsheets import waste_workbook
from envplan.inspections.views.common import edit_view, own_page, refused, require


def rounds(request: HttpRequest) -> HttpResponse:
    figures = [queries.round_figures(r) for r in HazardousWasteRound.objects.all()]
    context = {"figures": figures, "can_edit": permissions.can_assess_hazardous_waste(request.user)}
    return render(request, "inspections/waste_rounds.html", context)


round_edit = edit_view(
    WasteRoundForm,
    services.save_round,
    allowed=permissions.can_assess_hazardous_waste,
    title=gettext_lazy("Hazardous-waste assessment round"),
    back="inspections:waste_rounds",
    done=own_page,
    new=lambda request: HazardousWasteRound(year=clock.today().year),
)


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(HazardousWasteRound, pk=pk)
    context = {
        "figures": queries.round_figures(round_),
        "assessments": queries.round_assessments(round_),
        "can_edit": permissions.can_assess_hazardous_waste(request.user),
        "scheme": scheme,
        "producer_items": scheme.PRODUCER_ITEMS,
        "operator_items": scheme.OPERATOR_ITEMS,
    }
    return render(request, "inspections/waste_round.html", context)


@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    """The checklist of one unit: each item 2 / 1 / 0 or not applicable, veto findings, the outcome."""
    require(permissions.can_assess_hazardous_waste(request.user))
    round_ = get_object_or_404(HazardousWasteRound, pk=pk)
    role = request.GET.get("role") or request.POST.get("role") or WasteRole.PRODUCER
    if role not in WasteRole.values:
        role = WasteRole.PRODUCER
    initial: dict[str, object] = {"assessed_on": clock.today()}
    existing = None
    if request.GET.get("enterprise", "").isdigit():
        existing = HazardousWasteAssessment.objects.filter(
            round=round_, enterprise_id=int(request.GET["enterprise"]), role=role
        ).first()
    if existing is not None:
        initial.update(
            {"enterprise": existing.enterprise, "assessed_on": existing.assessed_on, "note": existing.note}
        )
        for code, value in existing.scores.items():
            initial[f"score_{code}"] = "na" if value is None else str(value)
        for code in existing.veto_items:
            initial[f"veto_{code}"] = True
    form = AssessmentForm(request.POST or None, role=role, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.assess(
                    round_,
                    enterprise=form.cleaned_data["enterprise"],
                    role=role,
                    assessed_on=form.cleaned_data["assessed_on"],
                    scores=form.scores(),
                    veto=form.veto(),
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except InspectionError as error:
                refused(form, error)
                status = error.http_status
            else:
                messages.success(request, _("Assessed."))
                return redirect(round_.get_absolute_url())
        else:
            status = 400
    context = {"round": round_, "form": form, "role": role, "roles": WasteRole.choices}
    return render(request, "inspections/waste_assess.html", context, status=status)


def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(HazardousWasteRound, pk=pk)
    require(permissions.can_assess_hazardous_waste(request.user))
    name = f"hazardous-waste-{round_.year}-{round_.pk}.xlsx"
    return workbook_download(waste_workbook(queries.round_assessments(round_)), name)
