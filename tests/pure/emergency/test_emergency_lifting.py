"""When an alert in force may be lifted: the forecast stays below every trigger for 2 days (36 h)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from envplan.standards.emergency import (
    GUIDANCE_2018,
    GUIDANCE_2024,
    Forecast,
    RuleSet,
    earliest_lift,
    is_clean,
    may_lift,
    parse_rules,
    with_regional,
)

START = date(2025, 1, 10)


def forecast(*aqi: float) -> Forecast:
    return Forecast(START, tuple(float(value) for value in aqi))


def day(index: int) -> date:
    return START + timedelta(days=index)


@pytest.mark.parametrize(
    ("aqi", "rules", "lift"),
    [
        pytest.param((250, 140, 150, 100), GUIDANCE_2024, 1, id="2024-two-days-at-or-below-150"),
        pytest.param((250, 140, 160, 100, 90), GUIDANCE_2024, 3, id="2024-a-day-at-160-is-not-clean"),
        pytest.param((250, 140, 160, 100, 90), GUIDANCE_2018, 1, id="2018-a-day-at-160-is-clean"),
        pytest.param((250, 100, 250, 100, 100), GUIDANCE_2024, 3, id="one-clean-day-does-not-lift"),
        pytest.param((250, 200, 200), GUIDANCE_2018, 1, id="2018-200-exactly-is-clean"),
        pytest.param((250, 100), GUIDANCE_2024, None, id="forecast-ends-after-one-clean-day"),
        pytest.param((250, 250, 250), GUIDANCE_2024, None, id="no-clean-day"),
        pytest.param((90, 90, 250), GUIDANCE_2024, 0, id="clean-from-the-first-day"),
    ],
)
def test_earliest_lift_day(aqi: tuple[float, ...], rules: RuleSet, lift: int | None):
    assert earliest_lift(forecast(*aqi), rules) == (None if lift is None else day(lift))


def test_may_lift_only_on_days_followed_by_enough_clean_days():
    outlook = forecast(250, 140, 150, 100, 220)

    answers = [may_lift(outlook, GUIDANCE_2024, on=day(index)) for index in range(5)]

    assert answers == [False, True, True, False, False]


def test_earliest_lift_not_before_skips_earlier_days():
    outlook = forecast(100, 100, 250, 100, 100)

    assert earliest_lift(outlook, GUIDANCE_2024, not_before=day(2)) == day(3)


def test_is_clean_boundaries_per_edition():
    cases = [(150, GUIDANCE_2024), (151, GUIDANCE_2024), (200, GUIDANCE_2018), (201, GUIDANCE_2018)]

    assert [is_clean(aqi, rules) for aqi, rules in cases] == [True, False, True, False]


def test_regional_triggers_lengthen_and_tighten_lifting():
    regional = parse_rules(
        {"name": "strict", "lift_after_days": 3, "rules": [{"level": "yellow", "above": 100, "days": 2}]}
    )
    rules = with_regional(GUIDANCE_2024, regional)
    outlook = forecast(250, 140, 90, 90, 90, 90)

    assert (earliest_lift(outlook, GUIDANCE_2024), earliest_lift(outlook, rules)) == (day(1), day(2))
