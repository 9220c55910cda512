"""Rectification tasks: the register (filters, Excel in and out), a task's page with the step its
reader may take next, and the evidence files."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from envplan.core import clock
from envplan.core.downloads import stored_file, workbook_download
from envplan.core.jobs import enqueue
from envplan.core.services import Person, person
from envplan.core.uploads import XLSX, UploadRejected, check_upload, upload_limit, upload_limit_bytes
from envplan.inspections import permissions, queries
from envplan.inspections.forms import (
    ApplyForm,
    DecideForm,
    EvidenceForm,
    LedgerUploadForm,
    LookBackForm,
    ProgressForm,
    PubliciseForm,
    RectificationForm,
)
from envplan.inspections.jobs import LEDGER_IMPORT_KIND
from envplan.inspections.models import (
    OFFICIAL_STATUS,
    OPEN_STATES,
    RectificationEvidence,
    RectificationState,
    RectificationTask,
)
from envplan.inspections.services import rectifications as services
from envplan.inspections.services.files import MAX_FILES_PER_UPLOAD
from envplan.inspections.spreadsheets import ledger_workbook
from envplan.inspections.views.common import (
    edit_view,
    own_page,
    require,
    step,
)
from envplan.plans.models import Unit


def rectification_list(request: HttpRequest) -> HttpResponse:
    require(permissions.can_view_rectifications(request.user))
    state = request.GET.get("state", "")
    unit_text = request.GET.get("unit", "")
    unit = int(unit_text) if unit_text.isdigit() else None
    today = clock.today()
    tasks = list(queries.rectification_rows(state=state, unit=unit))
    if state == "late":
        tasks = [t for t in tasks if queries.is_late(t, today)]
    rows = [(task, queries.is_late(task, today)) for task in tasks]
    context = {
        "rows": rows,
        "state": state,
        "unit": unit,
        "states": RectificationState.choices,
        "units": Unit.objects.filter(rectifications__isnull=False).distinct().order_by("name"),
        "counts": queries.rectification_counts(today=today),
        "can_manage": permissions.can_manage_rectifications(request.user),
        "today": today,
    }
    return render(request, "inspections/rectifications.html", context)


def _creator(task: RectificationTask, by: Person) -> None:
    if task.pk is None:
        task.created_by = person(by)


rectification_edit = edit_view(
    RectificationForm,
    services.save_rectification,
    allowed=permissions.can_manage_rectifications,
    title=gettext_lazy("Rectification task"),
    back="inspections:rectifications",
    prepare=_creator,
    done=own_page,
)


def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(permissions.can_view_rectifications(request.user))
    task = get_object_or_404(
        RectificationTask.objects.select_related("accepting_unit", "source_record__enterprise"), pk=pk
    )
    today = clock.today()
    late = queries.is_late(task, today)
    user = request.user
    reporter = permissions.can_report_rectification(user, task)
    manager = permissions.can_manage_rectifications(user)
    context = {
        "task": task,
        "late": late,
        "official_status": OFFICIAL_STATUS["late" if late else task.state],
        "events": task.events.select_related("by", "by_unit"),
        "updates": task.updates.all(),
        "look_backs": task.look_backs.all(),
        "evidence": task.evidence.all() if permissions.can_view_rectification_evidence(user, task) else None,
        "can_report": reporter and task.state in OPEN_STATES,
        "can_add_evidence": reporter and task.state in (*OPEN_STATES, RectificationState.APPLIED),
        "can_decide": permissions.can_accept_rectification(user, task)
        and task.state == RectificationState.APPLIED,
        "can_publicise": manager and task.state == RectificationState.ACCEPTED,
        "can_close": manager and task.state == RectificationState.PUBLICISED,
        "can_look_back": manager and task.state == RectificationState.CLOSED,
        "can_edit": manager,
        "progress_form": ProgressForm(initial={"month": today.replace(day=1)}),
        "evidence_form": EvidenceForm(),
        "apply_form": ApplyForm(),
        "decide_form": DecideForm(),
        "publicise_form": PubliciseForm(initial={"start": today}),
        "look_back_form": LookBackForm(initial={"reviewed_on": today}),
    }
    return render(request, "inspections/rectification_detail.html", context)


def _task(pk: int) -> RectificationTask:
    return get_object_or_404(RectificationTask, pk=pk)


def _managing(user: Person, task: RectificationTask) -> bool:
    return permissions.can_manage_rectifications(user)


_reporting = permissions.can_report_rectification
rectification_progress = step(
    _task, _reporting, services.record_progress, form=ProgressForm, success=gettext_lazy("Progress recorded.")
)
rectification_evidence = upload_limit(lambda: upload_limit_bytes("evidence") * MAX_FILES_PER_UPLOAD)(
    step(
        _task,
        _reporting,
        services.add_evidence,
        form=EvidenceForm,
        keywords=lambda data: {"uploads": data["attachments"], "note": data["note"]},
        success=gettext_lazy("Evidence added."),
    )
)
rectification_apply = step(
    _task,
    _reporting,
    services.apply_for_acceptance,
    form=ApplyForm,
    success=gettext_lazy("Acceptance applied for."),
)
rectification_decide = step(
    _task,
    permissions.can_accept_rectification,
    services.decide_acceptance,
    form=DecideForm,
    keywords=lambda data: {"accept": data["decision"] == "accept", "comment": data["comment"]},
    success=lambda data: _("Accepted.") if data["decision"] == "accept" else _("Returned to the unit."),
)
rectification_publicise = step(
    _task,
    _managing,
    services.publicise_closure,
    form=PubliciseForm,
    success=gettext_lazy("Closure notice published."),
)
rectification_close = step(_task, _managing, services.close_rectification, success=gettext_lazy("Closed."))
rectification_look_back = step(
    _task,
    _managing,
    services.look_back,
    form=LookBackForm,
    keywords=lambda data: {
        "reviewed_on": data["reviewed_on"],
        "holds": data["outcome"] == "holds",
        "note": data["note"],
    },
    success=gettext_lazy("Look-back review recorded."),
)


def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(RectificationEvidence.objects.select_related("task"), pk=pk)
    require(permissions.can_view_rectification_evidence(request.user, evidence.task))
    return stored_file(
        evidence.file, name=evidence.original_name, content_type=evidence.content_type, as_attachment=True
    )


def ledger_export(request: HttpRequest) -> HttpResponse:
    require(permissions.can_manage_rectifications(request.user))
    tasks = queries.rectification_rows(round_name=request.GET.get("round", ""))
    name = f"rectification-ledger-{clock.today():%Y%m%d}.xlsx"
    return workbook_download(ledger_workbook(tasks, today=clock.today()), name)


@upload_limit(lambda: upload_limit_bytes("batch"))
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest) -> HttpResponse:
    """Upload a ledger; the worker reads it (a job), and its page lists every problem by row and column."""
    require(permissions.can_manage_rectifications(request.user))
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                check_upload(upload, allowed=(XLSX,))  # by content, with the archive checks of a .xlsx
            except UploadRejected as error:
                form.add_error("file", str(error))
            else:
                params = {
                    "round": form.cleaned_data["round"],
                    "feedback_on": form.cleaned_data["feedback_on"].isoformat()
                    if form.cleaned_data["feedback_on"]
                    else "",
                }
                return redirect(enqueue(LEDGER_IMPORT_KIND, by=request.user, upload=upload, params=params))
        status = 400
    return render(request, "inspections/ledger_import.html", {"form": form}, status=status)
