"""Inspection records: the list a person works on, the record page, and the phone form used on site."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from envplan.core import clock
from envplan.core.uploads import upload_limit, upload_limit_bytes
from envplan.inspections import permissions, queries
from envplan.inspections.deadlines import RULE, result_clock, result_working_days
from envplan.inspections.errors import InspectionError
from envplan.inspections.forms import MeasurementForm, PhotoForm, RecordForm
from envplan.inspections.models import InspectionRecord, Photo, RecordState
from envplan.inspections.services import records as services
from envplan.inspections.services.files import MAX_FILES_PER_UPLOAD
from envplan.inspections.spreadsheets import results_workbook, workbook_bytes
from envplan.inspections.views.common import act, refused, require


def record_list(request: HttpRequest) -> HttpResponse:
    visible = queries.records_for(request.user)
    state = request.GET.get("state", "")
    if state in RecordState.values:
        visible = visible.filter(state=state)
    rows = queries.record_rows(visible.order_by("state", "-inspected_on", "pk")[:300], today=clock.today())
    context = {
        "rows": rows,
        "state": state,
        "states": RecordState.choices,
        "is_office": permissions.can_run_enforcement(request.user),
        "rule_days": result_working_days(),
    }
    return render(request, "inspections/records.html", context)


def _record(pk: int) -> InspectionRecord:
    return get_object_or_404(
        InspectionRecord.objects.select_related("task", "enterprise", "drawn_target__draw", "case_type"),
        pk=pk,
    )


def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(pk)
    require(permissions.can_view_record(request.user, record))
    published = record.published_at.date() if record.published_at else None
    editable = permissions.can_edit_record(request.user, record) and record.state != RecordState.PUBLISHED
    context = {
        "record": record,
        "findings": record.findings.select_related("item"),
        "measurements": record.measurements.all(),
        "photos": record.photos.all(),
        "inspectors": record.inspectors.all(),
        "clock": result_clock(record.inspected_on, published, today=clock.today()),
        "rule": RULE,
        "rule_days": result_working_days(),
        "can_edit": editable,
        "can_publish": permissions.can_publish_record(request.user, record)
        and record.state == RecordState.COMPLETED,
        "photo_form": PhotoForm(),
        "measurement_form": MeasurementForm(),
        "rectifications": record.rectifications.select_related("accepting_unit"),
    }
    return render(request, "inspections/record_detail.html", context)


def _initial(record: InspectionRecord) -> dict[str, object]:
    initial: dict[str, object] = {
        name: getattr(record, name)
        for name in (
            "inspected_on", "methods", "result", "follow_ups", "follow_up_other", "follow_up_done",
            "follow_up_done_on", "penalty_amount", "penalty_decision", "summary",
        )
    }  # fmt: skip
    for finding in record.findings.all():
        initial[f"checked_{finding.item_id}"] = finding.checked
        initial[f"problem_{finding.item_id}"] = finding.problem
        initial[f"handling_{finding.item_id}"] = finding.handling
    return initial


@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The on-site form: findings item by item, the result in the official vocabulary, penalties and
    follow-ups. Saving keeps a draft; "complete" also closes the inspection."""
    record = _record(pk)
    require(permissions.can_edit_record(request.user, record))
    if record.state == RecordState.PUBLISHED:
        messages.error(request, _("A published record cannot change."))
        return redirect(record.get_absolute_url())
    items = [finding.item for finding in record.findings.select_related("item")]
    form = RecordForm(request.POST or None, items=items, initial=_initial(record))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = services.RecordInput(
                inspected_on=form.cleaned_data["inspected_on"],
                methods=form.cleaned_data["methods"],
                result=form.cleaned_data["result"],
                follow_ups=form.cleaned_data["follow_ups"],
                follow_up_other=form.cleaned_data["follow_up_other"],
                follow_up_done=form.cleaned_data["follow_up_done"],
                follow_up_done_on=form.cleaned_data["follow_up_done_on"],
                penalty_amount=form.cleaned_data["penalty_amount"],
                penalty_decision=form.cleaned_data["penalty_decision"],
                summary=form.cleaned_data["summary"],
                findings={
                    item.pk: services.FindingInput(
                        checked=form.cleaned_data[f"checked_{item.pk}"],
                        problem=form.cleaned_data[f"problem_{item.pk}"],
                        handling=form.cleaned_data[f"handling_{item.pk}"],
                    )
                    for item in items
                },
            )
            try:
                services.save_record(record, by=request.user, data=data)
                if "complete" in request.POST:
                    services.complete_record(record, by=request.user)
            except InspectionError as error:
                refused(form, error)
                status = error.http_status
            else:
                messages.success(request, _("Completed.") if "complete" in request.POST else _("Saved."))
                return redirect(record.get_absolute_url())
        else:
            status = 400
    return render(request, "inspections/record_form.html", {"record": record, "form": form}, status=status)


@upload_limit(lambda: upload_limit_bytes("evidence") * MAX_FILES_PER_UPLOAD)
@require_POST
def record_photos(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(pk)
    require(permissions.can_edit_record(request.user, record))
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo."))
        return redirect(record.get_absolute_url())
    return act(
        request,
        lambda: services.add_photos(
            record, uploads=form.cleaned_data["photos"], caption=form.cleaned_data["caption"], by=request.user
        ),
        done=record.get_absolute_url(),
        success=_("Photos added."),
    )


@require_POST
def record_measurement(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(pk)
    require(permissions.can_edit_record(request.user, record))
    form = MeasurementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the parameter and a number for its value."))
        return redirect(record.get_absolute_url())
    data = form.cleaned_data
    limit: Decimal | None = data["limit"]
    return act(
        request,
        lambda: services.add_measurement(
            record,
            by=request.user,
            parameter=data["parameter"],
            value=data["value"],
            unit_of_measure=data["unit_of_measure"],
            limit=limit,
            location=data["location"],
            note=data["note"],
        ),
        done=record.get_absolute_url(),
        success=_("Measurement added."),
    )


@require_POST
def record_complete(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(pk)
    require(permissions.can_edit_record(request.user, record))
    return act(
        request,
        lambda: services.complete_record(record, by=request.user),
        done=record.get_absolute_url(),
        success=_("Completed."),
    )


@require_POST
def record_publish(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record(pk)
    require(permissions.can_publish_record(request.user, record))
    return act(
        request,
        lambda: services.publish_record(record, by=request.user),
        done=record.get_absolute_url(),
        success=_("Result published."),
    )


def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    photo = get_object_or_404(Photo.objects.select_related("record"), pk=pk)
    require(permissions.can_view_record(request.user, photo.record))
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404("the file is missing from storage") from None
    return FileResponse(handle, filename=photo.original_name, content_type=photo.content_type)


def results_export(request: HttpRequest) -> HttpResponse:
    """The published results in the public table's layout (序号 | 抽查事项名称 | 抽查对象名称 | 抽查结果)."""
    require(permissions.can_run_enforcement(request.user))
    content = workbook_bytes(results_workbook(queries.published_records()))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="random-inspection-results-{clock.today():%Y%m%d}.xlsx"'
    )
    return response
