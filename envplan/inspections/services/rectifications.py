"""Rectification tasks, from registration to closure (销号) and the look-back review (回头看).

Steps and who takes them (envplan.inspections.permissions): the office registers a task; the accepting
unit reports progress, adds evidence and applies for acceptance; its administrators (or the district
office) accept or refuse; the office publishes the closure notice (公示) and, once its period is over
without an objection upheld, closes the task; a look-back review of a closed task confirms it or
reopens it. `by=None` is the system (the Excel import command, the demo).
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from envplan.accounts.permissions import unit_ids
from envplan.core.services import Actor, person, record_audit
from envplan.inspections.errors import ErrorKind, InspectionError
from envplan.inspections.models import (
    OPEN_STATES,
    LookBack,
    LookBackOutcome,
    RectificationAction,
    RectificationEvent,
    RectificationEvidence,
    RectificationState,
    RectificationTask,
    RectificationUpdate,
)
from envplan.inspections.permissions import (
    can_accept_rectification,
    can_manage_rectifications,
    can_report_rectification,
)
from envplan.inspections.services.common import local_day, moment, require, save_row
from envplan.inspections.services.files import check_files, store_all
from envplan.inspections.workdays import add_working_days

# 公示期 of published closure notices: 10 working days (Puyang 2023, Suzhou 2024); some use 7 days.
NOTICE_WORKING_DAYS = 10
TASK_FIELDS = (
    "round", "feedback_on", "number", "problem", "subject", "accepting_unit", "goal", "deadline",
    "measures", "acceptance_level", "source_record",
)  # fmt: skip


def _lock(task: RectificationTask) -> RectificationTask:
    return RectificationTask.objects.select_for_update().select_related("accepting_unit").get(pk=task.pk)


def _state(task: RectificationTask, allowed: tuple[str, ...], message: str) -> None:
    if task.state not in allowed:
        raise InspectionError(message, kind=ErrorKind.WRONG_STATE, field="state")


def _event(task: RectificationTask, action: str, *, by: Actor, at: dt.datetime, comment: str = "") -> None:
    member = by is not None and task.accepting_unit_id in unit_ids(by)
    RectificationEvent.objects.create(
        task=task,
        action=action,
        at=at,
        by=person(by),
        by_unit_id=task.accepting_unit_id if member else None,
        comment=comment,
    )
    record_audit(
        task,
        action=f"inspections.rectification_{action}",
        actor=by,
        after={"state": task.state, "comment": comment},
    )


def _office(by: Actor) -> None:
    if by is not None:
        require(
            can_manage_rectifications(by),
            _("The rectification register is kept by the district office and the bureau."),
        )


def _reporter(by: Actor, task: RectificationTask) -> None:
    if by is not None:
        require(can_report_rectification(by, task), _("Only the accepting unit reports on this task."))


@transaction.atomic
def save_rectification(
    task: RectificationTask, *, by: Actor, now: dt.datetime | None = None
) -> RectificationTask:
    """Register a task or correct its description. Side effects: audit, and a `created` event when new."""
    _office(by)
    created = task.pk is None
    for name in ("problem", "subject", "goal"):
        if not str(getattr(task, name)).strip():
            raise InspectionError(_("This field is required."), field=name)
    save_row(task, by=by, action="inspections.rectification", fields=TASK_FIELDS)
    if created:
        RectificationEvent.objects.create(
            task=task, action=RectificationAction.CREATED, at=moment(now), by=person(by)
        )
    return task


@transaction.atomic
def record_progress(
    task: RectificationTask,
    *,
    by: Actor,
    month: dt.date,
    progress: str,
    problems: str = "",
    next_steps: str = "",
    now: dt.datetime | None = None,
) -> RectificationUpdate:
    """The month's progress (整改情况(月), 存在问题, 下步措施); writing the same month again replaces it."""
    task = _lock(task)
    _reporter(by, task)
    _state(task, OPEN_STATES, _("Progress is reported while the task is open."))
    if not progress.strip():
        raise InspectionError(_("Say what was done this month."), field="progress")
    now = moment(now)
    month = month.replace(day=1)
    if month > local_day(now):
        raise InspectionError(_("That month has not begun."), field="month")
    update, _created = RectificationUpdate.objects.update_or_create(
        task=task,
        month=month,
        defaults={
            "progress": progress.strip(),
            "problems": problems.strip(),
            "next_steps": next_steps.strip(),
            "by": person(by),
            "at": now,
        },
    )
    task.state = RectificationState.IN_PROGRESS
    task.save(update_fields=["state", "updated_at"])
    _event(task, RectificationAction.PROGRESS, by=person(by), at=now, comment=f"{month:%Y-%m}")
    return update


@transaction.atomic
def add_evidence(
    task: RectificationTask,
    *,
    by: Actor,
    uploads: list[UploadedFile[bytes]],
    note: str = "",
    generated: bool = False,
    now: dt.datetime | None = None,
) -> list[RectificationEvidence]:
    """Closure evidence, checked by content and size; all or none are stored."""
    task = _lock(task)
    _reporter(by, task)
    _state(
        task, (*OPEN_STATES, RectificationState.APPLIED), _("Evidence is added until the task is accepted.")
    )
    checked = check_files(uploads)
    now = moment(now)
    evidence = partial(RectificationEvidence, task=task, note=note.strip()[:300])
    stored = store_all(checked, evidence, by=by, at=now, generated=generated)
    _event(
        task, RectificationAction.EVIDENCE, by=by, at=now, comment=", ".join(e.original_name for e in stored)
    )
    return stored


@transaction.atomic
def apply_for_acceptance(
    task: RectificationTask, *, by: Actor, completion: str, now: dt.datetime | None = None
) -> RectificationTask:
    """The unit says the work is done (整改完成情况) and asks for acceptance; evidence is needed."""
    task = _lock(task)
    _reporter(by, task)
    _state(task, OPEN_STATES, _("Only an open task can be put forward for acceptance."))
    if not completion.strip():
        raise InspectionError(_("Say what was done."), field="completion")
    if not task.evidence.exists():
        raise InspectionError(_("Add the evidence before applying for acceptance."), field="evidence")
    now = moment(now)
    task.state, task.completion, task.applied_on = (
        RectificationState.APPLIED,
        completion.strip(),
        local_day(now),
    )
    task.save(update_fields=["state", "completion", "applied_on", "updated_at"])
    _event(task, RectificationAction.APPLIED, by=by, at=now)
    return task


@transaction.atomic
def decide_acceptance(
    task: RectificationTask, *, by: Actor, accept: bool, comment: str = "", now: dt.datetime | None = None
) -> RectificationTask:
    """Accept after the on-site check, or refuse with the reason (the task goes back to work)."""
    task = _lock(task)
    if by is not None:
        require(
            can_accept_rectification(by, task),
            _("Only the accepting unit's administrators or the district office accept a task."),
        )
    _state(
        task,
        (RectificationState.APPLIED,),
        _("Only a task put forward for acceptance can be accepted or refused."),
    )
    if not accept and not comment.strip():
        raise InspectionError(_("Say why the task is not accepted."), field="comment")
    now = moment(now)
    if accept:
        task.state, task.accepted_on = RectificationState.ACCEPTED, local_day(now)
    else:
        task.state, task.applied_on = RectificationState.IN_PROGRESS, None
    task.save(update_fields=["state", "accepted_on", "applied_on", "updated_at"])
    _event(
        task,
        RectificationAction.ACCEPTED if accept else RectificationAction.REFUSED,
        by=by,
        at=now,
        comment=comment.strip(),
    )
    return task


@transaction.atomic
def publicise_closure(
    task: RectificationTask,
    *,
    by: Actor,
    start: dt.date,
    end: dt.date | None = None,
    contact: str = "",
    now: dt.datetime | None = None,
) -> RectificationTask:
    """Publish the closure notice (验收销号公示) for its period (10 working days unless given)."""
    task = _lock(task)
    _office(by)
    _state(task, (RectificationState.ACCEPTED,), _("Only an accepted task gets a closure notice."))
    end = end or add_working_days(start, NOTICE_WORKING_DAYS)
    if task.accepted_on is not None and start < task.accepted_on:
        raise InspectionError(_("The notice cannot start before the acceptance."), field="start")
    if end <= start:
        raise InspectionError(_("The notice period ends after it starts."), field="end")
    now = moment(now)
    task.state, task.notice_start, task.notice_end, task.contact = (
        RectificationState.PUBLICISED,
        start,
        end,
        contact.strip(),
    )
    task.save(update_fields=["state", "notice_start", "notice_end", "contact", "updated_at"])
    _event(task, RectificationAction.PUBLICISED, by=by, at=now, comment=f"{start} – {end}")
    return task


@transaction.atomic
def close_rectification(
    task: RectificationTask, *, by: Actor, now: dt.datetime | None = None
) -> RectificationTask:
    """Close the task (销号) once its notice period is over."""
    task = _lock(task)
    _office(by)
    _state(task, (RectificationState.PUBLICISED,), _("A task is closed after its closure notice."))
    now = moment(now)
    today = local_day(now)
    assert task.notice_end is not None
    if today <= task.notice_end:
        raise InspectionError(
            _("The notice runs until %(day)s: close the task after that.") % {"day": task.notice_end},
            kind=ErrorKind.WRONG_STATE,
            field="state",
        )
    task.state, task.closed_on = RectificationState.CLOSED, today
    task.save(update_fields=["state", "closed_on", "updated_at"])
    _event(task, RectificationAction.CLOSED, by=by, at=now)
    return task


@transaction.atomic
def look_back(
    task: RectificationTask,
    *,
    by: Actor,
    reviewed_on: dt.date,
    holds: bool,
    note: str = "",
    now: dt.datetime | None = None,
) -> LookBack:
    """A look-back review of a closed task: the fix holds, or the problem is back and the task reopens."""
    task = _lock(task)
    _office(by)
    _state(task, (RectificationState.CLOSED,), _("A look-back review is made of a closed task."))
    now = moment(now)
    if reviewed_on > local_day(now) or (task.closed_on is not None and reviewed_on < task.closed_on):
        raise InspectionError(
            _("The review date must lie between the closure and today."), field="reviewed_on"
        )
    if not holds and not note.strip():
        raise InspectionError(_("Say what came back."), field="note")
    review = LookBack.objects.create(
        task=task,
        reviewed_on=reviewed_on,
        outcome=LookBackOutcome.HOLDS if holds else LookBackOutcome.REBOUND,
        note=note.strip(),
        by=person(by),
    )
    if not holds:
        task.state, task.closed_on, task.accepted_on, task.applied_on = (
            RectificationState.REOPENED,
            None,
            None,
            None,
        )
        task.notice_start = task.notice_end = None
        task.save()
    _event(
        task,
        RectificationAction.CONFIRMED if holds else RectificationAction.REOPENED,
        by=by,
        at=now,
        comment=note.strip(),
    )
    return review
