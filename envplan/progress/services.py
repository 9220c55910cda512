"""Writes of the plan's daily workflow: reports, evidence, review, reporting calendar.

Every function runs in one transaction, writes its audit entry inside it, and sends notifications and
e-mail only after commit. A forbidden or impossible change raises `ProgressError` with a message for
the person, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from envplan.accounts import permissions
from envplan.core import clock
from envplan.core.services import record_audit, snapshot
from envplan.core.uploads import UploadRejected, check_upload
from envplan.plans.models import Plan, Task, Unit
from envplan.progress.models import (
    Evidence,
    ProgressReport,
    ReportAction,
    ReportEvent,
    ReportingSettings,
    ReportState,
    ReportStatus,
    ReportValue,
)

REPORT_FIELDS = ("narrative", "status", "state", "version")


class ProgressError(Exception):
    """A change that is not allowed or not possible; the message is shown to the person."""


def reporting_settings(plan: Plan) -> ReportingSettings:
    found = ReportingSettings.objects.filter(plan=plan).first()
    if found is not None:
        return found
    year = plan.year
    start = plan.date.replace(day=1) if plan.date and plan.date.year == year else dt.date(year, 1, 1)
    return ReportingSettings.objects.create(plan=plan, first_period=start, last_period=dt.date(year, 12, 1))


def due_date(settings: ReportingSettings, period: dt.date) -> dt.date:
    """A period's report is due on the due day of the month after the period."""
    following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following.replace(day=settings.due_day)


def is_closed(settings: ReportingSettings, period: dt.date) -> bool:
    return settings.closed_through is not None and period <= settings.closed_through


def task_unit_ids(task: Task) -> set[int]:
    """Units that report on a task: the units it names, and the members of group units it names."""
    named = {a.unit_id for a in task.assignments.all()}
    members = set(
        Unit.members.through.objects.filter(from_unit_id__in=named).values_list("to_unit_id", flat=True)
    )
    return named | members


def ensure_period(settings: ReportingSettings, period: dt.date) -> dt.date:
    period = period.replace(day=1)
    if not settings.first_period <= period <= settings.last_period:
        raise ProgressError(
            _("%(period)s is outside the plan's reporting periods (%(first)s to %(last)s).")
            % {
                "period": f"{period:%Y-%m}",
                "first": f"{settings.first_period:%Y-%m}",
                "last": f"{settings.last_period:%Y-%m}",
            }
        )
    if is_closed(settings, period):
        raise ProgressError(
            _("The period %(period)s is closed; its reports can no longer change.")
            % {"period": f"{period:%Y-%m}"}
        )
    return period


def parse_value(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ProgressError(_("%(value)r is not a number.") % {"value": raw}) from None
    if not value.is_finite():
        raise ProgressError(_("%(value)r is not a number.") % {"value": raw})
    return value


@transaction.atomic
def save_report(
    *,
    task: Task,
    unit: Unit,
    period: dt.date,
    by: Any,
    narrative: str,
    status: str,
    values: Mapping[int, Any] | None = None,
    expected_version: int | None = None,
    submit: bool = False,
    generated: bool = False,
) -> ProgressReport:
    """Create or update the unit's report for the task and period, and submit it if asked.

    `values` maps target ids of the task to values. `expected_version` is the version the form was made
    from: if the report changed meanwhile, ProgressError (stale form) and nothing is written.
    Side effects: audit `report.saved` / `report.submitted`, a ReportEvent; after commit, reviewers
    are notified of a submission.
    """
    if not (permissions.can_write_for_unit(by, unit.pk) or generated):
        raise ProgressError(_("You may only write reports for your own units."))
    if unit.pk not in task_unit_ids(task):
        raise ProgressError(_("This unit has no part in task %(number)s.") % {"number": task.number})
    settings = reporting_settings(task.plan)
    period = ensure_period(settings, period)
    if status not in ReportStatus.values:
        raise ProgressError(_("Unknown status %(status)r.") % {"status": status})

    report = ProgressReport.objects.select_for_update().filter(task=task, unit=unit, period=period).first()
    before = snapshot(report, REPORT_FIELDS) if report else None
    if report is None:
        if expected_version not in (None, 0):
            raise ProgressError(_("This report was deleted meanwhile; reload the page."))
        report = ProgressReport(task=task, unit=unit, period=period, generated=generated)
    else:
        if expected_version is not None and expected_version != report.version:
            raise ProgressError(
                _(
                    "Someone changed this report while you were editing it. "
                    "Reload it; your text is kept below."
                )
            )
        if report.state in (ReportState.SUBMITTED, ReportState.APPROVED):
            raise ProgressError(
                _("This report is %(state)s and can no longer be edited.")
                % {"state": report.get_state_display()}
            )
        report.version += 1

    report.narrative = narrative.strip()
    report.status = status
    now = clock.now()
    if submit:
        report.state = ReportState.SUBMITTED
        report.submitted_at = now
        report.submitted_by = by if getattr(by, "is_authenticated", False) else None
    elif report.state != ReportState.RETURNED:
        report.state = ReportState.DRAFT
    report.save()

    target_ids = set(task.targets.values_list("pk", flat=True))
    for target_id, raw in (values or {}).items():
        if raw in (None, ""):
            ReportValue.objects.filter(report=report, target_id=target_id).delete()
            continue
        if int(target_id) not in target_ids:
            raise ProgressError(_("Target %(id)s is not a target of this task.") % {"id": target_id})
        ReportValue.objects.update_or_create(
            report=report, target_id=target_id, defaults={"value": parse_value(raw)}
        )

    action = ReportAction.SUBMITTED if submit else ReportAction.SAVED
    ReportEvent.objects.create(report=report, action=action, by=user_or_none(by), by_unit=unit, at=now)
    record_audit(
        report,
        action=f"report.{action}",
        actor=user_or_none(by),
        before=before,
        after={
            **snapshot(report, REPORT_FIELDS),
            "values": {str(k): str(v) for k, v in (values or {}).items()},
        },
        plan_id=task.plan_id,
    )
    if submit:
        from envplan.progress import notifications

        transaction.on_commit(lambda: notifications.notify_submitted(report.pk))
    return report


def user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


@transaction.atomic
def add_evidence(report: ProgressReport, *, upload: UploadedFile, by: Any) -> Evidence:
    """Attach a file to a report the user may edit. Raises ProgressError for a wrong type or size."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if not permissions.can_edit_report(by, report):
        raise ProgressError(_("You may only add evidence to your own units' reports."))
    if report.state in (ReportState.SUBMITTED, ReportState.APPROVED):
        raise ProgressError(_("Evidence can only be added to a draft or returned report."))
    if is_closed(reporting_settings(report.task.plan), report.period):
        raise ProgressError(
            _("The period %(period)s is closed; its reports can no longer change.")
            % {"period": f"{report.period:%Y-%m}"}
        )
    try:
        kind = check_upload(upload)
    except UploadRejected as error:
        raise ProgressError(str(error)) from None
    upload.seek(0)
    digest = hashlib.sha256(upload.read()).hexdigest()
    upload.seek(0)
    evidence = Evidence(
        report=report,
        original_name=(upload.name or "file")[:255],
        content_type=kind.content_type,
        size=upload.size or 0,
        sha256=digest,
        uploaded_by=by,
    )
    evidence.file.save(safe_file_name(upload.name or "file"), upload, save=False)
    evidence.save()
    report.version += 1
    report.save(update_fields=["version", "updated_at"])
    ReportEvent.objects.create(
        report=report,
        action=ReportAction.EVIDENCE_ADDED,
        by=by,
        by_unit=report.unit,
        comment=evidence.original_name,
        at=clock.now(),
    )
    record_audit(
        report,
        action="report.evidence_added",
        actor=by,
        after={"file": evidence.original_name, "sha256": digest, "size": evidence.size},
        plan_id=report.task.plan_id,
    )
    return evidence


def safe_file_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in base).strip("._")
    return cleaned[:120] or "file"


@transaction.atomic
def review_report(
    report: ProgressReport, *, by: Any, approve: bool, comment: str = "", expected_version: int | None = None
) -> ProgressReport:
    """Approve or return a submitted report. Returning needs a comment. Only approved reports count.

    Side effects: audit `report.approved` / `report.returned`, a ReportEvent; after commit, the reporting
    unit's writers are notified.
    """
    report = ProgressReport.objects.select_for_update().select_related("task").get(pk=report.pk)
    if not permissions.can_review_report(by, report):
        raise ProgressError(_("Only the task's lead unit or the district office can review this report."))
    if report.state != ReportState.SUBMITTED:
        raise ProgressError(
            _("Only a submitted report can be reviewed; this one is %(state)s.")
            % {"state": report.get_state_display()}
        )
    if expected_version is not None and expected_version != report.version:
        raise ProgressError(_("The report changed while you were reviewing it; reload it."))
    if not approve and not comment.strip():
        raise ProgressError(_("Say what needs fixing when you return a report."))
    before = snapshot(report, REPORT_FIELDS)
    now = clock.now()
    report.state = ReportState.APPROVED if approve else ReportState.RETURNED
    report.approved_at = now if approve else None
    report.version += 1
    report.save()
    action = ReportAction.APPROVED if approve else ReportAction.RETURNED
    ReportEvent.objects.create(report=report, action=action, by=by, comment=comment.strip(), at=now)
    record_audit(
        report,
        action=f"report.{action}",
        actor=by,
        before=before,
        after={**snapshot(report, REPORT_FIELDS), "comment": comment.strip()},
        plan_id=report.task.plan_id,
    )
    if approve:
        from envplan.indicators.services import record_report_values

        record_report_values(report)
    from envplan.progress import notifications

    transaction.on_commit(lambda: notifications.notify_reviewed(report.pk))
    return report


@transaction.atomic
def close_periods(plan: Plan, *, through: dt.date, by: Any) -> ReportingSettings:
    """Close every period up to `through`: their reports can no longer change. Supervisors only."""
    if not permissions.is_supervisor(by):
        raise ProgressError(_("Only the district office can close periods."))
    settings = reporting_settings(plan)
    before = snapshot(settings, ("closed_through",))
    settings.closed_through = through.replace(day=1)
    settings.save(update_fields=["closed_through"])
    record_audit(
        settings,
        action="reporting.periods_closed",
        actor=by,
        before=before,
        after=snapshot(settings, ("closed_through",)),
        plan_id=plan.pk,
    )
    return settings


@transaction.atomic
def update_reporting_settings(plan: Plan, *, by: Any, **changes: Any) -> ReportingSettings:
    """Change the reporting calendar or assessment weights. Supervisors only."""
    if not permissions.is_supervisor(by):
        raise ProgressError(_("Only the district office can change the reporting settings."))
    settings = reporting_settings(plan)
    fields = tuple(changes)
    before = snapshot(settings, fields)
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    record_audit(
        settings,
        action="reporting.settings_changed",
        actor=by,
        before=before,
        after=snapshot(settings, fields),
        plan_id=plan.pk,
    )
    return settings
