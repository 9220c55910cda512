"""Hazardous-waste management assessments: rounds, and each unit's checklist scored (pure scoring in
envplan.inspections.hazardous_waste, with the round's cut-offs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from envplan.core.services import Actor, record_audit, snapshot
from envplan.inspections import hazardous_waste as scheme
from envplan.inspections.errors import InspectionError
from envplan.inspections.models import HazardousWasteAssessment, HazardousWasteRound, Inspector
from envplan.inspections.permissions import can_assess_hazardous_waste
from envplan.inspections.services.common import local_day, moment, require, save_row
from envplan.sources.models import Enterprise

ASSESSMENT_FIELDS = ("enterprise", "role", "assessed_on", "scores", "veto_items", "percent", "outcome")


def _office(by: Actor) -> None:
    if by is not None:
        require(
            can_assess_hazardous_waste(by), _("Assessments are made by the district office and the bureau.")
        )


@transaction.atomic
def save_round(round_: HazardousWasteRound, *, by: Actor) -> HazardousWasteRound:
    _office(by)
    if not 0 <= round_.basic_at <= round_.pass_at <= 100:
        raise InspectionError(_("The cut-offs must satisfy 0 ≤ basic pass ≤ pass ≤ 100."), field="basic_at")
    fields = ("year", "name", "scheme", "pass_at", "basic_at")
    if round_.pk is not None and round_.assessments.exists():
        stored = HazardousWasteRound.objects.get(pk=round_.pk)
        if (stored.pass_at, stored.basic_at) != (round_.pass_at, round_.basic_at):
            raise InspectionError(
                _("Units are assessed: the round's cut-offs can no longer change."), field="pass_at"
            )
    return save_row(round_, by=by, action="inspections.waste_round", fields=fields)


@transaction.atomic
def assess(
    round_: HazardousWasteRound,
    *,
    enterprise: Enterprise,
    role: str,
    assessed_on: dt.date,
    scores: Mapping[str, int | None],
    veto: Iterable[str] = (),
    assessors: Iterable[Inspector] = (),
    note: str = "",
    by: Actor,
    generated: bool = False,
    now: dt.datetime | None = None,
) -> HazardousWasteAssessment:
    """Score a unit's checklist and store its outcome (达标 / 基本达标 / 不达标). Assessing the same unit and
    role again in the round replaces the scores. Side effect: audit `inspections.waste_assessed`."""
    _office(by)
    if assessed_on > local_day(moment(now)):
        raise InspectionError(_("The assessment date is in the future."), field="assessed_on")
    if assessed_on.year != round_.year:
        raise InspectionError(_("The assessment date is not in the round's year."), field="assessed_on")
    try:
        result = scheme.score(role, scores, veto=veto, pass_at=round_.pass_at, basic_at=round_.basic_at)
    except scheme.ScoringError as error:
        raise InspectionError(str(error), field=f"scores.{error.item}" if error.item else "scores") from None
    assessment = HazardousWasteAssessment.objects.filter(
        round=round_, enterprise=enterprise, role=role
    ).first()
    before = snapshot(assessment, ASSESSMENT_FIELDS) if assessment else None
    assessment = assessment or HazardousWasteAssessment(round=round_, enterprise=enterprise, role=role)
    assessment.assessed_on = assessed_on
    assessment.scores = {code: scores[code] for code in sorted(scores)}
    assessment.veto_items = list(result.vetoed)
    assessment.points, assessment.maximum, assessment.percent = result.points, result.maximum, result.percent
    assessment.outcome = str(result.outcome)
    assessment.note = note.strip()
    assessment.generated = generated
    assessment.save()
    assessment.assessors.set(list(assessors))
    record_audit(
        assessment,
        action="inspections.waste_assessed",
        actor=by,
        before=before,
        after=snapshot(assessment, ASSESSMENT_FIELDS),
    )
    return assessment
