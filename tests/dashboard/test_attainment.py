from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from envplan.indicators.services import attainment, meets, project
from envplan.plans.models import Target

D = Decimal
YEAR_END = dt.date(2025, 12, 31)


def target(comparator: str, value: str, deadline: dt.date | None = None) -> Target:
    return Target(indicator="x", comparator=comparator, value=D(value), deadline=deadline, position=1)


@pytest.mark.parametrize(
    ("value", "comparator", "goal", "expected"),
    [
        ("90", ">", "90", False),
        ("90.1", ">", "90", True),
        ("83.3", ">=", "83.3", True),
        ("35", "<", "35", False),
        ("34.9", "<", "35", True),
        ("24", "=", "24", True),
        ("0.9", "<=", "0.9", True),
    ],
)
def test_meets_follows_the_comparator(value, comparator, goal, expected):
    assert meets(D(value), comparator, D(goal)) is expected


def test_project_fits_a_straight_line():
    series = [(dt.date(2025, 1, 1), D(10)), (dt.date(2025, 1, 11), D(20)), (dt.date(2025, 1, 21), D(30))]
    assert project(series, dt.date(2025, 1, 31)) == D("40")


def test_project_needs_three_points():
    assert project([(dt.date(2025, 1, 1), D(1)), (dt.date(2025, 2, 1), D(2))], dt.date(2025, 3, 1)) is None


def test_attainment_green_when_the_latest_value_meets():
    result = attainment(
        target(">", "85"),
        [(dt.date(2025, 6, 30), D(80)), (dt.date(2025, 7, 31), D(86))],
        today=dt.date(2025, 8, 1),
        year_end=YEAR_END,
    )
    assert (result.rating, result.latest, result.met) == ("green", D(86), True)


def test_attainment_red_when_the_deadline_passed_unmet():
    result = attainment(
        target(">=", "100", dt.date(2025, 9, 30)),
        [(dt.date(2025, 8, 31), D(80))],
        today=dt.date(2025, 10, 5),
        year_end=YEAR_END,
    )
    assert result.rating == "red"


def test_attainment_red_when_the_trend_misses_the_deadline():
    series = [(dt.date(2025, 6, 30), D(50)), (dt.date(2025, 7, 31), D(51)), (dt.date(2025, 8, 31), D(52))]
    result = attainment(target(">=", "90"), series, today=dt.date(2025, 9, 1), year_end=YEAR_END)
    assert result.rating == "red"
    assert result.projected is not None and result.projected < D(90)
    assert result.projected_date == YEAR_END


def test_attainment_amber_when_the_trend_reaches_the_target_in_time():
    series = [(dt.date(2025, 6, 30), D(60)), (dt.date(2025, 7, 31), D(70)), (dt.date(2025, 8, 31), D(80))]
    result = attainment(target(">=", "90"), series, today=dt.date(2025, 9, 1), year_end=YEAR_END)
    assert result.rating == "amber"
    assert result.projected > D(90)


def test_attainment_for_lower_is_better_targets():
    series = [(dt.date(2025, 6, 30), D(40)), (dt.date(2025, 7, 31), D(38)), (dt.date(2025, 8, 31), D(36))]
    result = attainment(target("<", "35"), series, today=dt.date(2025, 9, 1), year_end=YEAR_END)
    assert result.rating == "amber"


def test_attainment_unknown_without_values_before_the_deadline():
    assert attainment(target(">", "1"), [], today=dt.date(2025, 9, 1), year_end=YEAR_END).rating == "unknown"


def test_attainment_ignores_values_after_today():
    series = [(dt.date(2025, 6, 30), D(80)), (dt.date(2025, 12, 31), D(99))]
    result = attainment(target(">", "90"), series, today=dt.date(2025, 7, 1), year_end=YEAR_END)
    assert result.latest == D(80)


def test_projection_stays_within_the_range_of_a_share():
    falling = [
        (dt.date(2025, 6, 30), D("3.0")),
        (dt.date(2025, 7, 31), D("2.0")),
        (dt.date(2025, 8, 31), D("1.0")),
    ]
    share = Target(indicator="x", comparator="<=", value=D("0.5"), unit_of_measure="%", position=1)
    result = attainment(share, falling, today=dt.date(2025, 9, 1), year_end=YEAR_END)
    assert result.projected == D(0)
    rising = [(dt.date(2025, 6, 30), D(96)), (dt.date(2025, 7, 31), D(98)), (dt.date(2025, 8, 31), D("99.5"))]
    capped = Target(indicator="x", comparator=">", value=D("99.9"), unit_of_measure="%", position=1)
    assert attainment(capped, rising, today=dt.date(2025, 9, 1), year_end=YEAR_END).projected == D(100)
