"""The credit rating's links to the other enforcement records: confirmed screening cases feed the rating
line by line, and a published grade raises how often the enterprise is drawn for random inspection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from envplan.cases.models import Case, Finding
from envplan.cases.services import record_outcome
from envplan.core import clock
from envplan.credit import registry, services
from envplan.credit.evidence.cases import confirmed
from envplan.credit.queries import grades_in_force
from envplan.inspections import frequency
from tests.credit.conftest import TODAY, bypass, evidence, inner_mongolia_round, local, waste_assessment


def confirmed_case(outlet, *, judged: dt.datetime, outcome: str = "confirmed") -> Case:
    case = Case.objects.create(
        enterprise=outlet.enterprise,
        opened_at=judged - dt.timedelta(days=3),
        first_start=local(2025, 8, 1),
        last_end=local(2025, 8, 4, 23),
    )
    Finding.objects.create(
        case=case,
        outlet=outlet,
        mn="MN-TEST",
        factor="a21026",
        field="ZsAvg",
        start=local(2025, 8, 1),
        end=local(2025, 8, 4, 23),
        detector="flat_line",
        score=0.97,
        points=96,
        explanation="96 identical values",
        found_at=judged,
        updated_at=judged,
    )
    clock.pin(judged)
    return record_outcome(case, outcome=outcome, note="checked on site", by=None)


def test_a_confirmed_case_moves_falsified_data_by_20_points_and_says_which_case(world, outlet):
    case = confirmed_case(outlet, judged=local(2025, 9, 12, 15))
    confirmed_case(outlet, judged=local(2024, 12, 30, 9))  # judged before the period: not counted

    rating = services.compute_rating(
        inner_mongolia_round(world.officer), outlet.enterprise, by=world.officer, today=TODAY
    )

    lines = {
        line["record"]: line for line in rating.explanation["records"] if line["record"].startswith("cases.")
    }
    assert list(lines) == [f"cases.case:{case.pk}"]
    line = lines[f"cases.case:{case.pk}"]
    assert (line["indicator"], line["total_effect"]) == ("falsified_data", "-20.00")
    row = next(r for r in rating.evidence if r["record"] == f"cases.case:{case.pk}")
    assert "1 finding" in row["explanation"] and "a21026-ZsAvg" in row["explanation"]
    assert "2025-08-01 00:00" in row["explanation"]


def test_a_confirmation_withdrawn_drops_the_case_from_the_next_computation(world, outlet):
    case = confirmed_case(outlet, judged=local(2025, 9, 12, 15))
    record_outcome(case, outcome="false_alarm", note="the analyser was really stuck", by=None)

    rows = confirmed(outlet.enterprise, registry.Period(dt.date(2025, 1, 1), TODAY))

    assert rows == []


def test_a_hazardous_waste_assessment_of_the_enforcement_app_is_a_line_of_the_rating(world, outlet):
    assessment = waste_assessment(outlet.enterprise, on=dt.date(2025, 6, 3))

    rating = services.compute_rating(
        inner_mongolia_round(world.officer), outlet.enterprise, by=world.officer, today=TODAY
    )

    line = {r["record"]: r for r in rating.explanation["records"]}[f"inspections.waste:{assessment.pk}"]
    assert (line["indicator"], line["total_effect"]) == ("hazardous_waste", "-5.00")  # 基本达标: 5 points


def publish_grade(world, enterprise, *, round_, today: dt.date) -> None:
    rating = services.compute_rating(round_, enterprise, by=world.officer, today=today)
    services.issue_notice(rating, by=world.officer, today=today)
    services.publish_rating(rating, by=world.officer, today=today + dt.timedelta(days=19))


def test_inner_mongolias_d_is_drawn_at_150_percent_as_a_special_object(world, outlet):
    enterprise = outlet.enterprise
    bypass(world, enterprise)
    publish_grade(world, enterprise, round_=inner_mongolia_round(world.officer), today=dt.date(2025, 6, 1))

    before = frequency.raises_for([enterprise.pk], 2025, dt.date(2025, 6, 19))  # published on 20 June
    after = frequency.raises_for([enterprise.pk], 2025, dt.date(2025, 7, 1))

    assert before == {}
    [(name, raised)] = after[enterprise.pk]
    assert (name, raised.special, raised.multiplier) == ("credit.grade", True, Decimal("1.5"))
    assert "inner-mongolia-2024" in raised.reason
    effective = frequency.effective("general", after[enterprise.pk])
    assert (effective.category, effective.stratum) == ("special", "special-x1.5")


def test_a_good_national_grade_raises_nothing_and_a_yellow_one_makes_a_special_object(
    world, outlet, enterprise
):
    other = type(enterprise).objects.create(
        name="Second Works", name_zh="第二厂", credit_code="91150203MA0000002B"
    )
    national = services.create_round(
        title="2025 national",
        scheme_id="national-2013",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        by=world.officer,
    )
    # One fine of 600,000 yuan: 20 + 60 points off the penalty indicator (15 %), the weighted mean 66.7.
    evidence(
        world,
        other,
        "penalty",
        600000,
        on=dt.date(2025, 3, 2),
        reference="昆环罚〔2025〕20号",
        description="fine",
    )
    publish_grade(world, enterprise, round_=national, today=dt.date(2025, 6, 1))
    publish_grade(world, other, round_=national, today=dt.date(2025, 6, 1))
    raises = frequency.raises_for([enterprise.pk, other.pk], 2025, dt.date(2025, 7, 1))
    grades = {g.enterprise_id: g.grade for g in grades_in_force(dt.date(2025, 7, 1))}

    assert grades == {enterprise.pk: "green", other.pk: "yellow"}
    assert enterprise.pk not in raises
    [(name, raised)] = raises[other.pk]
    assert (name, raised.special, raised.multiplier) == ("credit.grade", True, Decimal(1))
