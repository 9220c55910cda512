"""Performance grades (pure): the 2020 and 2026 schemes, the short-board rule, multi-industry grades and
the cut a grade owes during an alert."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from envplan.standards.emergency.grades import (
    GradeError,
    Scheme,
    check_grade,
    enterprise_grade,
    grade_from_indicators,
    is_lower,
    lowest,
    required_cut,
    scheme_for,
)
from envplan.standards.emergency.rules import Level


def test_scheme_for_switches_on_the_day_of_the_2026_guidance():
    assert scheme_for(dt.date(2026, 1, 12)) is Scheme.G2020
    assert scheme_for(dt.date(2026, 1, 13)) is Scheme.G2026


def test_check_grade_accepts_the_schemes_grades_and_refuses_others():
    assert check_grade(Scheme.G2020, "b-") == "B-"
    assert check_grade(Scheme.G2020, "引领性") == "引领性"
    with pytest.raises(GradeError, match="not a grade of the 2026 scheme"):
        check_grade(Scheme.G2026, "B-")
    with pytest.raises(GradeError, match="A\\+ / A / B / C / D"):
        check_grade(Scheme.G2026, "引领性")


def test_lowest_orders_b_minus_between_b_and_c_and_ignores_not_graded():
    assert lowest(Scheme.G2020, ["A", "B-", "B"]) == "B-"
    assert lowest(Scheme.G2020, ["B-", "C"]) == "C"
    assert lowest(Scheme.G2020, ["非分级", "A"]) == "A"
    assert lowest(Scheme.G2020, ["非分级"]) == "非分级"


def test_grade_from_indicators_takes_the_lowest_indicator():
    result = grade_from_indicators(
        {"equipment": "A", "emission limits": "B", "transport": "C", "monitoring": "A"}
    )

    assert (result.grade, result.deciding) == ("C", ("transport",))


def test_grade_from_indicators_gives_a_plus_only_when_selected_and_all_at_a():
    every_a = {"equipment": "A", "emission limits": "A"}

    assert grade_from_indicators(every_a).grade == "A"
    assert grade_from_indicators(every_a, a_plus_selected=True).grade == "A+"
    assert grade_from_indicators({**every_a, "transport": "B"}, a_plus_selected=True).grade == "B"


def test_grade_from_indicators_simple_industries_stop_at_c():
    with pytest.raises(GradeError, match="not one of A / B / C"):
        grade_from_indicators({"equipment": "D"}, simple=True)


def test_enterprise_grade_in_several_industries_is_the_lowest():
    result = enterprise_grade(Scheme.G2026, {"coking": "A", "steel": "B", "power": "A"})

    assert (result.grade, result.deciding) == ("B", ("steel",))


def test_is_lower_says_whether_a_grade_is_a_downgrade():
    assert is_lower(Scheme.G2020, "C", "B") is True
    assert is_lower(Scheme.G2020, "A", "B") is False
    assert is_lower(Scheme.G2020, "非分级", "B") is False


@pytest.mark.parametrize(
    ("level", "scheme", "grade", "listed", "owed"),
    [
        (Level.ORANGE, Scheme.G2020, "A", Decimal(30), Decimal(0)),  # A reduces voluntarily
        (Level.RED, Scheme.G2026, "A+", None, Decimal(0)),
        (Level.ORANGE, Scheme.G2020, "B", Decimal(35), Decimal(35)),  # its measures' figure
        (Level.YELLOW, Scheme.G2020, "C", None, Decimal(10)),  # the level's city-wide share
        (Level.ORANGE, None, None, None, Decimal(20)),
        (Level.RED, Scheme.G2026, "D", None, Decimal(30)),
        (Level.NONE, Scheme.G2020, "D", Decimal(50), Decimal(0)),
    ],
)
def test_required_cut_by_grade_level_and_measures(level, scheme, grade, listed, owed):
    assert required_cut(level, scheme=scheme, grade=grade, listed=listed) == owed


def test_required_cut_refuses_a_cut_over_100_percent():
    with pytest.raises(GradeError, match="between 0 and 100"):
        required_cut(Level.RED, scheme=Scheme.G2020, grade="C", listed=Decimal(120))
