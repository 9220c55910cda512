"""Reads of the cases app: the ranked cases, a case with what its page shows, the detectors' precision,
and the confirmed cases the enforcement apps build on.

`confirmed_cases` is the registry for the floor above (inspections, credit rating): they import this
module, never the reverse. A confirmed case is an inspector's judgement that the enterprise's
automatic-monitoring data was falsified, with the findings that led to it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, QuerySet

from envplan.cases.models import Case, Finding, Outcome
from envplan.cases.ranking import DetectorPrecision, RiskPart, precisions, risk_parts
from envplan.core.models import AuditEntry
from envplan.screening import DETECTORS
from envplan.sources.models import Enterprise


def confirmed_cases(
    enterprise: Enterprise | int | None = None, *, since: dt.datetime | None = None
) -> QuerySet[Case]:
    """Cases judged confirmed (falsified data), of one enterprise or all, judged at or after `since`;
    most recent judgement first, with their enterprise and findings loaded.

    For the inspections app (a confirmed case is a reason to inspect and a finding to rectify) and the
    credit rating (a confirmed falsification within the scheme's period lowers the grade)."""
    cases = Case.objects.filter(outcome=Outcome.CONFIRMED)
    if enterprise is not None:
        cases = cases.filter(enterprise=enterprise)
    if since is not None:
        cases = cases.filter(judged_at__gte=since)
    return (
        cases.select_related("enterprise")
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("-score", "start", "pk")))
        .order_by("-judged_at", "-pk")
    )


def detector_precisions() -> dict[str, DetectorPrecision]:
    """Every detector's precision (envplan.cases.ranking): judged cases counted once per detector that
    found something in them. One query."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        Finding.objects.filter(case__outcome__in=[Outcome.CONFIRMED, Outcome.FALSE_ALARM])
        .values("detector", "case__outcome")
        .annotate(cases=Count("case", distinct=True))
    )
    for row in rows:
        counts[row["detector"]][0 if row["case__outcome"] == Outcome.CONFIRMED else 1] += row["cases"]
    return precisions(DETECTORS, {name: (pair[0], pair[1]) for name, pair in counts.items()})


def best_scores(cases: list[int] | None = None) -> dict[int, dict[str, float]]:
    """Per case, each detector's highest score in it. One query."""
    rows = Finding.objects.all()
    if cases is not None:
        rows = rows.filter(case_id__in=cases)
    found: dict[int, dict[str, float]] = defaultdict(dict)
    for row in rows.values("case_id", "detector").annotate(best=Max("score")):
        found[row["case_id"]][row["detector"]] = row["best"]
    return dict(found)


@dataclass
class CaseRow:
    case: Case
    findings: int
    detectors: list[str]
    labels: list[str] = field(default_factory=list)  # the detectors' names, as a page shows them


def ranked_cases(*, judged: bool = False, limit: int = 200) -> list[CaseRow]:
    """Open cases by risk (or, with `judged`, the judged ones, latest first), with their findings'
    count and detectors: three queries whatever the number of cases."""
    cases = Case.objects.select_related("enterprise").annotate(finding_count=Count("findings"))
    if judged:
        cases = cases.exclude(outcome=Outcome.NOT_CHECKED).order_by("-judged_at", "-pk")
    else:
        cases = cases.filter(outcome=Outcome.NOT_CHECKED).order_by("-risk", "-opened_at", "pk")
    chosen = list(cases[:limit])
    detectors: dict[int, set[str]] = defaultdict(set)
    for case_id, detector in Finding.objects.filter(case__in=chosen).values_list("case_id", "detector"):
        detectors[case_id].add(detector)
    return [CaseRow(case, case.finding_count, sorted(detectors[case.pk])) for case in chosen]


@dataclass
class CaseView:
    case: Case
    findings: list[Finding]
    parts: list[RiskPart]
    precision: dict[str, DetectorPrecision]


def case_view(case: Case) -> CaseView:
    """A case with its findings (strongest first) and the parts of its risk."""
    findings = list(case.findings.select_related("outlet").order_by("-score", "start", "pk"))
    table = detector_precisions()
    best: dict[str, float] = {}
    for finding in findings:
        best[finding.detector] = max(best.get(finding.detector, 0.0), finding.score)
    return CaseView(case=case, findings=findings, parts=risk_parts(best, table), precision=table)


@dataclass(frozen=True)
class Judgement:
    at: dt.datetime
    by: str
    outcome: str  # the label, as the page shows it
    note: str


def judgements(case: Case) -> list[Judgement]:
    """The outcomes recorded on the case, oldest first (from its audit entries). One query."""
    labels = dict(Outcome.choices)
    entries = (
        AuditEntry.objects.for_object(case)
        .filter(action="cases.outcome_recorded")
        .order_by("created_at", "id")
    )
    return [
        Judgement(
            at=entry.created_at,
            by=entry.actor_label,
            outcome=str(labels.get((entry.after or {}).get("outcome", ""), "")),
            note=str((entry.after or {}).get("outcome_note", "")),
        )
        for entry in entries
    ]
