"""Inspection records: the list a person works on, the record page, and the phone form used on site."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from envplan.core import clock
from envplan.core.downloads import stored_file, workbook_download
from envplan.core.uploads import upload_limit, upload_limit_bytes
from envplan.inspections import permissions, queries
from envplan.inspections.deadlines import RULE, result_clock, result_working_days
from envplan.inspections.forms import MeasurementForm, PhotoForm, RecordForm
from envplan.inspections.models import InspectionRecord, Photo, RecordState
from envplan.inspections.services import records as services
from envplan.inspections.services.files import MAX_FILES_PER_UPLOAD
from envplan.inspections.spreadsheets import results_workbook
from envplan.inspections.views.common import (
    form_page,
    require,
    step,
)


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


# The record's own fields on the on-site form (its findings come item by item).
RECORD_FIELDS = (
    "inspected_on", "methods", "result", "follow_ups", "follow_up_other", "follow_up_done",
    "follow_up_done_on", "penalty_amount", "penalty_decision", "summary",
)  # fmt: skip


def _initial(record: InspectionRecord) -> dict[str, object]:
    initial: dict[str, object] = {name: getattr(record, name) for name in RECORD_FIELDS}
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

    def save() -> None:
        data = form.cleaned_data
        findings = {
            item.pk: services.FindingInput(
                checked=data[f"checked_{item.pk}"],
                problem=data[f"problem_{item.pk}"],
                handling=data[f"handling_{item.pk}"],
            )
            for item in items
        }
        entry = services.RecordInput(**{name: data[name] for name in RECORD_FIELDS}, findings=findings)
        services.save_record(record, by=request.user, data=entry)
        if "complete" in request.POST:
            services.complete_record(record, by=request.user)

    return form_page(
        request,
        form,
        save,
        template="inspections/record_form.html",
        context={"record": record},
        done=lambda saved: record.get_absolute_url(),
        success=lambda: _("Completed.") if "complete" in request.POST else _("Saved."),
    )


record_photos = upload_limit(lambda: upload_limit_bytes("evidence") * MAX_FILES_PER_UPLOAD)(
    step(
        _record,
        permissions.can_edit_record,
        services.add_photos,
        form=PhotoForm,
        keywords=lambda data: {"uploads": data["photos"], "caption": data["caption"]},
        invalid=gettext_lazy("Choose a photo."),
        success=gettext_lazy("Photos added."),
    )
)
record_measurement = step(
    _record,
    permissions.can_edit_record,
    services.add_measurement,
    form=MeasurementForm,
    invalid=gettext_lazy("Give the parameter and a number for its value."),
    success=gettext_lazy("Measurement added."),
)
record_complete = step(
    _record, permissions.can_edit_record, services.complete_record, success=gettext_lazy("Completed.")
)
record_publish = step(
    _record,
    permissions.can_publish_record,
    services.publish_record,
    success=gettext_lazy("Result published."),
)


def photo_file(request: HttpRequest, pk: int) -> FileResponse:
    photo = get_object_or_404(Photo.objects.select_related("record"), pk=pk)
    require(permissions.can_view_record(request.user, photo.record))
    return stored_file(photo.file, name=photo.original_name, content_type=photo.content_type)


def results_export(request: HttpRequest) -> HttpResponse:
    """The published results in the public table's layout (序号 | 抽查事项名称 | 抽查对象名称 | 抽查结果)."""
    require(permissions.can_run_enforcement(request.user))
    return workbook_download(
        results_workbook(queries.published_records()),
        f"random-inspection-results-{clock.today():%Y%m%d}.xlsx",
    )
