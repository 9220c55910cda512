"""Changes to the cases app. Each service runs in one transaction with its audit entry.

`run_screening` screens the lake (envplan.cases.screening; reading and scanning happen before the
transaction, which holds only the writes) and files the findings: a finding that overlaps an earlier
finding of the same detector on the same channel updates it while its case is open, and is left alone
when the earlier one was judged and already covers it; every other finding goes to its enterprise's open
case, opened if need be. `record_outcome` records an inspector's judgement of a case. Both refresh the
ranking of every case (envplan.cases.ranking), since one outcome changes a detector's precision and so
the risk of every case it took part in.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Max, Min

from envplan.cases import queries
from envplan.cases import screening as screening_
from envplan.cases.models import Case, Finding, Outcome, ScreeningRun, ScreeningState
from envplan.cases.ranking import risk, risk_parts
from envplan.core import clock
from envplan.core.services import Actor, person, record_audit, snapshot
from envplan.lake import Lake

OUTCOME_FIELDS = ("outcome", "outcome_note", "judged_at", "judged_by")


class CaseError(ValueError):
    """A refused change to a case; `field` names the form field at fault."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass
class ScreeningSummary:
    end: str
    loggers: int = 0
    findings: int = 0
    created: int = 0
    updated: int = 0
    already_judged: int = 0
    cases_opened: list[int] = field(default_factory=list)


def run_screening(
    *, end: dt.datetime, mns: list[str] | None = None, by: Actor = None, lake: Lake | None = None
) -> ScreeningRun:
    """Screen every registered data logger (or `mns`) up to `end`, file the findings into cases and
    refresh the ranking. Side effects: findings and cases created or updated, each logger's screening
    state moved to `end`, one ScreeningRun with its audit entry `cases.screening_run`."""
    screened = dict(ScreeningState.objects.values_list("mn", "screened_until"))
    found = screening_.windows(end=end, screened=screened, mns=mns)
    findings = screening_.screen(found, lake=lake)
    summary = ScreeningSummary(end=end.isoformat(), loggers=len(found), findings=findings.height)
    now = clock.now()
    with transaction.atomic():
        _file(findings, found, summary=summary, now=now)
        for window in found:
            ScreeningState.objects.update_or_create(mn=window.mn, defaults={"screened_until": end})
        refresh_ranking()
        run = ScreeningRun.objects.create(summary=summary.__dict__)
        record_audit(run, action="cases.screening_run", actor=by, after=summary.__dict__)
    return run


def _file(
    findings: pl.DataFrame, found: list[screening_.Window], *, summary: ScreeningSummary, now: dt.datetime
) -> None:
    if findings.height == 0:
        return
    where = {window.mn: window for window in found}
    earliest = findings.get_column("start").min()
    existing: dict[tuple[str, str, str, str, frozenset[str]], list[Finding]] = {}
    for old in Finding.objects.filter(mn__in=list(where), end__gte=earliest).select_related("case"):
        existing.setdefault(_key(old.mn, old.factor, old.field, old.detector, old.evidence), []).append(old)
    open_cases = {
        case.enterprise_id: case
        for case in Case.objects.filter(
            enterprise_id__in={w.enterprise_id for w in found}, outcome=Outcome.NOT_CHECKED
        ).order_by("opened_at", "pk")
    }
    touched: set[int] = set()
    for row in findings.iter_rows(named=True):
        window = where[row["mn"]]
        evidence = json.loads(row["evidence"] or "{}")
        key = _key(row["mn"], row["factor"], row["field"], row["detector"], evidence)
        overlapping = [
            old for old in existing.get(key, []) if old.start <= row["end"] and old.end >= row["start"]
        ]
        still_open = [old for old in overlapping if old.case.is_open]
        if still_open:
            _merge(still_open[0], row, now=now)
            touched.add(still_open[0].case_id)
            summary.updated += 1
            continue
        if any(old.end >= row["end"] for old in overlapping):
            summary.already_judged += 1
            continue
        case = open_cases.get(window.enterprise_id)
        if case is None:
            case = Case.objects.create(enterprise_id=window.enterprise_id, opened_at=now)
            open_cases[window.enterprise_id] = case
            summary.cases_opened.append(case.pk)
        finding = Finding.objects.create(
            case=case,
            outlet_id=window.outlet_id,
            mn=row["mn"],
            kind=row["kind"],
            factor=row["factor"],
            field=row["field"],
            start=row["start"],
            end=row["end"],
            detector=row["detector"],
            score=row["score"],
            points=row["points"],
            explanation=row["explanation"],
            evidence=evidence,
            found_at=now,
            updated_at=now,
            generated=bool(row["generated"]),
        )
        existing.setdefault(key, []).append(finding)
        touched.add(case.pk)
        summary.created += 1
    _refresh_spans(touched)


def _key(
    mn: str, factor: str, field_name: str, detector: str, evidence: object
) -> tuple[str, str, str, str, frozenset[str]]:
    """What makes two findings the same finding seen twice: the channel, the detector and the kind of
    numbers it kept (one detector may report two kinds of thing, as marks_timing does)."""
    names = frozenset(evidence) if isinstance(evidence, dict) else frozenset()
    return (mn, factor, field_name, detector, names)


def _merge(finding: Finding, row: dict[str, Any], *, now: dt.datetime) -> None:
    """An open finding seen again: its span grows to cover both, and the stronger sighting's score,
    sentence and numbers are kept."""
    finding.start = min(finding.start, row["start"])
    finding.end = max(finding.end, row["end"])
    if row["score"] >= finding.score:
        finding.score = row["score"]
        finding.points = row["points"]
        finding.explanation = row["explanation"]
        finding.evidence = json.loads(row["evidence"] or "{}")
    finding.generated = finding.generated or bool(row["generated"])
    finding.updated_at = now
    finding.save()


def _refresh_spans(cases: set[int]) -> None:
    spans = (
        Finding.objects.filter(case_id__in=cases)
        .values("case_id")
        .annotate(first=Min("start"), last=Max("end"))
    )
    generated = set(
        Finding.objects.filter(case_id__in=cases, generated=True).values_list("case_id", flat=True).distinct()
    )
    for span in spans:
        Case.objects.filter(pk=span["case_id"]).update(
            first_start=span["first"], last_end=span["last"], generated=span["case_id"] in generated
        )


def refresh_ranking() -> int:
    """Recompute every case's risk from its findings and the detectors' current precision; returns how
    many cases changed. Call inside the transaction of the change that moved it."""
    table = queries.detector_precisions()
    best = queries.best_scores()
    changed = []
    for case in Case.objects.only("pk", "risk"):
        value = round(risk(risk_parts(best.get(case.pk, {}), table)), 6)
        if value != case.risk:
            case.risk = value
            changed.append(case)
    Case.objects.bulk_update(changed, ["risk"])
    return len(changed)


@transaction.atomic
def record_outcome(case: Case, *, outcome: str, note: str = "", by: Actor) -> Case:
    """Record an inspector's judgement of `case`: confirmed, false alarm, or back to not checked (a
    judgement withdrawn). Side effects: the case saved with who judged it and when, the ranking
    refreshed, an audit entry `cases.outcome_recorded` with the before and after. Refuses an unknown
    outcome (CaseError on `outcome`)."""
    if outcome not in Outcome.values:
        raise CaseError(f"unknown outcome: {outcome!r}", field="outcome")
    case = Case.objects.select_for_update().get(pk=case.pk)
    before = snapshot(case, OUTCOME_FIELDS)
    case.outcome = outcome
    case.outcome_note = note.strip()
    judged = outcome != Outcome.NOT_CHECKED
    case.judged_at = clock.now() if judged else None
    case.judged_by = person(by) if judged else None
    case.save(update_fields=list(OUTCOME_FIELDS))
    refresh_ranking()
    record_audit(
        case,
        action="cases.outcome_recorded",
        actor=person(by),
        before=before,
        after=snapshot(case, OUTCOME_FIELDS),
    )
    case.refresh_from_db()
    return case
