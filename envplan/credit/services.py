"""Writes of the credit cycle: rounds, ratings, hand-entered evidence, notices, objections and their review,
publication, credit repair. Each runs in one transaction and leaves an audit entry.

The cycle of a rating: draft (computed, recomputed at will) → notice issued to the enterprise (its evidence
is frozen; objections until the deadline) → an objection entered by an officer puts it under review → the
review upholds (the contested records stop counting, the rating is recomputed) or rejects it, and the
rating is back to "notice issued" → after the deadline, with no objection pending, it is published and its
grade is in force → after the scheme's waiting period, a credit repair may be applied for; accepted, the
rectified records stop counting and the new grade is in force from that day.

`by=None` is the system (the demo loader); any person must be allowed to rate (envplan.credit.permissions).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, NotRequired, TypedDict, Unpack

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from envplan.core import clock
from envplan.core.services import Actor, person, record_audit
from envplan.core.uploads import UploadRejected, check_upload
from envplan.credit import registry
from envplan.credit.errors import CreditError, CreditErrorKind
from envplan.credit.models import (
    Attachment,
    CreditNotice,
    CreditRating,
    CreditRound,
    Decision,
    GradeInForce,
    ManualEvidence,
    Objection,
    RatingState,
    RepairRequest,
)
from envplan.credit.permissions import can_rate
from envplan.credit.schemes import available
from envplan.sources.models import Enterprise
from envplan.standards.credit import CODES, Evidence, Rating, SchemeError, rate

MAX_TEXT = 5000


def _require_rater(by: Actor) -> None:
    if by is not None and not can_rate(by):
        raise CreditError(
            _("Only the district office and the bureau's officers rate enterprises."),
            kind=CreditErrorKind.NOT_ALLOWED,
        )


def _text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise CreditError(_("This field is required."), field=field)
    if len(value) > MAX_TEXT:
        raise CreditError(_("At most %(n)d characters.") % {"n": MAX_TEXT}, field=field)
    return value


def _attach(obj: Attachment, upload: UploadedFile[bytes] | None, *, required: bool) -> None:
    if upload is None:
        if required:
            raise CreditError(_("Attach the document."), field="file", kind=CreditErrorKind.BAD_FILE)
        return
    try:
        kind = check_upload(upload)
    except UploadRejected as error:
        raise CreditError(str(error), field="file", kind=CreditErrorKind.BAD_FILE) from None
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    obj.original_name = (upload.name or "document")[:255]
    obj.content_type = kind.content_type
    obj.size = len(content)
    obj.sha256 = hashlib.sha256(content).hexdigest()
    obj.file.save(obj.original_name, upload, save=False)


# --- evidence as stored beside a rating ---------------------------------------------------------------


def evidence_to_json(rows: Iterable[Evidence]) -> list[dict[str, Any]]:
    return [
        {
            "record": row.record,
            "label": row.label,
            "code": row.code,
            "quantity": str(row.quantity),
            "on": row.on.isoformat(),
            "explanation": row.explanation,
            "url": row.url,
            "generated": row.generated,
        }
        for row in rows
    ]


def evidence_from_json(rows: Iterable[dict[str, Any]]) -> list[Evidence]:
    return [
        Evidence(
            record=row["record"],
            label=row["label"],
            code=row["code"],
            quantity=Decimal(row["quantity"]),
            on=dt.date.fromisoformat(row["on"]),
            explanation=row.get("explanation", ""),
            url=row.get("url", ""),
            generated=bool(row.get("generated")),
        )
        for row in rows
    ]


def _apply(rating: CreditRating, result: Rating) -> None:
    rating.score = result.score
    rating.grade = result.grade
    rating.score_grade = result.score_grade
    rating.vetoed = result.vetoed
    rating.explanation = result.as_dict()


class RatingSummary(TypedDict):
    score: str
    grade: str
    state: str


def _summary(rating: CreditRating) -> RatingSummary:
    return {"score": str(rating.score), "grade": rating.grade, "state": rating.state}


# --- rounds and drafts -----------------------------------------------------------------------------------


@transaction.atomic
def create_round(
    *,
    title: str,
    scheme_id: str,
    period_start: dt.date,
    period_end: dt.date,
    by: Actor,
    generated: bool = False,
) -> CreditRound:
    """A rating round under a scheme; the scheme's file is copied into the round."""
    _require_rater(by)
    try:
        schemes = available()
    except SchemeError as error:
        raise CreditError(str(error), field="scheme_id") from None
    if scheme_id not in schemes:
        raise CreditError(_("No scheme %(id)s.") % {"id": scheme_id}, field="scheme_id")
    if period_end < period_start:
        raise CreditError(_("The period ends before it starts."), field="period_end")
    scheme = schemes[scheme_id]
    created = CreditRound.objects.create(
        title=_text(title, "title")[:200],
        scheme_id=scheme.id,
        scheme_edition=scheme.edition,
        scheme_document=scheme.document_data,
        period_start=period_start,
        period_end=period_end,
        created_by=person(by),
        generated=generated,
    )
    record_audit(
        created,
        action="credit.round_created",
        actor=by,
        after={"scheme": scheme.id, "start": period_start.isoformat(), "end": period_end.isoformat()},
    )
    return created


def _period(rating_round: CreditRound, today: dt.date) -> registry.Period:
    if today < rating_round.period_start:
        raise CreditError(
            _("The round's period starts on %(day)s: nothing to rate yet.")
            % {"day": rating_round.period_start.isoformat()},
            kind=CreditErrorKind.TOO_EARLY,
        )
    return registry.Period(rating_round.period_start, min(rating_round.period_end, today))


@transaction.atomic
def compute_rating(
    rating_round: CreditRound, enterprise: Enterprise, *, by: Actor, today: dt.date | None = None
) -> CreditRating:
    """Compute (or recompute) an enterprise's draft from every registered evidence source. Refused once
    the notice is issued: from then on only an objection or a repair changes the rating."""
    _require_rater(by)
    today = today or clock.today()
    period = _period(rating_round, today)
    rating = (
        CreditRating.objects.select_for_update().filter(round=rating_round, enterprise=enterprise).first()
    )
    if rating is not None and rating.state != RatingState.DRAFT:
        raise CreditError(
            _("The notice is issued: the rating changes only through an objection or a credit repair."),
            kind=CreditErrorKind.WRONG_STATE,
        )
    evidence = registry.collect(enterprise, period)
    result = rate(rating_round.scheme, evidence)
    before = None if rating is None else dict(_summary(rating))
    if rating is None:
        rating = CreditRating(round=rating_round, enterprise=enterprise)
    _apply(rating, result)
    rating.evidence = evidence_to_json(evidence)
    rating.exclusions = {}
    rating.as_of = period.end
    rating.save()
    record_audit(
        rating,
        action="credit.rating_computed",
        actor=by,
        before=before,
        after={**_summary(rating), "as_of": period.end.isoformat(), "records": len(evidence)},
    )
    return rating


def compute_round(
    rating_round: CreditRound, *, by: Actor, today: dt.date | None = None
) -> list[CreditRating]:
    """Compute the drafts of every enterprise of the registry (ratings past the draft are left alone)."""
    _require_rater(by)
    done = []
    notified = set(
        rating_round.ratings.exclude(state=RatingState.DRAFT).values_list("enterprise_id", flat=True)
    )
    for enterprise in Enterprise.objects.order_by("name"):
        if enterprise.pk not in notified:
            done.append(compute_rating(rating_round, enterprise, by=by, today=today))
    return done


# --- evidence entered by hand ------------------------------------------------------------------------------


def parse_quantity(code: str, raw: str | Decimal | int) -> Decimal:
    try:
        quantity = Decimal(str(raw).strip())
    except InvalidOperation:
        raise CreditError(_("Enter a number."), field="quantity") from None
    if not quantity.is_finite() or quantity < 0 or quantity >= Decimal(10) ** 12:
        raise CreditError(_("Enter a number of 0 or more."), field="quantity")
    unit = CODES[code].unit
    if unit == "level" and quantity not in (0, 1, 2):
        raise CreditError(_("Enter 2 (pass), 1 (basic pass) or 0 (fail)."), field="quantity")
    if unit == "%" and quantity > 100:
        raise CreditError(_("A share is at most 100."), field="quantity")
    if unit == "count" and (quantity != quantity.to_integral_value() or quantity < 1):
        raise CreditError(_("Enter a whole number, 1 or more."), field="quantity")
    return quantity


@transaction.atomic
def add_evidence(
    enterprise: Enterprise,
    *,
    code: str,
    on: dt.date,
    quantity: str | Decimal | int,
    reference: str,
    description: str,
    upload: UploadedFile[bytes] | None,
    by: Actor,
    generated: bool = False,
) -> ManualEvidence:
    """Enter a fact envplan does not compute, with its document (required, except from the demo loader)."""
    _require_rater(by)
    if code not in registry.manual_codes():
        computed = registry.computed_codes().get(code)
        message = (
            _("This kind is computed by %(source)s; it is not entered by hand.") % {"source": computed}
            if computed
            else _("Unknown kind.")
        )
        raise CreditError(message, field="code")
    entry = ManualEvidence(
        enterprise=enterprise,
        code=code,
        on=on,
        quantity=parse_quantity(code, quantity),
        reference=_text(reference, "reference")[:200],
        description=_text(description, "description"),
        entered_by=person(by),
        generated=generated,
    )
    _attach(entry, upload, required=by is not None)
    entry.save()
    record_audit(
        entry,
        action="credit.evidence_added",
        actor=by,
        after={
            "code": code,
            "on": on.isoformat(),
            "quantity": str(entry.quantity),
            "reference": entry.reference,
        },
    )
    return entry


@transaction.atomic
def withdraw_evidence(entry: ManualEvidence, *, reason: str, by: Actor, today: dt.date | None = None) -> None:
    """Withdraw a hand entry (entered in error, or annulled). Ratings already notified keep their frozen
    evidence: there, only an objection or a repair sets a record aside."""
    _require_rater(by)
    if entry.withdrawn_on is not None:
        raise CreditError(_("Already withdrawn."), kind=CreditErrorKind.WRONG_STATE)
    entry.withdrawn_on = today or clock.today()
    entry.withdrawn_reason = _text(reason, "reason")
    entry.save(update_fields=["withdrawn_on", "withdrawn_reason", "updated_at"])
    record_audit(
        entry, action="credit.evidence_withdrawn", actor=by, after={"reason": entry.withdrawn_reason}
    )


# --- notice, objection, publication ------------------------------------------------------------------------


@transaction.atomic
def issue_notice(
    rating: CreditRating, *, by: Actor, today: dt.date | None = None, language: str | None = None
) -> CreditNotice:
    """Notify the draft to the enterprise: the notice record and its document, kept as issued. The
    evidence is frozen from now on; the enterprise may object until today + the scheme's objection days."""
    _require_rater(by)
    rating = CreditRating.objects.select_for_update().select_related("round", "enterprise").get(pk=rating.pk)
    if rating.state != RatingState.DRAFT:
        raise CreditError(_("Only a draft is notified."), kind=CreditErrorKind.WRONG_STATE)
    today = today or clock.today()
    scheme = rating.round.scheme
    deadline = today + dt.timedelta(days=scheme.objection_days)
    number = (
        f"CR-{rating.round.period_end:%Y}-{rating.round.pk:03d}-{rating.pk:05d}-{rating.notices.count() + 1}"
    )
    language = language or translation.get_language() or "zh-hans"
    with translation.override(language):
        from envplan.credit.queries import explanation_view

        document = render_to_string(
            "credit/notice_document.html",
            {
                "rating": rating,
                "number": number,
                "issued_on": today,
                "deadline": deadline,
                "scheme": scheme,
                "view": explanation_view(rating, language=language),
            },
        )
    notice = CreditNotice.objects.create(
        rating=rating,
        number=number,
        issued_on=today,
        objection_deadline=deadline,
        score=rating.score,
        grade=rating.grade,
        language=language,
        document=document,
        issued_by=person(by),
    )
    rating.state = RatingState.NOTICED
    rating.save(update_fields=["state", "updated_at"])
    record_audit(
        rating,
        action="credit.notice_issued",
        actor=by,
        after={**_summary(rating), "notice": number, "objections_until": deadline.isoformat()},
    )
    return notice


def current_notice(rating: CreditRating) -> CreditNotice | None:
    return rating.notices.order_by("-issued_on", "-pk").first()


def _records(rating: CreditRating, records: Sequence[str]) -> list[str]:
    known = {row["record"] for row in rating.evidence}
    chosen = [record for record in dict.fromkeys(records) if record]
    unknown = [record for record in chosen if record not in known]
    if unknown:
        raise CreditError(
            _("Not a record of this rating: %(r)s") % {"r": ", ".join(unknown)}, field="records"
        )
    return chosen


class Application(TypedDict):
    """What an officer enters for an objection or a repair application, on the enterprise's behalf: its
    statement, the rating's records it names, its evidence, and the day it was received (default today)."""

    statement: str
    records: Sequence[str]
    upload: UploadedFile[bytes] | None
    by: Actor
    received_on: NotRequired[dt.date | None]


def _receive(
    entry: Objection | RepairRequest, application: Application, *, none_chosen: str, action: str
) -> None:
    """Fill, save and audit an objection or a repair application: the statement, the rating's records it
    names (at least one) and its evidence (required from an officer)."""
    by = application["by"]
    entry.statement = _text(application["statement"], "statement")
    entry.records = _records(entry.rating, application["records"])
    entry.entered_by = person(by)
    if not entry.records:
        raise CreditError(none_chosen, field="records")
    _attach(entry, application["upload"], required=by is not None)
    entry.save()
    record_audit(
        entry,
        action=action,
        actor=by,
        after={
            "rating": entry.rating.pk,
            "records": entry.records,
            "received_on": entry.received_on.isoformat(),
        },
    )


@transaction.atomic
def record_objection(rating: CreditRating, **application: Unpack[Application]) -> Objection:
    """Enter the enterprise's objection on its behalf, with its evidence; the rating goes under review."""
    _require_rater(application["by"])
    rating = CreditRating.objects.select_for_update().get(pk=rating.pk)
    if rating.state != RatingState.NOTICED:
        raise CreditError(
            _("An objection is received while the notice runs, one at a time."),
            kind=CreditErrorKind.WRONG_STATE,
        )
    received_on = application.get("received_on") or clock.today()
    notice = current_notice(rating)
    assert notice is not None
    if received_on > notice.objection_deadline:
        raise CreditError(
            _("The objection period ended on %(day)s.") % {"day": notice.objection_deadline.isoformat()},
            kind=CreditErrorKind.TOO_LATE,
            field="received_on",
        )
    objection = Objection(rating=rating, received_on=received_on)
    rating.state = RatingState.UNDER_REVIEW
    rating.save(update_fields=["state", "updated_at"])
    _receive(
        objection,
        application,
        none_chosen=_("Choose the records the enterprise contests."),
        action="credit.objection_recorded",
    )
    return objection


def _recompute(rating: CreditRating, exclusions: dict[str, str]) -> None:
    result = rate(rating.round.scheme, evidence_from_json(rating.evidence), exclusions)
    rating.exclusions = exclusions
    _apply(rating, result)


def _decide(
    decided: Objection | RepairRequest,
    *,
    upheld: bool,
    reason: str,
    by: Actor,
    on: dt.date,
    before: RatingSummary,
    action: str,
) -> None:
    """Record the decision on an objection or a repair application, with the rating as it was and became,
    and audit it on the rating (the audit names the objection or the repair by its key)."""
    rating = decided.rating
    decided.decision = Decision.UPHELD if upheld else Decision.REJECTED
    decided.decision_reason = reason
    decided.decided_by = person(by)
    decided.decided_on = on
    decided.before = before
    decided.after = _summary(rating)
    decided.save()
    key = "objection" if isinstance(decided, Objection) else "repair"
    record_audit(
        rating,
        action=action,
        actor=by,
        before=dict(before),
        after={**_summary(rating), key: decided.pk, "reason": reason},
    )


def _put_in_force(rating: CreditRating, today: dt.date, reason: GradeInForce.Reason) -> None:
    """From today the rating's grade is the enterprise's grade (published, or changed by a repair)."""
    GradeInForce.objects.create(
        enterprise_id=rating.enterprise_id,
        rating=rating,
        grade=rating.grade,
        score=rating.score,
        valid_from=today,
        reason=reason,
    )


@transaction.atomic
def review_objection(
    objection: Objection,
    *,
    uphold: bool,
    reason: str,
    by: Actor,
    records: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> CreditRating:
    """Decide an objection. Upheld: the records it names (or the subset given) stop counting, with the
    reason, and the rating is recomputed from its frozen evidence; the audit keeps the score and grade
    before and after. Either way the notice runs on to its deadline."""
    _require_rater(by)
    objection = Objection.objects.select_for_update().select_related("rating__round").get(pk=objection.pk)
    rating = objection.rating
    if objection.decision != Decision.PENDING or rating.state != RatingState.UNDER_REVIEW:
        raise CreditError(_("This objection is already decided."), kind=CreditErrorKind.WRONG_STATE)
    reason = _text(reason, "reason")
    before = _summary(rating)
    if uphold:
        chosen = objection.records if records is None else _records(rating, records)
        outside = [r for r in chosen if r not in objection.records]
        if outside or not chosen:
            raise CreditError(_("Choose among the records the objection contests."), field="records")
        note = _("objection of %(day)s upheld: %(reason)s") % {
            "day": objection.received_on.isoformat(),
            "reason": reason,
        }
        _recompute(rating, {**rating.exclusions, **dict.fromkeys(chosen, note)})
    rating.state = RatingState.NOTICED
    rating.save()
    _decide(
        objection,
        upheld=uphold,
        reason=reason,
        by=by,
        on=today or clock.today(),
        before=before,
        action="credit.objection_upheld" if uphold else "credit.objection_rejected",
    )
    return rating


def publishable(rating: CreditRating, today: dt.date) -> tuple[bool, str]:
    """Whether the rating may be published today, and if not, why."""
    if rating.state != RatingState.NOTICED:
        return False, _("Only a notified rating with no objection under review is published.")
    notice = current_notice(rating)
    if notice is None or today <= notice.objection_deadline:
        deadline = notice.objection_deadline.isoformat() if notice else "?"
        return False, _("The enterprise may object until %(day)s.") % {"day": deadline}
    return True, ""


@transaction.atomic
def publish_rating(rating: CreditRating, *, by: Actor, today: dt.date | None = None) -> CreditRating:
    """Publish: the grade is in force from today, on the public portal and for `credit_grade`."""
    _require_rater(by)
    today = today or clock.today()
    rating = CreditRating.objects.select_for_update().get(pk=rating.pk)
    ready, why = publishable(rating, today)
    if not ready:
        kind = (
            CreditErrorKind.TOO_EARLY if rating.state == RatingState.NOTICED else CreditErrorKind.WRONG_STATE
        )
        raise CreditError(why, kind=kind)
    rating.state = RatingState.PUBLISHED
    rating.published_on = today
    rating.save(update_fields=["state", "published_on", "updated_at"])
    _put_in_force(rating, today, GradeInForce.Reason.PUBLISHED)
    record_audit(rating, action="credit.rating_published", actor=by, after=dict(_summary(rating)))
    return rating


def publish_round(rating_round: CreditRound, *, by: Actor, today: dt.date | None = None) -> int:
    """Publish every rating of the round that may be published today; returns how many."""
    _require_rater(by)
    today = today or clock.today()
    count = 0
    for rating in rating_round.ratings.filter(state=RatingState.NOTICED):
        if publishable(rating, today)[0]:
            publish_rating(rating, by=by, today=today)
            count += 1
    return count


def notify_round(
    rating_round: CreditRound, *, by: Actor, today: dt.date | None = None, language: str | None = None
) -> int:
    """Issue the notice of every draft of the round; returns how many."""
    _require_rater(by)
    drafts = list(rating_round.ratings.filter(state=RatingState.DRAFT))
    for rating in drafts:
        issue_notice(rating, by=by, today=today, language=language)
    return len(drafts)


# --- credit repair -----------------------------------------------------------------------------------------


def repair_opens_on(rating: CreditRating) -> dt.date | None:
    if rating.published_on is None:
        return None
    return rating.published_on + dt.timedelta(days=rating.round.scheme.repair_after_days)


@transaction.atomic
def apply_for_repair(rating: CreditRating, **application: Unpack[Application]) -> RepairRequest:
    """Enter the enterprise's application for credit repair, once the scheme's waiting period is over."""
    _require_rater(application["by"])
    rating = CreditRating.objects.select_for_update().select_related("round").get(pk=rating.pk)
    if rating.state != RatingState.PUBLISHED:
        raise CreditError(_("Only a published rating is repaired."), kind=CreditErrorKind.WRONG_STATE)
    if rating.repairs.filter(decision=Decision.PENDING).exists():
        raise CreditError(
            _("A repair application is already under review."), kind=CreditErrorKind.WRONG_STATE
        )
    received_on = application.get("received_on") or clock.today()
    opens = repair_opens_on(rating)
    assert opens is not None
    if received_on < opens:
        raise CreditError(
            _("Under this scheme, credit repair may be applied for from %(day)s.")
            % {"day": opens.isoformat()},
            kind=CreditErrorKind.TOO_EARLY,
            field="received_on",
        )
    repair = RepairRequest(rating=rating, received_on=received_on)
    _receive(
        repair,
        application,
        none_chosen=_("Choose the records whose consequences were rectified."),
        action="credit.repair_applied",
    )
    return repair


@transaction.atomic
def review_repair(
    repair: RepairRequest, *, accept: bool, reason: str, by: Actor, today: dt.date | None = None
) -> CreditRating:
    """Decide a repair. Accepted: the rectified records stop counting, the rating is recomputed, and its
    new grade is in force from today (the old one stays in force for the days before)."""
    _require_rater(by)
    repair = RepairRequest.objects.select_for_update().select_related("rating__round").get(pk=repair.pk)
    if repair.decision != Decision.PENDING:
        raise CreditError(_("This application is already decided."), kind=CreditErrorKind.WRONG_STATE)
    today = today or clock.today()
    rating = repair.rating
    reason = _text(reason, "reason")
    before = _summary(rating)
    if accept:
        note = _("credit repair of %(day)s: %(reason)s") % {
            "day": repair.received_on.isoformat(),
            "reason": reason,
        }
        _recompute(rating, {**rating.exclusions, **dict.fromkeys(repair.records, note)})
        rating.repaired_on = today
        rating.save()
        _put_in_force(rating, today, GradeInForce.Reason.REPAIRED)
    _decide(
        repair,
        upheld=accept,
        reason=reason,
        by=by,
        on=today,
        before=before,
        action="credit.repair_accepted" if accept else "credit.repair_rejected",
    )
    return rating
