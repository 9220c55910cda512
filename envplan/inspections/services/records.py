"""Inspection records: written on site by the drawn team (or the office), completed, then published by
the office within the deadline (envplan.inspections.deadlines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from envplan.core.services import Actor, record_audit, snapshot
from envplan.inspections.deadlines import result_clock
from envplan.inspections.errors import ErrorKind, InspectionError
from envplan.inspections.models import (
    CheckMethod,
    CheckResult,
    FollowUp,
    InspectionRecord,
    Measurement,
    Photo,
    RecordState,
)
from envplan.inspections.permissions import can_edit_record, can_publish_record
from envplan.inspections.services.common import local_day, moment, require
from envplan.inspections.services.files import PHOTO_KINDS, check_files, store_all

RECORD_FIELDS = (
    "inspected_on", "methods", "result", "follow_ups", "follow_up_other", "follow_up_done",
    "follow_up_done_on", "penalty_amount", "penalty_decision", "summary",
)  # fmt: skip
MAX_AMOUNT = Decimal("1e12")


@dataclass
class FindingInput:
    checked: bool = True
    problem: str = ""
    handling: str = ""


@dataclass
class RecordInput:
    inspected_on: dt.date | None = None
    methods: list[str] = field(default_factory=list)
    result: str = ""
    follow_ups: list[str] = field(default_factory=list)
    follow_up_other: str = ""
    follow_up_done: bool = False
    follow_up_done_on: dt.date | None = None
    penalty_amount: Decimal | None = None
    penalty_decision: str = ""
    summary: str = ""
    findings: dict[int, FindingInput] = field(default_factory=dict)  # item id -> finding


def _open_record(record: InspectionRecord, by: Actor) -> InspectionRecord:
    record = InspectionRecord.objects.select_for_update().get(pk=record.pk)
    if by is not None:
        require(can_edit_record(by, record), _("Only the record's inspectors and the office may change it."))
    if record.state == RecordState.PUBLISHED:
        raise InspectionError(
            _("A published record cannot change."), kind=ErrorKind.WRONG_STATE, field="state"
        )
    return record


def _check(data: RecordInput, today: dt.date) -> None:
    if data.inspected_on is not None and data.inspected_on > today:
        raise InspectionError(_("The inspection date is in the future."), field="inspected_on")
    unknown = [m for m in data.methods if m not in CheckMethod.values]
    if unknown:
        raise InspectionError(_("Unknown check method."), field="methods")
    if data.result and data.result not in CheckResult.values:
        raise InspectionError(_("Unknown result."), field="result")
    if any(f not in FollowUp.values for f in data.follow_ups):
        raise InspectionError(_("Unknown follow-up."), field="follow_ups")
    if data.penalty_amount is not None and not 0 <= data.penalty_amount < MAX_AMOUNT:
        raise InspectionError(_("A fine is a positive amount in yuan."), field="penalty_amount")
    if data.follow_up_done and data.follow_up_done_on is None:
        raise InspectionError(_("Give the day the follow-up finished."), field="follow_up_done_on")
    if data.follow_up_done_on is not None:
        if data.follow_up_done_on > today:
            raise InspectionError(_("The follow-up cannot finish in the future."), field="follow_up_done_on")
        if data.inspected_on is not None and data.follow_up_done_on < data.inspected_on:
            raise InspectionError(
                _("The follow-up cannot finish before the inspection."), field="follow_up_done_on"
            )


@transaction.atomic
def save_record(
    record: InspectionRecord, *, by: Actor, data: RecordInput, now: dt.datetime | None = None
) -> InspectionRecord:
    """Write the record's content (and its findings). Side effect: audit `inspections.record_saved`."""
    record = _open_record(record, by)
    today = local_day(moment(now))
    _check(data, today)
    before = snapshot(record, RECORD_FIELDS)
    for name in RECORD_FIELDS:
        value = getattr(data, name)
        if name in ("methods", "follow_ups"):
            value = sorted(set(value))
        setattr(record, name, value)
    record.follow_up_done_on = data.follow_up_done_on if data.follow_up_done else None
    record.save()
    findings = {finding.item_id: finding for finding in record.findings.all()}
    for item_id, given in data.findings.items():
        finding = findings.get(item_id)
        if finding is None:
            raise InspectionError(_("That item is not on this task's list."), field="findings")
        finding.checked, finding.problem, finding.handling = (
            given.checked,
            given.problem.strip(),
            given.handling.strip(),
        )
        finding.save()
    record_audit(
        record,
        action="inspections.record_saved",
        actor=by,
        before=before,
        after={**snapshot(record, RECORD_FIELDS), "findings": len(data.findings)},
    )
    return record


@transaction.atomic
def complete_record(
    record: InspectionRecord, *, by: Actor, now: dt.datetime | None = None
) -> InspectionRecord:
    """The inspection is done: it has a date, a method, a result, and every checked item says what was
    found. Side effect: audit `inspections.record_completed`."""
    record = _open_record(record, by)
    if record.state != RecordState.DRAFT:
        raise InspectionError(
            _("The record is already completed."), kind=ErrorKind.WRONG_STATE, field="state"
        )
    missing = [
        (name, message)
        for name, value, message in (
            ("inspected_on", record.inspected_on, _("Give the inspection date.")),
            ("methods", record.methods, _("Give at least one check method.")),
            ("result", record.result, _("Give the result.")),
        )
        if not value
    ]
    if missing:
        raise InspectionError(missing[0][1], field=missing[0][0])
    if record.result not in (CheckResult.NO_PROBLEM, CheckResult.NO_ACTIVITY) and not record.follow_ups:
        raise InspectionError(_("A problem was found: say what follows."), field="follow_ups")
    record.state, record.completed_at = RecordState.COMPLETED, moment(now)
    record.save(update_fields=["state", "completed_at", "updated_at"])
    record_audit(record, action="inspections.record_completed", actor=by, after={"result": record.result})
    return record


@transaction.atomic
def publish_record(
    record: InspectionRecord, *, by: Actor, now: dt.datetime | None = None
) -> InspectionRecord:
    """Publish the result (序号 | 抽查事项 | 抽查对象 | 抽查结果 on the public page). Side effect: audit
    `inspections.record_published`, saying whether it was within the deadline."""
    record = InspectionRecord.objects.select_for_update().get(pk=record.pk)
    if by is not None:
        require(
            can_publish_record(by, record), _("Results are published by the district office and the bureau.")
        )
    if record.state != RecordState.COMPLETED:
        raise InspectionError(
            _("Only a completed record can be published."), kind=ErrorKind.WRONG_STATE, field="state"
        )
    now = moment(now)
    record.state, record.published_at = RecordState.PUBLISHED, now
    record.save(update_fields=["state", "published_at", "updated_at"])
    clock = result_clock(record.inspected_on, local_day(now), today=local_day(now))
    record_audit(
        record,
        action="inspections.record_published",
        actor=by,
        after={
            "deadline": str(clock.deadline) if clock else None,
            "on_time": bool(clock and clock.state == "on_time"),
        },
    )
    return record


@transaction.atomic
def add_photos(
    record: InspectionRecord,
    *,
    uploads: Sequence[UploadedFile[bytes]],
    by: Actor,
    caption: str = "",
    generated: bool = False,
    now: dt.datetime | None = None,
) -> list[Photo]:
    """Photos taken on site, checked by content (JPEG, PNG, WebP, GIF) and size; all or none are stored.
    Side effect: audit `inspections.photo_added` for each."""
    record = _open_record(record, by)
    checked = check_files(uploads, allowed=PHOTO_KINDS)
    now = moment(now)
    photo_of = partial(Photo, record=record, caption=caption.strip()[:300])
    photos = store_all(checked, photo_of, by=by, at=now, generated=generated)
    for photo in photos:
        record_audit(
            photo,
            action="inspections.photo_added",
            actor=by,
            after={
                "record": record.pk,
                "name": photo.original_name,
                "sha256": photo.sha256,
                "size": photo.size,
            },
        )
    return photos


@transaction.atomic
def add_measurement(
    record: InspectionRecord,
    *,
    by: Actor,
    parameter: str,
    value: Decimal,
    unit_of_measure: str = "",
    limit: Decimal | None = None,
    location: str = "",
    note: str = "",
) -> Measurement:
    record = _open_record(record, by)
    if not parameter.strip():
        raise InspectionError(_("Name what was measured."), field="parameter")
    for name, number in (("value", value), ("limit", limit)):
        if number is not None and (not number.is_finite() or abs(number) >= Decimal("1e10")):
            raise InspectionError(_("A value is a finite number smaller than 10¹⁰."), field=name)
    measurement = Measurement.objects.create(
        record=record,
        parameter=parameter.strip()[:100],
        value=value,
        unit_of_measure=unit_of_measure.strip()[:20],
        limit=limit,
        location=location.strip()[:200],
        note=note.strip()[:300],
    )
    record_audit(
        measurement,
        action="inspections.measurement_added",
        actor=by,
        after=snapshot(measurement, ("record", "parameter", "value", "unit_of_measure", "limit", "location")),
    )
    return measurement


@transaction.atomic
def link_case(record: InspectionRecord, *, by: Actor, case: models.Model | None) -> InspectionRecord:
    """Point the record at the case (a screening case, a complaint…) it follows, or at nothing.
    Side effect: audit `inspections.case_linked`."""
    record = _open_record(record, by)
    before = {"case_type": record.case_type_id, "case_id": record.case_id}
    if case is None:
        record.case_type, record.case_id = None, ""
    else:
        record.case_type, record.case_id = ContentType.objects.get_for_model(case), str(case.pk)
    record.save(update_fields=["case_type", "case_id", "updated_at"])
    record_audit(
        record,
        action="inspections.case_linked",
        actor=by,
        before=before,
        after={"case_type": record.case_type_id, "case_id": record.case_id},
    )
    return record
