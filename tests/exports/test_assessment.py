from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from envplan.exports.assessment import UnitScore, assess_units, normalised_weights, rank_rows
from envplan.plans.models import Unit
from envplan.progress.models import ProgressReport, ReportingSettings
from envplan.progress.services import review_report, save_report
from tests.exports.factories import FEB, TODAY, World, set_today


def by_code(result) -> dict[str, object]:  # type: ignore[no-untyped-def]  # test helper
    return {row.unit.code: row for row in result.rows}


def test_assessment_shares_match_the_hand_checked_history(history: World) -> None:
    result = assess_units(history.plan, today=TODAY)

    rows = by_code(result)
    shares = {
        code: (row.timeliness, row.completion, row.attainment)
        for code, row in rows.items()  # type: ignore[attr-defined]
    }
    assert shares == {
        "ecology": (Fraction(1, 2), Fraction(1), Fraction(1)),
        "housing": (Fraction(1), Fraction(0), Fraction(1, 2)),
        "water": (Fraction(0), Fraction(0), Fraction(0)),
        "town-a": (Fraction(1), Fraction(1), None),
        "town-b": (Fraction(1), Fraction(0), None),
    }


def test_assessment_scores_and_ranks_with_default_weights(history: World) -> None:
    result = assess_units(history.plan, today=TODAY)

    # 30/40/30: ecology 15+40+30; housing 30+0+15; town-a (30+40)/70; town-b 30/70.
    assert [(row.unit.code, row.score, row.rank) for row in result.rows] == [
        ("town-a", Decimal("100.0"), 1),
        ("ecology", Decimal("85.0"), 2),
        ("housing", Decimal("45.0"), 3),
        ("town-b", Decimal("42.9"), 4),
        ("water", Decimal("0.0"), 5),
    ]


def test_assessment_weights_change_the_ranking_and_ties_share_a_rank(history: World) -> None:
    ReportingSettings.objects.filter(plan=history.plan).update(
        weight_timeliness=Decimal(50), weight_completion=Decimal(0), weight_attainment=Decimal(0)
    )

    result = assess_units(history.plan, today=TODAY)

    assert [(row.unit.code, row.score, row.rank) for row in result.rows] == [
        ("housing", Decimal("100.0"), 1),
        ("town-a", Decimal("100.0"), 1),
        ("town-b", Decimal("100.0"), 1),
        ("ecology", Decimal("50.0"), 4),
        ("water", Decimal("0.0"), 5),
    ]
    assert result.weights == {"timeliness": Decimal(100), "completion": Decimal(0), "attainment": Decimal(0)}


def test_assessment_counts_the_first_submission_of_a_returned_report(history: World) -> None:
    import datetime as dt

    report = ProgressReport.objects.get(task=history.task3, unit=history.town_b, period=FEB)
    review_report(report, by=history.supervisor, approve=False, comment="add photos")
    set_today(dt.date(2025, 3, 29))
    save_report(
        task=history.task3,
        unit=history.town_b,
        period=FEB,
        by=history.town_b_reporter,
        narrative="with photos",
        status="in_progress",
        submit=True,
    )

    row = by_code(assess_units(history.plan, today=TODAY))["town-b"]

    assert (row.on_time, row.owed) == (2, 2)  # type: ignore[attr-defined]


def test_assessment_before_any_due_date_has_no_timeliness(world: World) -> None:
    result = assess_units(world.plan, today=dt.date(2025, 2, 25))  # January is due on the 25th, not before

    assert {row.unit.code: row.owed for row in result.rows} == {
        "ecology": 0,
        "housing": 0,
        "water": 0,
        "town-a": 0,
        "town-b": 0,
    }
    assert {row.unit.code: row.timeliness for row in result.rows} == dict.fromkeys(
        ["ecology", "housing", "water", "town-a", "town-b"]
    )


def test_assessment_runs_in_a_fixed_number_of_queries(history: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    more = [Unit.objects.create(code=f"town-{i}", name=f"Town {i}") for i in range(10)]
    history.towns.members.add(*more)

    with django_assert_max_num_queries(12):
        result = assess_units(history.plan, today=TODAY)

    assert len(result.rows) == 15


def test_normalised_weights_sum_to_100() -> None:
    weights = normalised_weights(Decimal(1), Decimal(1), Decimal(2))

    assert weights == {"timeliness": Decimal(25), "completion": Decimal(25), "attainment": Decimal(50)}


def test_rank_rows_puts_units_without_score_last() -> None:
    rows = [UnitScore(unit=Unit(name="b"), score=None), UnitScore(unit=Unit(name="a"), score=Decimal("3.0"))]

    ranked = rank_rows(rows)

    assert [(row.unit.name, row.rank) for row in ranked] == [("a", 1), ("b", None)]
