"""Writes of the portal: correction requests (received from anyone, answered by the owning unit), the owners
of public tables, and the rate limit's counter. Each change runs in one transaction with its audit entry.

A correction request moves received → in progress → corrected or rejected (with reasons); it may go
straight from received to an answer. Its deadline is received + ENVPLAN_CORRECTION_DAYS days.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from envplan.core import clock
from envplan.core.services import Actor, person, record_audit
from envplan.plans.models import Unit
from envplan.portal.errors import PortalError, PortalErrorKind
from envplan.portal.models import (
    CorrectionAttempt,
    CorrectionKind,
    CorrectionRequest,
    CorrectionStatus,
    DataOwner,
)
from envplan.portal.permissions import can_answer, can_manage_owners
from envplan.portal.queries import find_item, owner_of

MAX_DESCRIPTION = 2000
MAX_ANSWER = 4000
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def new_reference() -> str:
    while True:
        reference = "C-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        if not CorrectionRequest.objects.filter(reference=reference).exists():
            return reference


def _public_fields(request: CorrectionRequest) -> dict[str, Any]:
    return {
        "reference": request.reference,
        "status": request.status,
        "unit": request.unit.code if request.unit else None,
        "due_on": request.due_on.isoformat(),
    }


@transaction.atomic
def submit_correction(
    *,
    kind: str,
    table: str,
    item: str,
    description: str,
    contact: str = "",
    now: dt.datetime | None = None,
    generated: bool = False,
) -> CorrectionRequest:
    """Receive a report from anyone about a public item (or a whole table) and route it to the unit that
    owns the data, with its deadline. The description and contact are kept for the unit, never published;
    the audit entry holds neither."""
    now = now or clock.now().replace(second=0, microsecond=0)
    if kind not in CorrectionKind.values:
        raise PortalError(_("Choose a data error or a complaint."), field="kind")
    found = find_item(table, item.strip(), now=now)
    if found is None:
        raise PortalError(_("This public item does not exist (any more)."), field="item")
    description = (description or "").strip()
    if not description:
        raise PortalError(_("Say what is wrong."), field="description")
    if len(description) > MAX_DESCRIPTION:
        raise PortalError(_("At most %(n)d characters.") % {"n": MAX_DESCRIPTION}, field="description")
    today = now.date()
    request = CorrectionRequest.objects.create(
        reference=new_reference(),
        kind=kind,
        section=found.section.key,
        table=found.table.name,
        item_key=found.key[:200],
        item_label=found.label,
        description=description,
        contact=(contact or "").strip()[:200],
        unit=owner_of(found),
        received_on=today,
        due_on=today + dt.timedelta(days=int(getattr(settings, "ENVPLAN_CORRECTION_DAYS", 15))),
        generated=generated,
    )
    record_audit(
        request,
        action="portal.correction_received",
        actor=None,
        after={**_public_fields(request), "kind": kind, "table": request.table, "item": request.item_key},
    )
    return request


def _require_answerer(request: CorrectionRequest, by: Actor) -> None:
    if by is not None and not can_answer(by, request):
        raise PortalError(
            _("Only the unit that owns the data, or the district office, answers this request."),
            kind=PortalErrorKind.NOT_ALLOWED,
        )


@transaction.atomic
def start_correction(request: CorrectionRequest, *, by: Actor) -> CorrectionRequest:
    """The owning unit takes the request up: its public status becomes "in progress"."""
    request = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
    _require_answerer(request, by)
    if request.status != CorrectionStatus.RECEIVED:
        raise PortalError(_("Only a request just received is taken up."), kind=PortalErrorKind.WRONG_STATE)
    before = _public_fields(request)
    request.status = CorrectionStatus.IN_PROGRESS
    request.save(update_fields=["status", "updated_at"])
    record_audit(
        request, action="portal.correction_started", actor=by, before=before, after=_public_fields(request)
    )
    return request


@transaction.atomic
def answer_correction(
    request: CorrectionRequest, *, status: str, answer: str, by: Actor, today: dt.date | None = None
) -> CorrectionRequest:
    """The unit's answer, published with the new status: corrected, or rejected with its reasons."""
    request = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
    _require_answerer(request, by)
    if request.is_final:
        raise PortalError(_("This request is already answered."), kind=PortalErrorKind.WRONG_STATE)
    if status not in (CorrectionStatus.CORRECTED, CorrectionStatus.REJECTED):
        raise PortalError(_("Answer with corrected or rejected."), field="status")
    answer = (answer or "").strip()
    if not answer:
        message = (
            _("Give the reasons for rejecting it; they are published.")
            if status == CorrectionStatus.REJECTED
            else _("Say what was corrected; the answer is published.")
        )
        raise PortalError(message, field="answer")
    if len(answer) > MAX_ANSWER:
        raise PortalError(_("At most %(n)d characters.") % {"n": MAX_ANSWER}, field="answer")
    before = _public_fields(request)
    request.status = status
    request.answer = answer
    request.answered_on = today or clock.today()
    request.answered_by = person(by)
    request.save()
    record_audit(
        request,
        action="portal.correction_answered",
        actor=by,
        before=before,
        after={**_public_fields(request), "answer": answer},
    )
    return request


@transaction.atomic
def route_correction(request: CorrectionRequest, *, unit: Unit | None, by: Actor) -> CorrectionRequest:
    """The district office sends a request to another unit (or keeps it: unit None)."""
    if by is not None and not can_manage_owners(by):
        raise PortalError(_("Only the district office re-routes requests."), kind=PortalErrorKind.NOT_ALLOWED)
    request = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
    if request.is_final:
        raise PortalError(_("This request is already answered."), kind=PortalErrorKind.WRONG_STATE)
    before = _public_fields(request)
    request.unit = unit
    request.save(update_fields=["unit", "updated_at"])
    record_audit(
        request, action="portal.correction_routed", actor=by, before=before, after=_public_fields(request)
    )
    return request


@transaction.atomic
def set_data_owner(table: str, *, unit: Unit | None, by: Actor) -> None:
    """Assign (or, with None, remove) the unit answering for a public table's data."""
    if by is not None and not can_manage_owners(by):
        raise PortalError(
            _("Only the district office assigns data owners."), kind=PortalErrorKind.NOT_ALLOWED
        )
    current = DataOwner.objects.filter(table=table).select_related("unit").first()
    before = {"table": table, "unit": current.unit.code if current else None}
    if unit is None:
        if current is None:
            return
        record_audit(current, action="portal.data_owner_removed", actor=by, before=before)
        current.delete()
        return
    if current is not None and current.unit_id == unit.pk:
        return
    if current is None:
        current = DataOwner.objects.create(table=table, unit=unit)
    else:
        current.unit = unit
        current.save(update_fields=["unit"])
    record_audit(
        current,
        action="portal.data_owner_set",
        actor=by,
        before=before,
        after={"table": table, "unit": unit.code},
    )


@transaction.atomic
def record_attempt(
    address: str, *, now: dt.datetime, limit: int, window: dt.timedelta, keep: dt.timedelta
) -> bool:
    """Count a correction form from an address (a keyed hash); False, and nothing counted, when the address
    already sent `limit` forms in the window. Rows past `keep` are deleted. Throttle bookkeeping, not a
    change of anyone's data: no audit entry."""
    CorrectionAttempt.objects.filter(at__lt=now - keep).delete()
    if CorrectionAttempt.objects.filter(address=address, at__gt=now - window).count() >= limit:
        return False
    CorrectionAttempt.objects.create(address=address, at=now)
    return True
