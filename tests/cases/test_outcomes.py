"""Outcomes of cases: recorded through the service with an audit entry, they move the detectors'
precision and so the ranking; confirmed cases are what the enforcement apps read."""

from __future__ import annotations

import datetime as dt

import pytest

from envplan.cases import queries
from envplan.cases.models import Case, Finding, Outcome
from envplan.cases.ranking import BENCHMARK_PRECISION
from envplan.cases.services import CaseError, record_outcome, refresh_ranking
from envplan.core import clock
from envplan.core.models import AuditEntry
from envplan.sources.models import Enterprise, Outlet
from tests.cases.conftest import NOW, ZONE

HELD, HUGGING = BENCHMARK_PRECISION["flat_line"], BENCHMARK_PRECISION["limit_hugging"]


def _case(name: str, detectors: dict[str, float], *, outcome: str = Outcome.NOT_CHECKED) -> Case:
    enterprise = Enterprise.objects.create(name=name, industry="thermal power")
    outlet = Outlet.objects.create(enterprise=enterprise, code="DA001", name="Stack", kind="gas")
    case = Case.objects.create(enterprise=enterprise, opened_at=NOW, outcome=outcome)
    start = dt.datetime(2025, 9, 1, tzinfo=ZONE)
    for detector, score in detectors.items():
        Finding.objects.create(
            case=case,
            outlet=outlet,
            mn=f"MN-{name}",
            factor="a21002",
            field="Avg",
            start=start,
            end=start + dt.timedelta(hours=30),
            detector=detector,
            score=score,
            points=31,
            explanation="(English)",
            evidence={},
            found_at=NOW,
            updated_at=NOW,
        )
    return case


@pytest.fixture
def pinned(db: None) -> None:
    clock.pin(NOW)


def test_outcome_is_recorded_with_who_when_and_an_audit_entry(pinned, users):
    case = _case("Plant A", {"flat_line": 0.9})

    judged = record_outcome(case, outcome=Outcome.CONFIRMED, note=" frozen analyser ", by=users["officer"])

    entry = AuditEntry.objects.get(action="cases.outcome_recorded")
    assert (judged.outcome, judged.outcome_note, judged.judged_by) == (
        "confirmed",
        "frozen analyser",
        users["officer"],
    )
    assert judged.judged_at == NOW
    assert (entry.before["outcome"], entry.after["outcome"]) == ("not_checked", "confirmed")
    assert entry.actor == users["officer"]


def test_outcome_withdrawn_clears_the_judgement(pinned, users):
    case = _case("Plant A", {"flat_line": 0.9}, outcome=Outcome.FALSE_ALARM)

    reopened = record_outcome(case, outcome=Outcome.NOT_CHECKED, by=users["chief"])

    assert (reopened.is_open, reopened.judged_at, reopened.judged_by) == (True, None, None)


def test_outcome_unknown_is_refused_and_nothing_changes(pinned, users):
    case = _case("Plant A", {"flat_line": 0.9})

    with pytest.raises(CaseError) as refused:
        record_outcome(case, outcome="guilty", by=users["chief"])

    assert refused.value.field == "outcome"
    assert Case.objects.get(pk=case.pk).outcome == Outcome.NOT_CHECKED
    assert not AuditEntry.objects.filter(action="cases.outcome_recorded").exists()


def test_precision_counts_each_judged_case_once_per_detector(pinned, users):
    case = _case("Plant A", {"limit_hugging": 0.9, "level_shift": 0.6})
    Finding.objects.create(**{**_finding_fields(case), "score": 0.7})  # a second limit_hugging finding

    record_outcome(case, outcome=Outcome.FALSE_ALARM, by=users["chief"])
    table = queries.detector_precisions()

    assert (table["limit_hugging"].confirmed, table["limit_hugging"].false_alarms) == (0, 1)
    assert (table["level_shift"].confirmed, table["level_shift"].false_alarms) == (0, 1)
    assert table["limit_hugging"].observed == 0.0
    # Beta(5 p, 5 (1 - p)) updated by one false alarm: 5 p / (5 + 1)
    assert table["limit_hugging"].estimate == pytest.approx(5 * HUGGING / 6)
    assert table["flat_line"].judged == 0


def _finding_fields(case: Case) -> dict[str, object]:
    first = case.findings.first()
    assert first is not None
    return {
        "case": case,
        "outlet": first.outlet,
        "mn": first.mn,
        "factor": "a21002",
        "field": "ZsAvg",
        "start": first.start,
        "end": first.end,
        "detector": "limit_hugging",
        "points": 10,
        "explanation": "(English)",
        "evidence": {},
        "found_at": NOW,
        "updated_at": NOW,
    }


def test_false_alarms_of_a_detector_sink_the_cases_that_rest_on_it(pinned, users):
    hugging = _case("Plant A", {"limit_hugging": 0.9})
    held = _case("Plant B", {"flat_line": 0.6})
    refresh_ranking()
    before = [row.case.pk for row in queries.ranked_cases()]

    for name in ("Plant C", "Plant D"):
        record_outcome(_case(name, {"limit_hugging": 0.8}), outcome=Outcome.FALSE_ALARM, by=users["chief"])
    after = [row.case.pk for row in queries.ranked_cases()]

    assert before == [hugging.pk, held.pk]  # 0.9 × 0.71 = 0.64 against 0.6 × 0.97 = 0.58
    assert after == [held.pk, hugging.pk]  # two false alarms: 0.9 × 5 × 0.71 / 7 = 0.46 now
    assert Case.objects.get(pk=hugging.pk).risk == pytest.approx(0.9 * 5 * HUGGING / 7, abs=1e-6)


def test_risk_combines_the_detectors_of_a_case(pinned):
    case = _case("Plant A", {"flat_line": 1.0, "limit_hugging": 0.5})

    refresh_ranking()

    assert Case.objects.get(pk=case.pk).risk == pytest.approx(1 - (1 - HELD) * (1 - 0.5 * HUGGING), abs=1e-6)


def test_confirmed_cases_are_the_registry_for_inspections_and_credit(pinned, users):
    confirmed = _case("Plant A", {"flat_line": 0.9})
    record_outcome(confirmed, outcome=Outcome.CONFIRMED, by=users["chief"])
    record_outcome(_case("Plant B", {"flat_line": 0.9}), outcome=Outcome.FALSE_ALARM, by=users["chief"])
    _case("Plant C", {"flat_line": 0.9})

    everyone = list(queries.confirmed_cases())
    of_a = list(queries.confirmed_cases(confirmed.enterprise, since=NOW - dt.timedelta(days=365)))
    too_late = list(queries.confirmed_cases(confirmed.enterprise, since=NOW + dt.timedelta(days=1)))

    assert everyone == [confirmed]
    assert of_a == [confirmed]
    assert too_late == []
    assert [f.detector for f in everyone[0].findings.all()] == ["flat_line"]
