"""Heavy-pollution weather pages: alerts and their notices, compliance during an alert, reduction lists,
grades, neighbours' alerts, and the public CAP feed. Everyone logged in reads; the ecology bureau's
officers and the district office write (envplan.emergency.permissions)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from envplan.core import clock
from envplan.core.downloads import workbook_download
from envplan.core.formposts import act_on_form, act_on_shown_form
from envplan.core.spreadsheets import looks_like_formula, safe_row
from envplan.core.uploads import upload_limit, upload_limit_bytes
from envplan.emergency import cap, listxlsx, queries, services
from envplan.emergency.forms import (
    AdoptForm,
    CapSourceForm,
    ChangeForm,
    DowngradeForm,
    GradeForm,
    IssueForm,
    LiftForm,
    ListForm,
    UploadForm,
)
from envplan.emergency.models import (
    LEVEL_ZH,
    Alert,
    AlertChange,
    CapSource,
    Level,
    ListEntry,
    PerformanceGrade,
    ReductionList,
)
from envplan.emergency.permissions import can_manage_emergency, manager_required
from envplan.sources.models import Enterprise

FEED_SIZE = 200


def _limit() -> int:
    return upload_limit_bytes("batch")


def _form_error(form: forms.Form, error: services.EmergencyError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


# --- alerts ------------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    context = {
        "in_force": list(queries.alerts_in_force()),
        "alerts": list(queries.alert_list()[:100]),
        "neighbours": queries.neighbour_alerts_in_force(now=now),
        "lists": list(ReductionList.objects.annotate(entry_count=Count("entries"))[:10]),
        "can_manage": can_manage_emergency(request.user),
    }
    return render(request, "emergency/index.html", context)


def _initial_issue() -> dict[str, object]:
    last = Alert.objects.order_by("-issued_at").first()
    now = clock.now().replace(second=0, microsecond=0)
    initial: dict[str, object] = {"issued_at": now, "response_start": now, "forecast_start": now.date()}
    if last is not None:
        initial.update(
            region=last.region, region_code=last.region_code, issuer=last.issuer, sender=last.sender
        )
    return initial


def _alert_form(
    request: HttpRequest,
    form: IssueForm | ChangeForm,
    act: Callable[[dict[str, Any], services.Proposal], Alert],
    *,
    done: str,
    context: dict[str, object],
) -> HttpResponse:
    """The issue and change pages: a POST computes the level the forecast calls for; unless the officer only
    asked for that proposal, `act` issues or changes the alert from the form's data and the proposal."""
    proposal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.propose(data["forecast_start"], data["forecast"])
            if request.POST.get("action") != "propose":
                alert = act(data, proposal)
                messages.success(request, done)
                return redirect(alert)
        except services.EmergencyError as error:
            _form_error(form, error)
    return render(request, "emergency/alert_form.html", {"form": form, "proposal": proposal, **context})


@manager_required
@require_http_methods(["GET", "POST"])
def alert_new(request: HttpRequest) -> HttpResponse:
    form = IssueForm(request.POST or None, initial=_initial_issue())

    def issue(data: dict[str, Any], proposal: services.Proposal) -> Alert:
        return services.issue_alert(
            region=data["region"],
            region_code=data["region_code"],
            issuer=data["issuer"],
            sender=data["sender"],
            level=data["level"] or proposal.level,
            issued_at=data["issued_at"],
            response_start=data["response_start"],
            planned_end=data["planned_end"],
            **form.sent(),
            by=request.user,
        )

    return _alert_form(
        request, form, issue, done=_("The alert is issued."), context={"title": _("Issue an alert")}
    )


def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    changes = list(alert.changes.select_related("by").order_by("sequence"))
    context = {
        "alert": alert,
        "changes": changes,
        "periods": queries.level_periods(changes, now=clock.now()),
        "can_manage": can_manage_emergency(request.user),
    }
    return render(request, "emergency/alert_detail.html", context)


@manager_required
@require_http_methods(["GET", "POST"])
def alert_change(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk, state=Alert.State.ACTIVE)
    now = clock.now().replace(second=0, microsecond=0)
    form = ChangeForm(
        request.POST or None, initial={"sent_at": now, "effective_at": now, "forecast_start": now.date()}
    )

    def change(data: dict[str, Any], proposal: services.Proposal) -> Alert:
        level = data["level"] or proposal.level
        if level not in Level.values:
            raise services.EmergencyError(
                _("The forecast calls for no alert: lift the alert instead."), field="level"
            )
        services.change_alert(
            alert,
            level=level,
            sent_at=data["sent_at"],
            effective_at=data["effective_at"],
            planned_end=data["planned_end"],
            **form.sent(),
            by=request.user,
        )
        return alert

    context = {"alert": alert, "title": _("Raise, lower or update the alert")}
    return _alert_form(request, form, change, done=_("The alert is changed."), context=context)


@manager_required
@require_http_methods(["GET", "POST"])
def alert_lift(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk, state=Alert.State.ACTIVE)
    now = clock.now().replace(second=0, microsecond=0)
    form = LiftForm(request.POST or None, initial={"lifted_at": now, "forecast_start": now.date()})

    def lift(data: dict[str, Any]) -> Alert:
        services.lift_alert(alert, lifted_at=data["lifted_at"], **form.sent(), by=request.user)
        return alert

    lifted = act_on_shown_form(
        request, form, lift, refused=services.EmergencyError, done=_("The alert is lifted.")
    )
    if lifted is not None:
        return lifted
    context = {"form": form, "alert": alert, "title": _("Lift the alert"), "lifting": True}
    return render(request, "emergency/alert_form.html", context)


# --- compliance ----------------------------------------------------------------------------------------


def compliance_page(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    report = queries.compliance_report(alert, now=clock.now())
    return render(request, "emergency/compliance.html", {"alert": alert, "report": report})


def _case_labels() -> dict[str, str]:
    return {
        "over_allowance": _("emitted more than allowed"),
        "stopped_line_emitting": _("stopped line still emitting"),
        "no_data": _("no data during the alert"),
    }


def compliance_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    alert = get_object_or_404(Alert, pk=pk)
    report = queries.compliance_report(alert, now=clock.now())
    labels = _case_labels()
    rows = [{**row, "finding": labels[row["finding"]]} for row in queries.case_rows(report)]
    name = f"emergency-alert-{alert.pk}-cases"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(queries.CASE_COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_safe(v) for k, v in row.items()})
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "cases"
    safe_row(sheet, list(queries.CASE_COLUMNS))
    for row in rows:
        safe_row(sheet, [row[column] for column in queries.CASE_COLUMNS])
    return workbook_download(book, f"{name}.xlsx")


def _csv_safe(value: object) -> object:
    """A CSV cell that a spreadsheet will not evaluate: a quote before what looks like a formula."""
    return f"'{value}" if looks_like_formula(value) else value


# --- reduction lists and grades ------------------------------------------------------------------------


def list_index(request: HttpRequest) -> HttpResponse:
    lists = ReductionList.objects.annotate(entry_count=Count("entries")).select_related("revision_of")
    context = {"lists": lists, "form": ListForm(), "can_manage": can_manage_emergency(request.user)}
    return render(request, "emergency/lists.html", context)


@manager_required
@require_POST
def list_new(request: HttpRequest) -> HttpResponse:
    made = act_on_form(
        request,
        ListForm(request.POST),
        lambda data: services.create_list(title=data["title"], year=data["year"], by=request.user),
        refused=services.EmergencyError,
        invalid=_("The list was not created: give a title and a year."),
    )
    return redirect(made) if made is not None else redirect("emergency:lists")


def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reduction_list = get_object_or_404(ReductionList, pk=pk)
    on = reduction_list.revised_on or clock.today()
    entries = list(queries.list_entries(reduction_list))
    grades = queries.grades_in_force([e.enterprise_id for e in entries], on=on)
    rows = [
        {
            "entry": entry,
            "grade": grades.get(entry.enterprise_id),
            "cuts": {lv: queries.owed_cut(entry, lv, grades.get(entry.enterprise_id)) for lv in Level.values},
        }
        for entry in entries
    ]
    context = {
        "reduction_list": reduction_list,
        "rows": rows,
        "levels": [(lv, LEVEL_ZH[Level(lv)]) for lv in Level.values],
        "can_manage": can_manage_emergency(request.user),
        "upload_form": UploadForm(),
        "adopt_form": AdoptForm(initial={"revised_on": clock.today()}),
        "coverage": queries.coverage_share(reduction_list),
    }
    return render(request, "emergency/list_detail.html", context)


def list_export(request: HttpRequest, pk: int) -> HttpResponse:
    reduction_list = get_object_or_404(ReductionList, pk=pk)
    rows, caps = listxlsx.export_rows(reduction_list, on=reduction_list.revised_on or clock.today())
    response = HttpResponse(
        listxlsx.write_workbook(rows, caps),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="emergency-list-{reduction_list.pk}.xlsx"'
    return response


@manager_required
@upload_limit(_limit)
@require_POST
def list_import(request: HttpRequest, pk: int) -> HttpResponse:
    reduction_list = get_object_or_404(ReductionList, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    problems: list[listxlsx.Problem] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > _limit():
            messages.error(request, _("%(name)s is larger than the upload limit.") % {"name": upload.name})
            return redirect(reduction_list)
        try:
            result = services.import_list(
                reduction_list, name=upload.name, content=upload.read(), by=request.user
            )
        except services.EmergencyError as error:
            messages.error(request, str(error))
            return redirect(reduction_list)
        if not result.problems:
            messages.success(
                request,
                _("%(entries)d enterprises and %(lines)d production lines imported.")
                % {"entries": result.entries, "lines": result.lines},
            )
            return redirect(reduction_list)
        problems = result.problems
    context = {
        "reduction_list": reduction_list,
        "problems": problems[:1000],
        "more": max(0, len(problems) - 1000),
    }
    return render(request, "emergency/list_problems.html", context, status=400)


@manager_required
@require_POST
def list_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    reduction_list = get_object_or_404(ReductionList, pk=pk)
    act_on_form(
        request,
        AdoptForm(request.POST),
        lambda data: services.adopt_list(reduction_list, on=data["revised_on"], by=request.user),
        refused=services.EmergencyError,
        invalid=_("Give the date of the revision."),
        done=_("The list is adopted."),
    )
    return redirect(reduction_list)


@manager_required
@require_POST
def list_revise(request: HttpRequest, pk: int) -> HttpResponse:
    previous = get_object_or_404(ReductionList, pk=pk)
    year = clock.today().year
    made = services.revise_list(
        previous,
        title=_("Revision %(year)d of %(title)s") % {"year": year, "title": previous.title},
        year=year,
        by=request.user,
    )
    return redirect(made)


def grades_page(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = get_object_or_404(Enterprise, pk=enterprise_id)
    can_manage = can_manage_emergency(request.user)
    grade_form = GradeForm(
        request.POST if request.POST.get("action") == "record" else None,
        initial={"industry": enterprise.industry},
    )
    downgrade_form = DowngradeForm(request.POST if request.POST.get("action") == "downgrade" else None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        try:
            if grade_form.is_bound and grade_form.is_valid():
                data = grade_form.cleaned_data
                services.record_grade(enterprise, **data, by=request.user)
                messages.success(request, _("The grade is recorded."))
                return redirect("emergency:grades", enterprise_id=enterprise.pk)
            if downgrade_form.is_bound and downgrade_form.is_valid():
                current = get_object_or_404(
                    PerformanceGrade, pk=request.POST.get("current"), enterprise=enterprise
                )
                data = downgrade_form.cleaned_data
                services.downgrade(
                    current, to=data["grade"], on=data["on"], reason=data["reason"], by=request.user
                )
                messages.success(request, _("The grade is lowered."))
                return redirect("emergency:grades", enterprise_id=enterprise.pk)
        except services.EmergencyError as error:
            messages.error(request, str(error))
    context = {
        "enterprise": enterprise,
        "grades": enterprise.performance_grades.select_related("downgrade_of").order_by(
            "industry", "-valid_from"
        ),
        "in_force": queries.grades_in_force([enterprise.pk], on=clock.today()).get(enterprise.pk),
        "grade_form": grade_form,
        "downgrade_form": downgrade_form,
        "can_manage": can_manage,
        "entries": ListEntry.objects.filter(enterprise=enterprise).select_related("reduction_list"),
    }
    return render(request, "emergency/grades.html", context)


# --- neighbours and the CAP feed -----------------------------------------------------------------------


def neighbours(request: HttpRequest) -> HttpResponse:
    context = {
        "in_force": queries.neighbour_alerts_in_force(now=clock.now()),
        "messages_": list(queries.neighbour_messages()),
        "sources": list(CapSource.objects.all()),
        "source_form": CapSourceForm(),
        "upload_form": UploadForm(),
        "can_manage": can_manage_emergency(request.user),
    }
    return render(request, "emergency/neighbours.html", context)


@manager_required
@require_POST
def neighbour_source_new(request: HttpRequest) -> HttpResponse:
    act_on_form(
        request,
        CapSourceForm(request.POST),
        lambda data: services.save_cap_source(name=data["name"], url=data["url"], by=request.user),
        refused=services.EmergencyError,
        invalid=_("Give a name and an http(s) address."),
        done=_("The feed is added; the worker reads it every 15 minutes."),
    )
    return redirect("emergency:neighbours")


@manager_required
@upload_limit(_limit)
@require_POST
def neighbour_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CAP file."))
        return redirect("emergency:neighbours")
    upload = form.cleaned_data["file"]
    try:
        result = services.import_cap(upload.read(), name=upload.name, by=request.user)
    except services.EmergencyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(new)d new messages, %(known)d already known.") % {"new": result.new, "known": result.known},
        )
        if result.links:
            messages.warning(
                request,
                _("%(count)d entries only link to their message: add the feed's address to fetch them.")
                % {"count": len(result.links)},
            )
    return redirect("emergency:neighbours")


def _feed_entries(request: HttpRequest, changes: list[AlertChange]) -> list[cap.FeedEntry]:
    entries = []
    for change in changes:
        earlier = [c for c in change.alert.changes.all() if c.sequence < change.sequence]
        url = request.build_absolute_uri(reverse("emergency:cap_message", args=[change.pk]))
        web = request.build_absolute_uri(reverse("emergency:cap_feed"))
        entries.append(cap.FeedEntry(queries.cap_message(change, earlier, web=web), url))
    return entries


@login_not_required
@require_GET
def cap_feed(request: HttpRequest) -> HttpResponse:
    """The alerts as a CAP 1.2 Atom feed, public: neighbours' systems read it without logging in."""
    changes = queries.feed_changes(FEED_SIZE)
    entries = _feed_entries(request, changes)
    author = changes[0].alert.issuer if changes else "envplan"
    updated = changes[0].sent_at if changes else clock.now()
    body = cap.atom_feed(
        entries,
        title=_("Heavy-pollution alerts"),
        feed_url=request.build_absolute_uri(reverse("emergency:cap_feed")),
        author=author,
        updated=updated,
    )
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


@login_not_required
@require_GET
def cap_message(request: HttpRequest, pk: int) -> HttpResponse:
    change = (
        AlertChange.objects.select_related("alert")
        .prefetch_related(Prefetch("alert__changes", queryset=AlertChange.objects.order_by("sequence")))
        .filter(pk=pk)
        .first()
    )
    if change is None:
        raise Http404
    earlier = [c for c in change.alert.changes.all() if c.sequence < change.sequence]
    web = request.build_absolute_uri(reverse("emergency:cap_feed"))
    return HttpResponse(
        cap.alert_xml(queries.cap_message(change, earlier, web=web)), content_type=cap.CAP_MIME
    )
