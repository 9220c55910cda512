"""The ranking's arithmetic, without a database."""

from __future__ import annotations

import pytest

from envplan.cases.ranking import (
    BENCHMARK_PRECISION,
    PRIOR_STRENGTH,
    UNMEASURED,
    precision_of,
    risk,
    risk_parts,
)
from envplan.screening import DETECTORS


def test_ranking_priors_name_only_real_detectors():
    assert set(BENCHMARK_PRECISION) <= set(DETECTORS)


def test_ranking_prior_weighs_as_five_judged_cases():
    fresh = precision_of("level_shift")
    judged = precision_of("level_shift", confirmed=5, false_alarms=0)

    assert fresh.estimate == pytest.approx(0.70)
    assert (fresh.alpha, fresh.beta) == pytest.approx((PRIOR_STRENGTH * 0.70, PRIOR_STRENGTH * 0.30))
    assert judged.estimate == pytest.approx((3.5 + 5) / 10)
    assert fresh.observed is None
    assert judged.observed == 1.0


def test_ranking_unmeasured_detector_starts_at_one_half():
    assert precision_of("benford").estimate == UNMEASURED
    assert precision_of("benford").measured is False


def test_ranking_risk_is_the_chance_that_one_detector_is_right():
    parts = risk_parts({"flat_line": 0.5, "replay": 0.5}, {})

    assert risk(parts) == pytest.approx(1 - (1 - 0.5 * 0.97) ** 2)
    assert risk([]) == 0.0
    assert [p.detector for p in risk_parts({"level_shift": 0.9, "flat_line": 0.9}, {})] == [
        "flat_line",
        "level_shift",
    ]
