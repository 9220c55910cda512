"""Warning levels on hand-made forecasts: every level and boundary of both national editions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from envplan.standards.emergency import (
    GUIDANCE_2018,
    GUIDANCE_2024,
    Level,
    RuleFileError,
    assess,
    edition_for,
    parse_rules,
    rules_for,
)
from tests.pure.emergency.forecasts import START, forecast


def span(first: int | None, last: int | None) -> tuple[date | None, date | None]:
    if first is None or last is None:
        return (None, None)
    return (START + timedelta(days=first), START + timedelta(days=last))


# (forecast, level, first day index, last day index) under the 2024 revision (环大气〔2024〕6号).
CASES_2024 = [
    pytest.param((100, 120, 150), Level.NONE, None, None, id="150-exactly-is-not-above-150"),
    pytest.param((150, 150, 150), Level.NONE, None, None, id="three-days-at-150"),
    pytest.param((151, 100, 151), Level.NONE, None, None, id="single-days-above-150"),
    pytest.param((100, 200, 100), Level.NONE, None, None, id="one-day-at-200-is-not-above-200"),
    pytest.param((100, 201, 100), Level.YELLOW, 1, 1, id="yellow-one-day-above-200"),
    pytest.param((151, 151), Level.YELLOW, 0, 1, id="yellow-two-days-above-150"),
    pytest.param((200, 200), Level.YELLOW, 0, 1, id="two-days-at-200-are-yellow-not-orange"),
    pytest.param((151, 151, 100, 151, 151), Level.YELLOW, 0, 1, id="clean-day-breaks-the-150-run"),
    pytest.param((201, 100, 201), Level.YELLOW, 0, 0, id="clean-day-breaks-the-200-run"),
    pytest.param((201, 201), Level.ORANGE, 0, 1, id="orange-two-days-above-200"),
    pytest.param((151, 151, 151), Level.ORANGE, 0, 2, id="orange-three-days-above-150"),
    pytest.param((200, 200, 200), Level.ORANGE, 0, 2, id="three-days-at-200-are-above-150"),
    pytest.param((201, 201, 201), Level.ORANGE, 0, 2, id="three-days-above-200-without-300"),
    pytest.param((201, 300, 201), Level.ORANGE, 0, 2, id="300-exactly-is-not-above-300"),
    pytest.param((301, 301, 150), Level.ORANGE, 0, 1, id="two-days-above-300-are-not-red"),
    pytest.param((201, 301, 201), Level.RED, 0, 2, id="red-three-days-above-200-one-above-300"),
    pytest.param((250, 301, 100, 250, 250), Level.ORANGE, 0, 1, id="clean-day-keeps-it-from-red"),
    pytest.param((160, 250, 350, 250, 160), Level.RED, 1, 3, id="red-covers-the-days-above-200"),
    pytest.param((201, 210, 220, 301), Level.RED, 0, 3, id="red-run-is-the-whole-unbroken-run"),
    pytest.param((160, 160, 160, 100, 250, 350, 250), Level.RED, 4, 6, id="highest-level-wins-over-earlier"),
    pytest.param((100, 500, 100), Level.YELLOW, 1, 1, id="500-has-no-rule-of-its-own-in-2024"),
]

# The same under the 2018 guidance (环办大气函〔2018〕875号).
CASES_2018 = [
    pytest.param((200, 200, 200, 200), Level.NONE, None, None, id="200-exactly-is-not-above-200"),
    pytest.param((100, 201, 100), Level.NONE, None, None, id="one-day-above-200-is-not-a-warning"),
    pytest.param((160, 160, 160), Level.NONE, None, None, id="150-is-no-threshold-in-2018"),
    pytest.param((201, 201), Level.YELLOW, 0, 1, id="yellow-two-days-above-200"),
    pytest.param((201, 201, 201), Level.YELLOW, 0, 2, id="three-days-without-300-stay-yellow"),
    pytest.param((201, 300, 201), Level.YELLOW, 0, 2, id="300-exactly-is-not-above-300"),
    pytest.param((499, 499), Level.YELLOW, 0, 1, id="499-is-not-500"),
    pytest.param((201, 201, 100, 201, 201), Level.YELLOW, 0, 1, id="clean-day-keeps-it-from-orange"),
    pytest.param((201, 301, 201), Level.ORANGE, 0, 2, id="orange-three-days-one-above-300"),
    pytest.param((301, 301, 301), Level.ORANGE, 0, 2, id="three-days-above-300-are-not-red"),
    pytest.param((301, 201, 301, 201), Level.ORANGE, 0, 3, id="days-above-300-not-consecutive"),
    pytest.param((201, 301, 300, 201), Level.ORANGE, 0, 3, id="second-day-at-300-exactly"),
    pytest.param((201, 301, 301, 201), Level.RED, 0, 3, id="red-four-days-two-consecutive-above-300"),
    pytest.param((201, 301, 100, 301, 301, 201), Level.ORANGE, 3, 5, id="clean-day-keeps-it-from-red"),
    pytest.param((100, 500, 100), Level.RED, 1, 1, id="red-a-day-at-500"),
    pytest.param((100, 499, 100), Level.NONE, None, None, id="one-day-at-499"),
    pytest.param((201, 201, 201, 500), Level.RED, 3, 3, id="red-by-500-covers-that-day"),
]


@pytest.mark.parametrize(("aqi", "level", "first", "last"), CASES_2024)
def test_assess_2024_level_and_run(aqi: tuple[float, ...], level: Level, first: int | None, last: int | None):
    result = assess(forecast(*aqi), GUIDANCE_2024)

    assert (result.rules, result.level, (result.start, result.end)) == ("2024", level, span(first, last))


@pytest.mark.parametrize(("aqi", "level", "first", "last"), CASES_2018)
def test_assess_2018_level_and_run(aqi: tuple[float, ...], level: Level, first: int | None, last: int | None):
    result = assess(forecast(*aqi), GUIDANCE_2018)

    assert (result.rules, result.level, (result.start, result.end)) == ("2018", level, span(first, last))


def test_assess_same_forecast_differs_between_editions():
    episode = forecast(160, 160, 160, 210)

    levels = (assess(episode, GUIDANCE_2018).level, assess(episode, GUIDANCE_2024).level)

    assert levels == (Level.NONE, Level.ORANGE)


def test_assess_reason_names_rule_days_and_values():
    result = assess(forecast(100, 201, 301, 201), GUIDANCE_2018)

    assert result.reason == (
        "orange under 2018: AQI > 200 for 3 consecutive days or more, with at least 1 day > 300 "
        "(2025-01-02 to 2025-01-04: AQI 201, 301, 201)"
    )


def test_assess_none_reason_names_the_highest_day():
    result = assess(forecast(120, 180.5, 90), GUIDANCE_2024)

    assert result.reason == "no warning under 2024: no rule is met (highest AQI 180.5 on 2025-01-02)"
    assert result.as_json() == {
        "rules": "2024",
        "level": "none",
        "start": None,
        "end": None,
        "reason": result.reason,
    }


def test_assess_red_by_500_reason_in_2018():
    result = assess(forecast(100, 500), GUIDANCE_2018)

    assert result.reason == "red under 2018: AQI >= 500 on any day (2025-01-02 to 2025-01-02: AQI 500)"


def test_assess_earliest_run_of_the_top_level_is_reported():
    result = assess(forecast(201, 201, 100, 100, 201, 201, 201), GUIDANCE_2024)

    assert (result.level, result.start, result.end) == (Level.ORANGE, START, START + timedelta(days=1))


@pytest.mark.parametrize(
    ("first_day", "edition"),
    [
        (date(2018, 12, 1), "2018"),
        (date(2024, 3, 11), "2018"),
        (date(2024, 3, 12), "2024"),
        (date(2026, 1, 20), "2024"),
    ],
)
def test_edition_for_forecast_start(first_day: date, edition: str):
    assert edition_for(first_day).name == edition


def test_rules_for_picks_the_edition_and_adds_regional_triggers():
    regional = parse_rules({"name": "local", "rules": [{"level": "yellow", "above": 120}]})

    names = [
        rules_for(date(2024, 3, 11)).name,
        rules_for(date(2024, 3, 11), "2024").name,
        rules_for(date(2025, 1, 1), "auto", regional).name,
        rules_for(date(2025, 1, 1), "2018", regional).name,
    ]

    assert names == ["2018", "2024", "2024+local", "2018+local"]


def test_rules_for_refuses_an_unknown_edition():
    with pytest.raises(RuleFileError) as caught:
        rules_for(date(2025, 1, 1), "2019")

    assert str(caught.value) == "no national edition '2019'; known: 2018, 2024"
