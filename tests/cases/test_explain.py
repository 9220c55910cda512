"""Findings written in the reader's language from their numbers, the English sentence as fallback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from envplan.cases.explain import TEMPLATES, channel, explain, number, percent
from envplan.cases.models import Finding
from envplan.screening import DETECTORS

ZONE = dt.timezone(dt.timedelta(hours=8))


def finding(detector: str, evidence: dict[str, object], *, field: str = "Avg") -> Finding:
    start = dt.datetime(2025, 10, 11, 8, tzinfo=ZONE)
    return Finding(
        mn="MN1",
        factor="a21002",
        field=field,
        start=start,
        end=start + dt.timedelta(hours=29),
        detector=detector,
        score=1.0,
        points=30,
        explanation="the package's English sentence",
        evidence=evidence,
    )


HELD = {
    "value": 35.2,
    "longest_run": 30,
    "runs": 1,
    "tolerance": 0.020000000001,
    "still_rate": 0.0111,
    "still_again_rate": 0.035,
    "surprise": 39.7,
}


def test_explain_has_a_template_for_every_detector():
    assert set(TEMPLATES) == set(DETECTORS)


def test_explain_fills_the_template_with_the_evidence():
    with translation.override("en"):
        text = explain(finding("flat_line", HELD))

    assert text == (
        "NOx (a21002) Avg held at 35.2 for 30 values in a row (within ±0.02) from 2025-10-11 08:00 to "
        "2025-10-12 13:00. At this outlet a value stays still after only 1.11 % of changes, so such a run is "
        "expected less than once in a thousand years."
    )


def test_explain_writes_numbers_as_the_reader_does():
    with translation.override("fr"):
        text = explain(finding("flat_line", HELD))

    assert "35,2" in text
    assert "1,11 %" in text


def test_explain_falls_back_to_the_english_sentence_when_numbers_are_missing():
    assert explain(finding("flat_line", {"value": 35.2})) == "the package's English sentence"
    assert explain(finding("a_detector_added_later", {})) == "the package's English sentence"


HUGGING = {
    "limit": 50.0,
    "near_limit": 92.0,
    "at_or_above": 0.0,
    "usual_share_above": 0.196,
    "surprise": 8.7,
    "cap_value": 46.87,
    "cap_count": 4,
}
SHIFT = {
    "shift_log": -0.6,
    "window_hours": 24.0,
    "before": 40.0,
    "after": 22.0,
    "load_shift_log": None,
    "flow_shift_log": 0.01,
    "temperature_shift_log": None,
}
STOPPED = {"reason": "read zero", "load_share": None, "flow_share": 0.93, "temperature_share": None}


@pytest.mark.parametrize(
    "detector,evidence,expected",
    [
        (
            "limit_hugging",
            HUGGING,
            "92 values lay within 10 % below the limit 50 but only 0 at or above the limit itself (0 %), "
            "where this outlet usually has 20 % of such values at or above the limit. 46.87 occurs 4 times",
        ),
        ("replay", {"lag_hours": 48.0, "matched": 20.0, "informative": 21.0}, "of 2 days earlier: 20 of 21"),
        ("level_shift", SHIFT, "fell by 45 % (from about 40 over the 24 h before to about 22 over the 24 h"),
        ("stopped_running", STOPPED, "read zero for 30 h from 2025-10-11 08:00 while the plant was running"),
        ("stopped_running", STOPPED, "running: flow at 93 % of its running level."),
    ],
)
def test_explain_detectors_say_what_their_numbers_mean(detector, evidence, expected):
    with translation.override("en"):
        assert expected in explain(finding(detector, evidence))


def test_explain_formats_channels_numbers_and_shares():
    with translation.override("en"):
        assert channel("a34013", "ZsAvg") == "particulate (a34013) ZsAvg"
        assert channel("x99", "Avg") == "x99 Avg"
        assert (number(35.20, 2), number(-0.0001, 2), number(1234.5678, 1)) == ("35.2", "0", "1234.6")
        assert (percent(0.0111, 1), percent(0.196)) == ("1.11 %", "20 %")
