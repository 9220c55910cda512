"""Ledger and batch downloads, batch upload, and the assessment pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from envplan.accounts import permissions
from envplan.core import clock
from envplan.core.formposts import upload_to_job
from envplan.core.uploads import XLSX, UploadRejected, check_upload, max_upload_bytes, upload_limit
from envplan.exports import batch as batches
from envplan.exports import pdf
from envplan.exports.assessment import COMPONENTS, Assessment, assess_units
from envplan.exports.forms import BatchUploadForm
from envplan.exports.jobs import BATCH_KIND
from envplan.exports.ledger import ledger_bytes
from envplan.plans.models import Plan, Unit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@require_GET
def index(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    units = Unit.objects.filter(pk__in=permissions.writer_unit_ids(request.user)).order_by("name")
    context = {
        "plan": plan,
        "units": units,
        "can_assess": permissions.sees_everything(request.user),
        "this_month": f"{clock.today():%Y-%m}",
    }
    return render(request, "exports/index.html", context)


@require_GET
def ledger_download(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    today = clock.today()
    return download(
        ledger_bytes(plan, today=today, reader=request.user),
        filename=f"ledger-{plan.year}-{today:%Y%m%d}.xlsx",
        content_type=XLSX_TYPE,
    )


def writable_unit(request: HttpRequest, code: str) -> Unit:
    unit = get_object_or_404(Unit, code=code)
    if not permissions.can_write_for_unit(request.user, unit.pk):
        raise PermissionDenied("batch reports are for the unit's writers")
    return unit


def requested_period(request: HttpRequest) -> dt.date | None:
    raw = request.GET.get("period", "")
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date() if raw else None
    except ValueError:
        raise Http404("bad period") from None


@upload_limit(max_upload_bytes)
@require_http_methods(["GET", "POST"])
def batch(request: HttpRequest, plan_id: int, code: str) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    unit = writable_unit(request, code)
    form = BatchUploadForm()
    if request.method == "POST":
        form = BatchUploadForm(request.POST, request.FILES)
        # Reading thousands of rows outlasts a request: the worker does it (envplan.exports.jobs).
        job = upload_to_job(
            request,
            form,
            BATCH_KIND,
            check=lambda upload: check_upload(upload, allowed=(XLSX,)),
            refused=UploadRejected,
            params=lambda data: {"plan": plan.pk, "unit": unit.code, "submit": data["mode"] == "submit"},
        )
        if job is not None:
            return redirect(job)
    # The saved reports or the rows' errors are shown on the job's page now, not here.
    context = {"plan": plan, "unit": unit, "form": form}
    return render(request, "exports/batch.html", context, status=400 if form.errors else 200)


@require_GET
def batch_template(request: HttpRequest, plan_id: int, code: str) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    unit = writable_unit(request, code)
    today = clock.today()
    content = batches.template_bytes(plan, unit, today=today, only=requested_period(request))
    return download(content, filename=f"reports-{unit.code}-{today:%Y%m%d}.xlsx", content_type=XLSX_TYPE)


def assessment_for(request: HttpRequest, plan_id: int) -> tuple[Plan, Assessment]:
    plan = get_object_or_404(Plan, pk=plan_id)
    if not permissions.sees_everything(request.user):
        raise PermissionDenied("the assessment is for supervisors and bureau officers")
    return plan, assess_units(plan, today=clock.today())


@require_GET
def assessment(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, result = assessment_for(request, plan_id)
    context = {"plan": plan, "assessment": result, "components": COMPONENTS, "title": pdf.assessment_title()}
    return render(request, "exports/assessment.html", context)


@require_GET
def assessment_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, result = assessment_for(request, plan_id)
    try:
        document = pdf.assessment_pdf(result)
    except pdf.PdfUnavailable as problem:
        context = {
            "plan": plan,
            "assessment": result,
            "components": COMPONENTS,
            "title": pdf.assessment_title(),
            "pdf_error": str(problem),
        }
        return render(request, "exports/assessment.html", context, status=503)
    return download(
        document,
        filename=f"assessment-{plan.year}-{clock.today():%Y%m%d}.pdf",
        content_type="application/pdf",
    )


@require_GET
def briefing_download(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The monthly briefing as Word or PDF, in the reader's language, for the district office and bureaus."""
    from envplan.exports import briefing as briefings

    plan = get_object_or_404(Plan, pk=plan_id)
    if not permissions.sees_everything(request.user):
        raise PermissionDenied("the briefing is for supervisors and bureau officers")
    kind = request.GET.get("format", "docx")
    if kind not in ("docx", "pdf"):
        raise Http404("no such format")
    today = clock.today()
    problem = ""
    try:
        month = briefings.parse_month(request.GET.get("month") or f"{today:%Y-%m}")
        made = briefings.build_briefing(plan, month, today=today, language=get_language() or "en")
        if kind == "pdf":
            return download(
                briefings.briefing_pdf(made),
                filename=f"briefing-{month:%Y-%m}.pdf",
                content_type="application/pdf",
            )
        return download(
            briefings.briefing_docx(made),
            filename=f"briefing-{month:%Y-%m}.docx",
            content_type=briefings.DOCX_TYPE,
        )
    except briefings.BriefingError as error:
        problem, status = str(error), 400
    except pdf.PdfUnavailable as error:
        problem, status = str(error), 503
    context = {
        "plan": plan,
        "units": Unit.objects.none(),
        "can_assess": True,
        "briefing_error": problem,
        "this_month": f"{today:%Y-%m}",
    }
    return render(request, "exports/index.html", context, status=status)
