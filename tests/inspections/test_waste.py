"""Hazardous-waste assessments: the round's cut-offs, a unit scored and re-scored, and the pass rate as
a computed indicator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from envplan.core.models import AuditEntry
from envplan.inspections import hazardous_waste as scheme
from envplan.inspections import indicators
from envplan.inspections.errors import ErrorKind, InspectionError
from envplan.inspections.models import HazardousWasteAssessment, HazardousWasteRound
from envplan.inspections.services import hazardous_waste as services
from tests.inspections.conftest import NOW


@pytest.fixture
def round_(enforcement) -> HazardousWasteRound:
    return services.save_round(
        HazardousWasteRound(year=2025, name="2025 round"), by=enforcement.world.officer
    )


def _scores(role: str, points: int = 2, **changes: int | None) -> dict[str, int | None]:
    return {item.code: points for item in scheme.checklist(role)} | changes


def test_waste_round_defaults_are_the_unverified_cut_offs(round_):
    assert (round_.pass_at, round_.basic_at) == (Decimal(90), Decimal(70))


def test_waste_assessment_is_scored_with_the_rounds_cut_offs(enforcement, round_):
    unit = enforcement.enterprises[0]

    assessment = services.assess(
        round_,
        enterprise=unit,
        role="producer",
        assessed_on=dt.date(2025, 7, 1),
        scores=_scores("producer", ledger=0, training=0),
        by=enforcement.world.officer,
        now=NOW,
    )

    assert (assessment.points, assessment.maximum, assessment.percent, assessment.outcome) == (
        20,
        24,
        Decimal("83.3"),
        "basic",
    )
    assert AuditEntry.objects.get(action="inspections.waste_assessed").after["outcome"] == "basic"


def test_waste_assessing_again_replaces_the_scores(enforcement, round_):
    unit = enforcement.enterprises[0]
    services.assess(
        round_,
        enterprise=unit,
        role="producer",
        assessed_on=dt.date(2025, 7, 1),
        scores=_scores("producer", ledger=0, training=0),
        by=None,
        now=NOW,
    )

    again = services.assess(
        round_,
        enterprise=unit,
        role="producer",
        assessed_on=dt.date(2025, 7, 10),
        scores=_scores("producer"),
        by=None,
        now=NOW,
    )

    assert HazardousWasteAssessment.objects.count() == 1
    assert (again.outcome, again.assessed_on) == ("pass", dt.date(2025, 7, 10))


def test_waste_cut_offs_are_fixed_once_units_are_assessed(enforcement, round_):
    services.assess(
        round_,
        enterprise=enforcement.enterprises[0],
        role="operator",
        assessed_on=dt.date(2025, 7, 1),
        scores=_scores("operator"),
        by=None,
        now=NOW,
    )
    round_.pass_at = Decimal(95)

    with pytest.raises(InspectionError):
        services.save_round(round_, by=None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"assessed_on": dt.date(2025, 7, 21)}, "assessed_on"),
        ({"assessed_on": dt.date(2024, 7, 1)}, "assessed_on"),
        ({"scores": {"licence": 2}}, "scores.licence"),
    ],
)
def test_waste_bad_assessments_are_refused_on_their_field(enforcement, round_, changes, field):
    arguments = {"assessed_on": dt.date(2025, 7, 1), "scores": _scores("producer")} | changes

    with pytest.raises(InspectionError) as raised:
        services.assess(
            round_, enterprise=enforcement.enterprises[0], role="producer", by=None, now=NOW, **arguments
        )

    assert raised.value.field == field


def test_waste_only_the_office_assesses(enforcement, round_):
    with pytest.raises(InspectionError) as raised:
        services.assess(
            round_,
            enterprise=enforcement.enterprises[0],
            role="producer",
            assessed_on=dt.date(2025, 7, 1),
            scores=_scores("producer"),
            by=enforcement.world.ecology_reporter,
            now=NOW,
        )

    assert raised.value.kind == ErrorKind.NOT_ALLOWED


def test_waste_pass_rate_indicator_runs_month_by_month_and_by_role(enforcement, round_):
    plants = enforcement.enterprises
    for day, unit, role, scores in (
        (dt.date(2025, 5, 10), plants[0], "producer", _scores("producer")),
        (dt.date(2025, 6, 10), plants[1], "producer", _scores("producer", 1)),
        (dt.date(2025, 6, 12), plants[2], "operator", _scores("operator")),
        (dt.date(2025, 7, 2), plants[3], "producer", _scores("producer")),
    ):
        services.assess(round_, enterprise=unit, role=role, assessed_on=day, scores=scores, by=None, now=NOW)

    series = indicators.hazardous_waste_pass_rate({}, dt.date(2025, 7, 20))
    producers = indicators.hazardous_waste_pass_rate({"role": "producer"}, dt.date(2025, 7, 20))

    assert series == [
        (dt.date(2025, 5, 31), Decimal("100.0")),
        (dt.date(2025, 6, 30), Decimal("66.7")),
        (dt.date(2025, 7, 20), Decimal("75.0")),
    ]
    assert producers[-1] == (dt.date(2025, 7, 20), Decimal("66.7"))
