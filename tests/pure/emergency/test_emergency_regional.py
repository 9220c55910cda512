"""Regional rule files: stricter local triggers added to the national edition, and their errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envplan.standards.emergency import (
    GUIDANCE_2018,
    GUIDANCE_2024,
    Level,
    RuleFileError,
    assess,
    load_rules_file,
    parse_rules,
    with_regional,
)
from tests.pure.emergency.forecasts import forecast

STRICT_TOML = """\
name = "Kundulun test"
source = "a district plan, section 4"

[[rules]]
level = "yellow"
above = 150
days = 1

[[rules]]
level = "orange"
above = 200
days = 3

[[rules]]
level = "red"
above = 200
days = 3
with = [{ days = 2, above = 250, consecutive = true }]
"""


@pytest.fixture
def strict(tmp_path: Path):
    path = tmp_path / "kundulun.toml"
    path.write_text(STRICT_TOML, encoding="utf-8")
    return load_rules_file(path)


@pytest.mark.parametrize(
    ("aqi", "national", "regional"),
    [
        pytest.param((160, 100), Level.NONE, Level.YELLOW, id="one-day-above-150"),
        pytest.param((201, 201, 201), Level.YELLOW, Level.ORANGE, id="orange-without-300"),
        pytest.param((201, 260, 260, 201), Level.YELLOW, Level.RED, id="red-two-consecutive-above-250"),
        pytest.param((260, 201, 260, 201), Level.YELLOW, Level.ORANGE, id="above-250-not-consecutive"),
        pytest.param((100, 500), Level.RED, Level.RED, id="national-red-kept"),
    ],
)
def test_regional_rules_add_stricter_triggers_to_2018(strict, aqi, national: Level, regional: Level):
    rules = with_regional(GUIDANCE_2018, strict)

    levels = (assess(forecast(*aqi), GUIDANCE_2018).level, assess(forecast(*aqi), rules).level)

    assert levels == (national, regional)
    assert rules.name == "2018+Kundulun test"


def test_regional_json_file_reads_like_toml(strict, tmp_path: Path):
    document = {
        "name": "Kundulun test",
        "source": "a district plan, section 4",
        "rules": [
            {"level": "yellow", "above": 150, "days": 1},
            {"level": "orange", "above": 200, "days": 3},
            {
                "level": "red",
                "above": 200,
                "days": 3,
                "with": [{"days": 2, "above": 250, "consecutive": True}],
            },
        ],
    }
    path = tmp_path / "kundulun.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    assert load_rules_file(path) == strict


def test_regional_rules_never_lower_a_national_level(strict):
    red_2024 = forecast(201, 301, 201)

    assert assess(red_2024, with_regional(GUIDANCE_2024, strict)).level == Level.RED


def test_regional_at_least_threshold_includes_the_boundary():
    regional = parse_rules({"name": "x", "rules": [{"level": "red", "at_least": 400}]})
    rules = with_regional(GUIDANCE_2024, regional)

    assert [assess(forecast(aqi), rules).level for aqi in (399, 400)] == [Level.YELLOW, Level.RED]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"rules": [{"level": "red", "above": 1}]}, "name: a non-empty text is required"),
        ({"name": "x"}, "rules: at least one [[rules]] table is required"),
        (
            {"name": "x", "rules": [{"level": "purple", "above": 1}]},
            "rules[1]: level: 'purple' is not one of",
        ),
        (
            {"name": "x", "rules": [{"level": "red"}]},
            "rules[1]: give exactly one of above = T or at_least = T",
        ),
        ({"name": "x", "rules": [{"level": "red", "above": 1, "at_least": 2}]}, "give exactly one of"),
        ({"name": "x", "rules": [{"level": "red", "above": "high"}]}, "rules[1]: above: expected an AQI"),
        (
            {"name": "x", "rules": [{"level": "red", "above": 1, "days": 0}]},
            "rules[1]: days: expected a whole",
        ),
        ({"name": "x", "rules": [{"level": "red", "above": 1, "dayz": 2}]}, "rules[1]: unknown key(s) dayz"),
        (
            {"name": "x", "rules": [{"level": "red", "above": 1, "with": [{"days": 1}]}]},
            "rules[1]: with[1]: give exactly one of",
        ),
        ({"name": "x", "colour": "red", "rules": []}, "unknown key(s) colour"),
    ],
)
def test_parse_rules_refuses_bad_documents(document: dict[str, object], message: str):
    with pytest.raises(RuleFileError) as caught:
        parse_rules(document, label="f.toml")

    assert message in str(caught.value)
    assert str(caught.value).startswith("f.toml: ")


def test_regional_lift_after_days_cannot_be_shorter():
    regional = parse_rules({"name": "lax", "lift_after_days": 1, "rules": [{"level": "red", "above": 450}]})

    with pytest.raises(RuleFileError) as caught:
        with_regional(GUIDANCE_2024, regional)

    assert str(caught.value) == (
        "lax: lift_after_days 1 is fewer than the 2024 edition's 2: a region may only be stricter"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rules.yaml", "name: x", "a rules file ends in .toml or .json"),
        ("rules.toml", "name = ", "not valid TOML"),
        ("rules.json", "{", "not valid JSON"),
    ],
)
def test_load_rules_file_refuses_unusable_files(tmp_path: Path, name: str, content: str, message: str):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    with pytest.raises(RuleFileError) as caught:
        load_rules_file(path)

    assert str(caught.value).startswith(f"{path}: {message}")
