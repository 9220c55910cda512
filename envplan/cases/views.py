"""Screening cases: the ranked list, a case (its findings in the reader's language, the series with the
suspicious spans marked, the frames, the outcome form), its evidence packet, and the detectors'
precision. Supervisors and bureau officers only (envplan.cases.permissions)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from envplan.cases import packet, queries, services
from envplan.cases.explain import detector_name
from envplan.cases.forms import OutcomeForm
from envplan.cases.models import Case
from envplan.cases.permissions import can_judge_case, cases_required
from envplan.core import clock
from envplan.screening import DETECTORS


@require_GET
@cases_required
def case_list(request: HttpRequest) -> HttpResponse:
    open_cases = queries.ranked_cases()
    for row in open_cases:
        row.labels = [detector_name(name) for name in row.detectors]
    context = {"open_cases": open_cases, "judged_cases": queries.ranked_cases(judged=True, limit=50)}
    return render(request, "cases/case_list.html", context)


@require_http_methods(["GET", "POST"])
@cases_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("enterprise", "judged_by"), pk=pk)
    may_judge = can_judge_case(request.user, case)
    form = OutcomeForm(request.POST or None, initial={"outcome": case.outcome, "note": case.outcome_note})
    if request.method == "POST":
        if not may_judge:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.record_outcome(
                    case,
                    outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except services.CaseError as error:
                form.add_error(error.field or None, str(error))
            else:
                messages.success(request, _("Outcome recorded."))
                return redirect(case.get_absolute_url())
    findings, parts, risk = packet.explained(case)
    context = {
        "case": case,
        "findings": findings,
        "parts": parts,
        "risk": risk,
        "channels": packet.channel_evidence(case),
        "form": form,
        "may_judge": may_judge,
        "judgements": queries.judgements(case),
    }
    return render(request, "cases/case_detail.html", context)


@require_GET
@cases_required
def case_packet(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("enterprise"), pk=pk)
    try:
        document = packet.evidence_packet(case, now=clock.now())
    except packet.PacketUnavailable as problem:
        return render(
            request, "cases/packet_unavailable.html", {"case": case, "error": str(problem)}, status=503
        )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="case-{case.pk}-{clock.today():%Y%m%d}.pdf"'
    return response


@require_GET
@cases_required
def precision(request: HttpRequest) -> HttpResponse:
    table = queries.detector_precisions()
    rows = [(detector_name(name), table[name]) for name in DETECTORS if name in table]
    return render(request, "cases/precision.html", {"rows": rows})
