"""Rating under a scheme, explained line by line (pure, no database). Expected figures are worked by hand."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from envplan.standards.credit import Evidence, bundled_schemes, rate

DAY = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def national():
    return bundled_schemes()["national-2013"]


@pytest.fixture(scope="module")
def inner_mongolia():
    return bundled_schemes()["inner-mongolia-2024"]


def row(record: str, code: str, quantity, on: dt.date = DAY) -> Evidence:
    return Evidence(record=record, label=record, code=code, quantity=Decimal(quantity), on=on)


def by_record(result):
    return {line.record: line for line in result.records}


def test_rate_national_weighted_mean_worked_by_hand(national):
    evidence = [
        row("outlet:1", "outlet_compliance", 0),
        row("penalty:1", "penalty", 100000),
        row("hw:1", "hazardous_waste_result", 1),
    ]

    result = rate(national, evidence)

    # compliance 0 x15, penalty 100 - (20 + 10) = 70 x15, risk 100 x10, solid 100 x5, hazardous waste 65 x5,
    # noise 100 x4, siting 100 x2: 3475 / 56 = 62.05 -> yellow (60 to under 80)
    assert (result.score, result.grade, result.vetoed) == (Decimal("62.05"), "yellow", False)
    lines = by_record(result)
    assert (lines["penalty:1"].indicator, lines["penalty:1"].indicator_effect) == (
        "administrative_penalty",
        -30,
    )
    # -30 points on an indicator weighing 15 of 56: -8.04 on the total
    assert lines["penalty:1"].total_effect.quantize(Decimal("0.01")) == Decimal("-8.04")
    assert lines["outlet:1"].indicator_effect == -100


def test_rate_records_a_scheme_does_not_count_are_listed_as_such(national):
    result = rate(national, [row("case:1", "screening_case_confirmed", 1)])

    line = by_record(result)["case:1"]
    assert (line.role, line.indicator, line.total_effect) == ("not_used", "", 0)
    assert result.score == Decimal("100.00")


def test_rate_one_vote_veto_sends_the_grade_to_red_and_is_named(national):
    result = rate(national, [row("bypass:1", "veto_bypass", 1)])

    assert (result.score, result.score_grade, result.grade, result.vetoed) == (
        Decimal("100.00"),
        "green",
        "red",
        True,
    )
    veto = result.steps[-1]
    assert (veto.kind, veto.record, veto.reason.en) == (
        "veto",
        "bypass:1",
        "hidden pipes, seepage wells or bypasses",
    )


def test_rate_general_incident_lowers_the_grade_one_level(national):
    result = rate(national, [row("incident:1", "incident_general", 1)])

    assert (result.score_grade, result.grade) == ("green", "blue")
    assert [step.kind for step in result.steps] == ["score", "downgrade"]


def test_rate_excluded_record_no_longer_counts_and_says_why(national):
    evidence = [row("penalty:1", "penalty", 100000)]

    result = rate(national, evidence, {"penalty:1": "annulled on reconsideration"})

    line = by_record(result)["penalty:1"]
    assert (line.role, line.note, line.total_effect) == ("excluded", "annulled on reconsideration", 0)
    assert result.score == Decimal("100.00")


def test_rate_deductions_stop_at_the_cap_in_date_order(inner_mongolia):
    # 2 points an exceedance hour, at most 20: 8 h asks 16, then 5 h asks 10 of which 4 remain.
    evidence = [
        row("event:2", "exceedance_hours", 5, on=dt.date(2025, 7, 1)),
        row("event:1", "exceedance_hours", 8, on=dt.date(2025, 6, 1)),
    ]

    result = rate(inner_mongolia, evidence)

    lines = by_record(result)
    assert (lines["event:1"].role, lines["event:1"].indicator_effect) == ("counted", -16)
    assert (lines["event:2"].role, lines["event:2"].indicator_effect, lines["event:2"].note) == (
        "capped",
        -4,
        "10.00",
    )
    assert (result.score, result.grade) == (Decimal("80.00"), "B")


def test_rate_share_of_compliant_outlets_gives_each_record_the_difference_it_makes(national):
    evidence = [row("outlet:1", "outlet_compliance", 100), row("outlet:2", "outlet_compliance", 0)]

    result = rate(national, evidence)

    compliance = next(line for line in result.indicators if line.code == "compliant_discharge")
    assert (compliance.measure, compliance.score) == (Decimal(50), Decimal(25))
    # Without the non-compliant outlet the share is 100 % (score 100): it cost 75 points.
    assert by_record(result)["outlet:2"].indicator_effect == -75
    assert by_record(result)["outlet:1"].indicator_effect == 25


def test_rate_bands_indicator_without_evidence_is_left_out_of_the_mean(national):
    result = rate(national, [row("penalty:1", "penalty", 0)])

    compliance = next(line for line in result.indicators if line.code == "compliant_discharge")
    assert compliance.applies is False
    # Compliance and hazardous waste (bands rules without evidence) are left out: 80 x15 (one penalty of
    # 0 yuan still deducts its 20 points) + 100 x21 over 36 = 91.67 -> blue
    assert (result.score, result.grade) == (Decimal("91.67"), "blue")


def test_rate_explanation_is_json_ready(national):
    result = rate(national, [row("penalty:1", "penalty", 50000), row("bypass:1", "veto_bypass", 1)])

    stored = json.loads(json.dumps(result.as_dict()))

    # 75 x15 + 100 x21 over 36 = 89.58, then the veto
    assert (stored["grade"], stored["score"], stored["vetoed"]) == ("red", "89.58", True)
    assert [s["kind"] for s in stored["steps"]] == ["score", "veto"]
    assert {r["record"]: r["role"] for r in stored["records"]} == {"penalty:1": "counted", "bypass:1": "veto"}


def test_evidence_with_an_unknown_code_is_refused():
    with pytest.raises(ValueError, match="unknown evidence code 'fines'"):
        Evidence(record="x", label="x", code="fines", quantity=Decimal(1), on=DAY)
