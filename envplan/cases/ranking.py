"""How the cases are ranked: each detector's precision as a Beta distribution, started from the
benchmark and updated by the outcomes inspectors record, and a case's risk from its findings.

Precision of a detector = the share of the judged cases it took part in that were confirmed. It starts
from a prior: Beta(PRIOR_STRENGTH × p, PRIOR_STRENGTH × (1 − p)), p being the precision the detector
showed on the benchmark (`bench/screening.py`, held-out mix: real turbine series with documented
manipulations injected; envplan/screening/README.md), or one half where the benchmark did not measure it.
The prior weighs as much as PRIOR_STRENGTH judged cases, so a handful of real outcomes already move it:
the benchmark's base rate of manipulation is far above a district's, and only real outcomes say how
often a finding is worth a visit. Each judged case counts once per detector that found something in it,
whatever the number of its findings (one long case must not outweigh many short ones).

The risk of a case is the chance that at least one of its detectors is right, taking each detector's
best finding in the case and its precision: 1 − Π (1 − precision × score). A case of a detector that
inspectors keep finding wrong sinks; one of a detector they keep confirming rises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

PRIOR_STRENGTH: Final = 5.0
UNMEASURED: Final = 0.5

# Precision on the benchmark's held-out mix, seeds 101-120 (`bench/screening.py --part quality`, printed as
# true / natural / false findings per detector): (true + 1) / (true + false + 2), so that a detector
# never wrong in a few hundred findings starts just under 1, not at 1.
BENCHMARK_PRECISION: Final[dict[str, float]] = {
    "benford": 7 / 8,  # 6 true, 0 false
    "flag_on_exceedance": 73 / 75,  # 72, 1
    "flag_share": 43 / 44,  # 42, 0
    "flat_line": 137 / 141,  # 136, 3
    "last_digit": 96 / 111,  # 95, 14
    "level_shift": 287 / 412,  # 286, 124
    "limit_hugging": 313 / 438,  # 312, 124
    "maintenance_without_record": 363 / 364,  # 362, 0
    "marks_timing": 274 / 275,  # 273, 0
    "oxygen_dilution": 307 / 309,  # 306, 1
    "replay": 136 / 137,  # 135, 0
    "stopped_running": 102 / 103,  # 101, 0
    "variance_collapse": 235 / 292,  # 234, 56
}


@dataclass(frozen=True)
class DetectorPrecision:
    """A detector's precision: the benchmark's prior and the judged cases (confirmed, false alarm)."""

    detector: str
    prior: float
    measured: bool  # whether the prior comes from the benchmark
    confirmed: int = 0
    false_alarms: int = 0

    @property
    def alpha(self) -> float:
        return PRIOR_STRENGTH * self.prior + self.confirmed

    @property
    def beta(self) -> float:
        return PRIOR_STRENGTH * (1.0 - self.prior) + self.false_alarms

    @property
    def judged(self) -> int:
        return self.confirmed + self.false_alarms

    @property
    def estimate(self) -> float:
        """The posterior mean: what the ranking weighs the detector's findings by."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def observed(self) -> float | None:
        """Confirmed / judged, from the outcomes alone (None before any judgement)."""
        return self.confirmed / self.judged if self.judged else None


def precision_of(detector: str, *, confirmed: int = 0, false_alarms: int = 0) -> DetectorPrecision:
    prior = BENCHMARK_PRECISION.get(detector)
    return DetectorPrecision(
        detector=detector,
        prior=UNMEASURED if prior is None else prior,
        measured=prior is not None,
        confirmed=confirmed,
        false_alarms=false_alarms,
    )


def precisions(
    detectors: Iterable[str], outcomes: Mapping[str, tuple[int, int]]
) -> dict[str, DetectorPrecision]:
    """Every detector named (and every one with outcomes): `outcomes` maps a detector to its (confirmed,
    false alarm) case counts."""
    names = sorted({*detectors, *outcomes})
    return {
        name: precision_of(
            name, confirmed=outcomes.get(name, (0, 0))[0], false_alarms=outcomes.get(name, (0, 0))[1]
        )
        for name in names
    }


@dataclass(frozen=True)
class RiskPart:
    """One detector's share in a case's risk: its best score in the case, weighted by its precision."""

    detector: str
    score: float
    precision: float

    @property
    def weight(self) -> float:
        return self.score * self.precision


def risk_parts(best_scores: Mapping[str, float], table: Mapping[str, DetectorPrecision]) -> list[RiskPart]:
    """The parts of a case's risk, largest first."""
    parts = [
        RiskPart(detector, score, (table.get(detector) or precision_of(detector)).estimate)
        for detector, score in best_scores.items()
    ]
    return sorted(parts, key=lambda part: (-part.weight, part.detector))


def risk(parts: Iterable[RiskPart]) -> float:
    """1 − Π (1 − precision × score): the chance that at least one detector is right."""
    remaining = 1.0
    for part in parts:
        remaining *= 1.0 - min(max(part.weight, 0.0), 1.0)
    return 1.0 - remaining
