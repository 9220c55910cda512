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
    prior = BENCHMARK_PRECISION["level_shift"]
    fresh = precision_of("level_shift")
    judged = precision_of("level_shift", confirmed=5, false_alarms=0)

    assert fresh.estimate == pytest.approx(prior)
    assert (fresh.alpha, fresh.beta) == pytest.approx((PRIOR_STRENGTH * prior, PRIOR_STRENGTH * (1 - prior)))
    assert judged.estimate == pytest.approx((5 * prior + 5) / 10)
    assert fresh.observed is None
    assert judged.observed == 1.0


def test_ranking_unmeasured_detector_starts_at_one_half():
    assert precision_of("mass_balance").estimate == UNMEASURED
    assert precision_of("mass_balance").measured is False


def test_ranking_risk_is_the_chance_that_one_detector_is_right():
    parts = risk_parts({"flat_line": 0.5, "replay": 0.5}, {})

    held, replayed = BENCHMARK_PRECISION["flat_line"], BENCHMARK_PRECISION["replay"]
    assert risk(parts) == pytest.approx(1 - (1 - 0.5 * held) * (1 - 0.5 * replayed))
    assert risk([]) == 0.0
    assert [p.detector for p in risk_parts({"level_shift": 0.9, "flat_line": 0.9}, {})] == [
        "flat_line",
        "level_shift",
    ]
