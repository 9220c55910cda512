"""Progress pages: my reports, the report form, the report page and its review, the review queue, a
task's audit trail, notifications, and the reporting settings.

Views parse input, ask envplan.accounts.permissions, call the services, and render. A refused change
(ProgressError) becomes a message on the page with the person's input shown again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from envplan.accounts import permissions
from envplan.core import clock
from envplan.core.services import Person, person
from envplan.plans.models import Plan, Task, Unit
from envplan.plans.queries import current_plan
from envplan.progress import permissions as rules
from envplan.progress import queries, services
from envplan.progress.errors import ErrorKind, ProgressError
from envplan.progress.forms import ClosePeriodsForm, ReportForm, ReportingSettingsForm, ReviewForm
from envplan.progress.models import Evidence, Notification, ProgressReport, ReportState
from envplan.progress.periods import parse_period


def my_reports(request: HttpRequest) -> HttpResponse:
    plan = current_plan(request)
    slots: list[queries.ReportSlot] = []
    settings = None
    if plan is not None:
        settings = services.reporting_settings(plan)
        slots = queries.my_report_slots(request.user, plan, settings, clock.today())
    context = {
        "plan": plan,
        "settings": settings,
        "slots": slots,
        "queue": queries.review_queue(request.user),
        "is_writer": bool(permissions.writer_unit_ids(request.user)),
        "is_supervisor": permissions.is_supervisor(request.user),
        "managed_units": managed_units(request.user),
    }
    return render(request, "progress/my_reports.html", context)


def managed_units(user: Person) -> list[Unit]:
    ids = permissions.admin_unit_ids(user)
    return list(Unit.objects.filter(pk__in=ids).order_by("name")) if ids else []


def review_queue(request: HttpRequest) -> HttpResponse:
    if not (permissions.is_supervisor(request.user) or permissions.admin_unit_ids(request.user)):
        raise PermissionDenied("the review queue is for reviewers")
    return render(request, "progress/review_queue.html", {"queue": queries.review_queue(request.user)})


def report_form_context(
    *, task: Task, unit: Unit, period: dt.date, report: ProgressReport | None, form: ReportForm, closed: bool
) -> dict[str, Any]:
    return {
        "plan": task.plan,
        "task": task,
        "unit": unit,
        "period": period,
        "report": report,
        "form": form,
        "closed": closed,
    }


@require_http_methods(["GET", "POST"])
def edit_report(request: HttpRequest, task_id: int, unit_code: str, period: str) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("plan").prefetch_related("assignments"), pk=task_id)
    unit = get_object_or_404(Unit, code=unit_code)
    # The permission check comes before anything else about the report, so another unit learns nothing.
    if not permissions.can_write_for_unit(request.user, unit.pk):
        raise PermissionDenied("you may only write reports for your own units")
    if unit.pk not in rules.task_unit_ids(task):
        raise Http404("this unit has no part in the task")
    first_day = parse_period(period)
    settings = services.reporting_settings(task.plan)
    if first_day is None or not settings.first_period <= first_day <= settings.last_period:
        raise Http404("no such reporting period")
    targets = list(task.targets.order_by("position"))
    report = (
        ProgressReport.objects.filter(task=task, unit=unit, period=first_day)
        .prefetch_related("values")
        .first()
    )
    closed = services.is_closed(settings, first_day)

    if request.method == "GET":
        if report is not None and report.state in (ReportState.SUBMITTED, ReportState.APPROVED):
            messages.info(
                request,
                _("This report is %(state)s and can no longer be edited.")
                % {"state": report.get_state_display()},
            )
            return redirect(report)
        initial: dict[str, Any] = {"version": report.version if report else 0}
        if report is not None:
            initial |= {"narrative": report.narrative, "status": report.status}
            initial |= {f"value_{v.target_id}": format(v.value.normalize(), "f") for v in report.values.all()}
        form = ReportForm(initial=initial, targets=targets)
        if closed:
            messages.warning(
                request,
                _("The period %(period)s is closed; its reports can no longer change.")
                % {"period": f"{first_day:%Y-%m}"},
            )
        context = report_form_context(
            task=task, unit=unit, period=first_day, report=report, form=form, closed=closed
        )
        return render(request, "progress/report_form.html", context)

    form = ReportForm(request.POST, request.FILES, targets=targets)
    submit = "submit" in request.POST
    stale = False
    if form.is_valid():
        try:
            saved = services.save_report(
                task=task,
                unit=unit,
                period=first_day,
                by=request.user,
                narrative=form.cleaned_data["narrative"],
                status=form.cleaned_data["status"],
                values=form.values(),
                expected_version=form.cleaned_data["version"],
                evidence=form.cleaned_data["evidence"],
                submit=submit,
            )
        except ProgressError as error:
            if error.kind == ErrorKind.NOT_ALLOWED:
                raise PermissionDenied(error.message) from None
            form.add_problems(error)
            current = ProgressReport.objects.filter(task=task, unit=unit, period=first_day).first()
            if any(p.kind == ErrorKind.STALE for p in error.problems) and current is not None:
                # Stale form: keep the person's text, show what is saved now, and let a second save
                # knowingly replace it.
                data = request.POST.copy()
                data["version"] = str(current.version)
                form.data = data
                report = current
                stale = True
        else:
            if submit:
                messages.success(request, _("Your report was submitted for review."))
            else:
                messages.success(request, _("Your draft was saved."))
            return redirect(saved)
    context = report_form_context(
        task=task, unit=unit, period=first_day, report=report, form=form, closed=closed
    )
    context["stale"] = stale
    return render(request, "progress/report_form.html", context, status=400)


def viewable_report(request: HttpRequest, report_id: int) -> ProgressReport:
    report = queries.report_for_page(report_id)
    if report is None:
        raise Http404("no such report")
    if not rules.can_view_report(request.user, report):
        raise PermissionDenied("not your unit's report")
    return report


def report_page_context(
    request: HttpRequest, report: ProgressReport, review_form: ReviewForm | None
) -> dict[str, Any]:
    can_review = rules.can_review_report(request.user, report) and report.state == ReportState.SUBMITTED
    if can_review and review_form is None:
        review_form = ReviewForm(initial={"version": report.version})
    can_edit = rules.can_edit_report(request.user, report) and report.state in (
        ReportState.DRAFT,
        ReportState.RETURNED,
    )
    return {
        "plan": report.task.plan,
        "report": report,
        "task": report.task,
        "review_form": review_form if can_review else None,
        "can_edit": can_edit,
        "edit_period": f"{report.period:%Y-%m}",
    }


def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = viewable_report(request, report_id)
    return render(request, "progress/report_detail.html", report_page_context(request, report, None))


@require_POST
def review(request: HttpRequest, report_id: int) -> HttpResponse:
    report = viewable_report(request, report_id)
    if not rules.can_review_report(request.user, report):
        raise PermissionDenied("only the lead unit or the district office reviews this report")
    form = ReviewForm(request.POST)
    decision = request.POST.get("decision")
    if form.is_valid() and decision in ("approve", "return"):
        try:
            services.review_report(
                report,
                by=request.user,
                approve=decision == "approve",
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except ProgressError as error:
            form.add_error(None, str(error))
        else:
            if decision == "approve":
                messages.success(request, _("The report was approved."))
            else:
                messages.success(request, _("The report was returned to its unit."))
            return redirect("progress:report", report_id=report.pk)
    elif form.is_valid():
        form.add_error(None, _("Choose to approve or to return the report."))
    report = viewable_report(request, report_id)
    context = report_page_context(request, report, form)
    context["review_form"] = form
    return render(request, "progress/report_detail.html", context, status=400)


def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.select_related("report__task"), pk=evidence_id)
    if not rules.can_view_report(request.user, evidence.report):
        raise PermissionDenied("not your unit's report")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("the file is missing from storage") from None
    return FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )


def task_audit(request: HttpRequest, task_id: int) -> HttpResponse:
    # with_archived: the history of a task a plan revision removed stays reachable.
    task = get_object_or_404(
        Task.with_archived.select_related("plan").prefetch_related("assignments"), pk=task_id
    )
    if not rules.can_view_task_history(request.user, task):
        raise PermissionDenied("the task's history is for its units and the district office")
    entries = queries.task_audit_entries(task, request.user)
    return render(request, "progress/task_audit.html", {"plan": task.plan, "task": task, "entries": entries})


@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(user=person(request.user))
    if request.method == "POST":
        target = request.POST.get("notification", "")
        unread = mine.filter(read_at__isnull=True)
        if target == "all":
            unread.update(read_at=clock.now())
        elif target.isdigit():
            unread.filter(pk=int(target)).update(read_at=clock.now())
        return redirect("progress:notifications")
    return render(request, "progress/notifications.html", {"notifications": mine[:200]})


@require_http_methods(["GET", "POST"])
def plan_settings(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    if not permissions.is_supervisor(request.user):
        raise PermissionDenied("the reporting settings are for the district office")
    current = services.reporting_settings(plan)
    form = ReportingSettingsForm(instance=current, prefix="settings")
    close_form = ClosePeriodsForm(prefix="close")
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "close":
            close_form = ClosePeriodsForm(request.POST, prefix="close")
            if close_form.is_valid():
                try:
                    services.close_periods(plan, through=close_form.cleaned_data["through"], by=request.user)
                except ProgressError as error:
                    close_form.add_error(None, str(error))
                else:
                    messages.success(request, _("The periods were closed."))
                    return redirect("progress:settings", plan_id=plan.pk)
        else:
            # A separate instance so the failed values do not leak into `current`.
            form = ReportingSettingsForm(
                request.POST, instance=services.reporting_settings(plan), prefix="settings"
            )
            if form.is_valid():
                changes = {name: form.cleaned_data[name] for name in form.changed_data}
                try:
                    if changes:
                        services.update_reporting_settings(plan, by=request.user, **changes)
                except ProgressError as error:
                    form.add_error(None, str(error))
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("The reporting settings were saved."))
                    return redirect("progress:settings", plan_id=plan.pk)
        status = 400
    current.refresh_from_db()
    context = {"plan": plan, "settings": current, "form": form, "close_form": close_form}
    return render(request, "progress/settings.html", context, status=status)
