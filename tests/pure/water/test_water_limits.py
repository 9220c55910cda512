"""The GB 3838-2002 table in code agrees with the reference JSON (tests/data/water/gb3838_limits.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from envplan.standards.water import ITEM_BY_CODE, ITEMS, REFERENCE_CODES, ROUTINE_CODES

DATA = Path(__file__).resolve().parents[2] / "data" / "water"
# The JSON names a few items differently from the CSV column codes used in the code.
JSON_TO_CODE = {"volatile_phenol": "phenol", "tp_river": "tp", "tp_lake": "tp", "tp_river|tp_lake": "tp"}


def _reference() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "gb3838_limits.json").read_text(encoding="utf-8"))
    return data


def test_limits_class_limits_equal_reference_json() -> None:
    reference = {item["key"]: item for item in _reference()["items"] if "limits" in item}
    for key, item in reference.items():
        code = JSON_TO_CODE.get(key, key)
        expected = tuple(float(item["limits"][label]) for label in ("I", "II", "III", "IV", "V"))
        limits = ITEM_BY_CODE[code].lake_limits if key == "tp_lake" else ITEM_BY_CODE[code].limits
        assert limits == expected, key


def test_limits_directions_equal_reference_json() -> None:
    for item in _reference()["items"]:
        if item["key"] == "water_temp":
            continue
        code = JSON_TO_CODE.get(item["key"], item["key"])
        assert ITEM_BY_CODE[code].direction == item["direction"], item["key"]


def test_limits_routine_items_are_the_21_of_the_2011_method() -> None:
    evaluation = _reference()["evaluation_2011"]
    expected = sorted(JSON_TO_CODE.get(key, key) for key in evaluation["routine_indicator_keys"])

    assert sorted(ROUTINE_CODES) == expected
    assert len(ROUTINE_CODES) == 21
    assert REFERENCE_CODES == ("tn", "fecal_coliform")


def test_limits_table_numbers_follow_gb3838_table_1() -> None:
    assert [item.table_number for item in ITEMS] == list(range(2, 25))
