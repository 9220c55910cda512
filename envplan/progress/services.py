"""Writes of the plan's daily workflow: reports, evidence, review, reporting calendar.

The one path for every write of a report: the page, the API, the Excel batch and the demo call these
functions and only translate their errors. Every function checks everything first and raises
`ProgressError` (typed problems, each with a kind and a field) before writing anything; then it writes
in one transaction with its audit entry, and sends notifications and e-mail only after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Required, TypedDict, Unpack

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from envplan.accounts.permissions import is_supervisor
from envplan.core import clock
from envplan.core.services import Actor, Person, person, record_audit, snapshot
from envplan.core.uploads import UploadRejected, check_upload
from envplan.plans.models import Plan, Task, Unit
from envplan.progress import notifications
from envplan.progress import permissions as rules
from envplan.progress.calendar import due_date, in_calendar, is_closed, plan_periods, reporting_settings
from envplan.progress.errors import ErrorKind, Problem, ProgressError, value_field
from envplan.progress.models import (
    VALUE_DECIMAL_PLACES,
    VALUE_MAX_DIGITS,
    Evidence,
    ProgressReport,
    ReportAction,
    ReportEvent,
    ReportingSettings,
    ReportState,
    ReportStatus,
    ReportValue,
)

__all__ = [
    "ErrorKind",
    "ProgressError",
    "add_evidence",
    "check_report",
    "close_periods",
    "due_date",
    "is_closed",
    "parse_value",
    "plan_periods",
    "reporting_settings",
    "review_report",
    "save_report",
    "update_reporting_settings",
]

REPORT_FIELDS = ("narrative", "status", "state", "version")
LOCKED_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)
# An Excel cell holds at most 32,767 characters; a narrative must fit in the ledger whole.
NARRATIVE_MAX_CHARS = 20_000
# The largest magnitude a reported value may have: what ReportValue.value can store.
VALUE_LIMIT = Decimal(10) ** (VALUE_MAX_DIGITS - VALUE_DECIMAL_PLACES)


# --- checks (read only) ------------------------------------------------------------------------------


def period_problems(settings: ReportingSettings, period: dt.date) -> list[Problem]:
    if not in_calendar(settings, period):
        return [
            Problem(
                ErrorKind.OUT_OF_PERIODS,
                "period",
                _("%(period)s is outside the plan's reporting periods (%(first)s to %(last)s).")
                % {
                    "period": f"{period:%Y-%m}",
                    "first": f"{settings.first_period:%Y-%m}",
                    "last": f"{settings.last_period:%Y-%m}",
                },
            )
        ]
    if is_closed(settings, period):
        return [
            Problem(
                ErrorKind.PERIOD_CLOSED,
                "period",
                _("The period %(period)s is closed; its reports can no longer change.")
                % {"period": f"{period:%Y-%m}"},
            )
        ]
    return []


def archived_problems(task: Task) -> list[Problem]:
    """A task that a plan revision removed keeps its reports as they are: none of them changes again."""
    if task.archived_in_id is None:
        return []
    return [
        Problem(
            ErrorKind.LOCKED,
            "task",
            _("Task %(number)s was removed from the plan by a revision; its reports can no longer change.")
            % {"number": task.number},
        )
    ]


def parse_value(raw: Any, *, field: str = "value") -> Decimal:
    """A reported value from what a person typed (a comma is read as the decimal mark).

    Refused with a typed error: text that is not a number, infinity and NaN, numbers beyond what a value
    can hold (ten digits before the decimal mark) and more than six decimals.
    """
    text = str(raw).strip().replace(",", ".").replace(" ", "").replace("\u00a0", "")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ProgressError(
            _("%(value)s is not a number.") % {"value": shorten(raw)},
            kind=ErrorKind.NOT_A_NUMBER,
            field=field,
        ) from None
    if not value.is_finite():
        raise ProgressError(
            _("%(value)s is not a number.") % {"value": shorten(raw)},
            kind=ErrorKind.NOT_A_NUMBER,
            field=field,
        )
    if abs(value) >= VALUE_LIMIT:
        raise ProgressError(
            _("%(value)s is out of range: a value must be smaller than %(limit)s in magnitude.")
            % {"value": shorten(raw), "limit": f"{VALUE_LIMIT:,.0f}"},
            kind=ErrorKind.OUT_OF_RANGE,
            field=field,
        )
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -VALUE_DECIMAL_PLACES:
        raise ProgressError(
            _("%(value)s has more than %(places)d decimals.")
            % {"value": shorten(raw), "places": VALUE_DECIMAL_PLACES},
            kind=ErrorKind.OUT_OF_RANGE,
            field=field,
        )
    return value.quantize(Decimal(1).scaleb(-VALUE_DECIMAL_PLACES)).normalize() if value else Decimal(0)


def shorten(raw: Any, limit: int = 40) -> str:
    text = str(raw)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


class ReportFields(TypedDict, total=False):
    """What a person writes in a report, and who: the arguments of `check_report` and `save_report`.

    `values` maps target ids of the task to what was typed ("" or None removes a value);
    `expected_version` is the version the person read (0: no report yet; None, for internal callers
    only: no check); `generated` marks what the demo loader made up.
    """

    task: Required[Task]
    unit: Required[Unit]
    period: Required[dt.date]
    by: Required[Any]
    narrative: Required[str]
    status: Required[str]
    values: Mapping[int, Any] | Mapping[str, Any] | None
    expected_version: int | None
    evidence: Sequence[UploadedFile[bytes]]
    generated: bool


@dataclass(frozen=True)
class CheckedReport:
    """What a save would write, once every check passed."""

    period: dt.date
    status: str
    narrative: str
    values: dict[int, Decimal | None]
    report: ProgressReport | None  # the stored report (locked when checked for a save), or None


def check_report(*, lock: bool = False, **fields: Unpack[ReportFields]) -> CheckedReport:
    """Every rule of saving a report, checked without writing. Raises ProgressError with every problem.

    `expected_version` is the version the person read: 0 when they saw no report, None (internal callers
    only) for no check. A refused permission or a unit outside the task is reported alone, so that
    another unit learns nothing more about the report.
    """
    task, unit, by = fields["task"], fields["unit"], fields["by"]
    if not (fields.get("generated", False) or rules.can_write_report(by, unit)):
        raise ProgressError(
            _("You may only write reports for your own units."), kind=ErrorKind.NOT_ALLOWED, field="unit"
        )
    if archived := archived_problems(task):
        raise ProgressError(problems=archived)
    if unit.pk not in rules.task_unit_ids(task):
        raise ProgressError(
            _("This unit has no part in task %(number)s.") % {"number": task.number},
            kind=ErrorKind.NOT_INVOLVED,
            field="unit",
        )
    problems: list[Problem] = []
    settings = reporting_settings(task.plan)
    period = fields["period"].replace(day=1)
    status = fields["status"]
    problems += period_problems(settings, period)
    if not status:
        problems.append(Problem(ErrorKind.INVALID, "status", _("Choose a status.")))
    elif status not in ReportStatus.values:
        problems.append(
            Problem(
                ErrorKind.INVALID,
                "status",
                _("Unknown status %(status)s; choose one from the list.") % {"status": shorten(status)},
            )
        )
    narrative = (fields["narrative"] or "").strip()
    if len(narrative) > NARRATIVE_MAX_CHARS:
        problems.append(
            Problem(
                ErrorKind.INVALID,
                "narrative",
                _("The progress text has %(count)d characters; at most %(limit)d fit.")
                % {"count": len(narrative), "limit": NARRATIVE_MAX_CHARS},
            )
        )
    target_ids = {t.pk for t in task.targets.all()}
    parsed: dict[int, Decimal | None] = {}
    for key, raw in (fields.get("values") or {}).items():
        target_id = int(key) if str(key).isdigit() else None
        field = value_field(target_id) if target_id is not None else f"values.{key}"
        if target_id is None or target_id not in target_ids:
            problems.append(
                Problem(
                    ErrorKind.UNKNOWN_TARGET,
                    field,
                    _("Target %(id)s is not a target of this task.") % {"id": shorten(key)},
                )
            )
            continue
        if raw is None or str(raw).strip() == "":
            parsed[target_id] = None
            continue
        try:
            parsed[target_id] = parse_value(raw, field=field)
        except ProgressError as error:
            problems += error.problems
    for upload in fields.get("evidence", ()):
        try:
            check_upload(upload)
        except UploadRejected as error:
            problems.append(Problem(ErrorKind.BAD_FILE, "evidence", str(error)))

    found = ProgressReport.objects.filter(task=task, unit=unit, period=period)
    report = (found.select_for_update() if lock else found).first()
    problems += version_problems(report, fields.get("expected_version"))
    if report is not None and report.state in LOCKED_STATES:
        problems.append(
            Problem(
                ErrorKind.LOCKED,
                "state",
                _("This report is %(state)s and can no longer be edited.")
                % {"state": report.get_state_display()},
            )
        )
    if problems:
        # The most telling problem first: a conflict (409) before the field errors it may explain.
        problems.sort(key=lambda p: p.http_status != 409)
        raise ProgressError(problems=problems)
    return CheckedReport(period=period, status=status, narrative=narrative, values=parsed, report=report)


def version_problems(report: ProgressReport | None, expected_version: int | None) -> list[Problem]:
    if expected_version is None:
        return []
    if report is None and expected_version != 0:
        return [
            Problem(
                ErrorKind.STALE,
                "version",
                _("This report no longer exists (you read version %(yours)d); reload the page.")
                % {"yours": expected_version},
            )
        ]
    if report is not None and expected_version == 0:
        return [
            Problem(
                ErrorKind.STALE,
                "version",
                _(
                    "A report for this task, unit and period was saved meanwhile (version %(current)d); "
                    "read it and start from it."
                )
                % {"current": report.version},
            )
        ]
    if report is not None and expected_version != report.version:
        return [
            Problem(
                ErrorKind.STALE,
                "version",
                _(
                    "Someone changed this report since you read it (it is at version %(current)d, you read "
                    "version %(yours)d). Reload it; your text is kept below."
                )
                % {"current": report.version, "yours": expected_version},
            )
        ]
    return []


# --- writes ------------------------------------------------------------------------------------------


@transaction.atomic
def save_report(*, submit: bool = False, **fields: Unpack[ReportFields]) -> ProgressReport:
    """Create or update the unit's report for the task and period, attach files, and submit if asked.

    Everything is checked before anything is written (see `check_report` and `ReportFields`); a report
    changed since the person read it is refused as stale.
    Side effects: audit `report.saved` / `report.submitted` (and `report.evidence_added` per file),
    ReportEvents, evidence files in storage; after commit, reviewers are notified of a submission.
    """
    checked = check_report(lock=True, **fields)
    task, unit, by = fields["task"], fields["unit"], fields["by"]
    generated = fields.get("generated", False)
    report = checked.report
    before = snapshot(report, REPORT_FIELDS) if report else None
    if report is None:
        report = ProgressReport(task=task, unit=unit, period=checked.period, generated=generated)
    else:
        report.version += 1
    report.narrative = checked.narrative
    report.status = checked.status
    now = clock.now()
    if report.state != ReportState.RETURNED:
        report.state = ReportState.DRAFT
    report.save()

    for target_id, value in checked.values.items():
        if value is None:
            ReportValue.objects.filter(report=report, target_id=target_id).delete()
        else:
            ReportValue.objects.update_or_create(
                report=report, target_id=target_id, defaults={"value": value}
            )
    for upload in fields.get("evidence", ()):
        attach_evidence(report, upload=upload, by=by)
    if submit:
        report.state = ReportState.SUBMITTED
        report.submitted_at = now
        report.submitted_by = person(by)
        report.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])

    action = ReportAction.SUBMITTED if submit else ReportAction.SAVED
    ReportEvent.objects.create(report=report, action=action, by=person(by), by_unit=unit, at=now)
    record_audit(
        report,
        action=f"report.{action}",
        actor=person(by),
        before=before,
        after={
            **snapshot(report, REPORT_FIELDS),
            "values": {str(k): (None if v is None else str(v)) for k, v in checked.values.items()},
        },
        plan_id=task.plan_id,
    )
    if submit:
        report_id = report.pk
        transaction.on_commit(lambda: notifications.notify_submitted(report_id))
    return report


@transaction.atomic
def add_evidence(report: ProgressReport, *, upload: UploadedFile[bytes], by: Person) -> Evidence:
    """Attach a file to a draft or returned report the user may edit. Typed errors; nothing stored on one."""
    report = ProgressReport.objects.select_for_update().select_related("task__plan").get(pk=report.pk)
    if not rules.can_edit_report(by, report):
        raise ProgressError(
            _("You may only add evidence to your own units' reports."),
            kind=ErrorKind.NOT_ALLOWED,
            field="unit",
        )
    if report.state in LOCKED_STATES:
        raise ProgressError(
            _("Evidence can only be added to a draft or returned report."),
            kind=ErrorKind.LOCKED,
            field="state",
        )
    problems = archived_problems(report.task) + period_problems(
        reporting_settings(report.task.plan), report.period
    )
    try:
        check_upload(upload)
    except UploadRejected as error:
        problems.append(Problem(ErrorKind.BAD_FILE, "evidence", str(error)))
    if problems:
        raise ProgressError(problems=problems)
    evidence = attach_evidence(report, upload=upload, by=by)
    report.version += 1
    report.save(update_fields=["version", "updated_at"])
    return evidence


def attach_evidence(report: ProgressReport, *, upload: UploadedFile[bytes], by: Actor) -> Evidence:
    """Store a checked file on the report with its event and audit entry (inside the caller's transaction)."""
    kind = check_upload(upload)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        report=report,
        original_name=(upload.name or "file")[:255],
        content_type=kind.content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=person(by),
    )
    evidence.file.save(safe_file_name(upload.name or "file"), upload, save=False)
    evidence.save()
    ReportEvent.objects.create(
        report=report,
        action=ReportAction.EVIDENCE_ADDED,
        by=person(by),
        by_unit=report.unit,
        comment=evidence.original_name,
        at=clock.now(),
    )
    record_audit(
        report,
        action="report.evidence_added",
        actor=person(by),
        after={"file": evidence.original_name, "sha256": evidence.sha256, "size": evidence.size},
        plan_id=report.task.plan_id,
    )
    return evidence


def safe_file_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in base).strip("._")
    return cleaned[:120] or "file"


@transaction.atomic
def review_report(
    report: ProgressReport,
    *,
    by: Person,
    approve: bool,
    comment: str = "",
    expected_version: int | None = None,
) -> ProgressReport:
    """Approve or return a submitted report. Returning needs a comment. Only approved reports count.

    Side effects: audit `report.approved` / `report.returned`, a ReportEvent; approved values join the
    targets' series; after commit, the reporting unit's writers are notified.
    """
    report = ProgressReport.objects.select_for_update().select_related("task").get(pk=report.pk)
    if not rules.can_review_report(by, report):
        raise ProgressError(
            _("Only the task's lead unit or the district office can review this report."),
            kind=ErrorKind.NOT_ALLOWED,
            field="review",
        )
    if report.state != ReportState.SUBMITTED:
        raise ProgressError(
            _("Only a submitted report can be reviewed; this one is %(state)s.")
            % {"state": report.get_state_display()},
            kind=ErrorKind.WRONG_STATE,
            field="state",
        )
    if expected_version is not None and expected_version != report.version:
        raise ProgressError(
            _("The report changed while you were reviewing it; reload it."),
            kind=ErrorKind.STALE,
            field="version",
        )
    if not approve and not comment.strip():
        raise ProgressError(
            _("Say what needs fixing when you return a report."), kind=ErrorKind.INVALID, field="comment"
        )
    before = snapshot(report, REPORT_FIELDS)
    now = clock.now()
    report.state = ReportState.APPROVED if approve else ReportState.RETURNED
    report.approved_at = now if approve else None
    report.version += 1
    report.save()
    action = ReportAction.APPROVED if approve else ReportAction.RETURNED
    ReportEvent.objects.create(
        report=report,
        action=action,
        by=person(by),
        by_unit_id=rules.reviewing_unit_id(by, report),
        comment=comment.strip(),
        at=now,
    )
    record_audit(
        report,
        action=f"report.{action}",
        actor=by,
        before=before,
        after={**snapshot(report, REPORT_FIELDS), "comment": comment.strip()},
        plan_id=report.task.plan_id,
    )
    if approve:
        from envplan.indicators.services import record_report_values  # the workflow floor above

        record_report_values(report)
    report_id = report.pk
    transaction.on_commit(lambda: notifications.notify_reviewed(report_id))
    return report


@transaction.atomic
def close_periods(plan: Plan, *, through: dt.date, by: Person) -> ReportingSettings:
    """Close every period up to `through`: their reports can no longer change. Supervisors only."""
    if not is_supervisor(by):
        raise ProgressError(
            _("Only the district office can close periods."), kind=ErrorKind.NOT_ALLOWED, field="through"
        )
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
def update_reporting_settings(plan: Plan, *, by: Person, **changes: Any) -> ReportingSettings:
    """Change the reporting calendar or assessment weights. Supervisors only."""
    if not is_supervisor(by):
        raise ProgressError(
            _("Only the district office can change the reporting settings."), kind=ErrorKind.NOT_ALLOWED
        )
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
