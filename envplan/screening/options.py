"""Parameters of the detectors, with their defaults (the table in README.md lists them with sources).

Durations are given in hours and turned into slots with each outlet's step, so that the same defaults
serve hourly, minute and real-time data; a window shorter than three slots is not used.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FlatLine:
    """Runs of (nearly) identical consecutive values.

    A step is "still" when the value moves by at most ``tolerance_steps`` times the channel's resolution
    (noise of one resolution step on a held value), but never more than ``change_share`` of the channel's
    median change (a factor reported in whole numbers would otherwise never move).
    A run of k still steps is expected ``1000 * p * q**(k-1)`` times per 1,000 slots, p being the
    channel's own rate of still steps after a moving one and q its rate of a second still step after a
    first (shrunk towards p with the weight of ``prior_runs`` runs); the run is a finding when that
    expectation is below ``10**-min_surprise`` and the run has at least ``min_points`` values. Runs at
    zero (or one resolution step from it) are left out: a reading at its floor is not a held reading.
    """

    tolerance_steps: float = 2.0
    change_share: float = 0.25
    prior_runs: float = 20.0
    min_points: int = 3
    min_surprise: float = 2.5
    full_surprise: float = 9.0
    merge_gap_hours: float = 24.0

    def tolerance(self, resolution: FloatArray, median_change: FloatArray) -> FloatArray:
        """Largest move of a still step, per channel (or slot)."""
        cap = np.where(np.isfinite(median_change), self.change_share * median_change, np.inf)
        return np.asarray(np.minimum(self.tolerance_steps * resolution, cap) + 1e-12, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class VarianceCollapse:
    """Spread over a window against the channel's usual spread in such windows.

    The spread is the standard deviation of log(value + c) (c a twentieth of the median level): a
    relative spread, so that a factor whose variation follows its level (CO) is not called flat when its
    level is low. The ratio is divided by the same ratio of the outlet's load, flow or flue-gas
    temperature when that is below 1 (a steady plant may give a steady pollutant; at most by
    ``covariate_floor``). A window is a finding below ``ratio_thresholds`` (one per window length); the
    score reaches 1 at ``full_ratio``.
    """

    window_hours: tuple[float, ...] = (24.0, 72.0, 168.0)
    ratio_thresholds: tuple[float, ...] = (0.16, 0.28, 0.36)
    full_ratio: float = 0.03
    covariate_floor: float = 0.2
    min_coverage: float = 0.75


@dataclass(frozen=True, slots=True)
class VarianceCollapsePeers:
    """Relative spread (standard deviation of log(value + c)) over a window against the median relative
    spread of outlets of the same industry (needs the outlets' industries)."""

    window_hours: float = 168.0
    ratio_threshold: float = 0.15
    full_ratio: float = 0.03
    min_peers: int = 3
    min_coverage: float = 0.75


@dataclass(frozen=True, slots=True)
class Replay:
    """Windows whose changes from one slot to the next repeat those of an earlier window.

    Candidate pairs come from fingerprints of windows of ``window_slots`` changes starting every
    ``phase_slots`` slots (the positions and signs of their ``fingerprint_size`` largest changes; a
    fingerprint whose smallest chosen change is within ``fingerprint_margin`` of the next is not used:
    noise may swap them in a copy, which then only loses that window),
    at most ``max_lag_days`` apart. A change is informative when the earlier change exceeds
    ``informative_steps`` resolution steps and ``informative_share`` of the channel's median change; it
    matches when the two differ by at most ``tolerance_steps`` resolution steps plus
    ``relative_tolerance`` of the earlier change (a copy scaled by up to that share, with noise of one
    resolution step, still matches). A pair with at least ``min_informative`` informative changes of
    which ``match_share`` match is a copy.
    """

    window_slots: int = 12
    phase_slots: int = 6
    fingerprint_size: int = 5
    fingerprint_margin: float = 0.0
    max_lag_days: float = 35.0
    min_informative: int = 8
    match_share: float = 0.9
    tolerance_steps: float = 3.0
    relative_tolerance: float = 0.05
    informative_steps: float = 4.0
    informative_share: float = 0.25
    full_matches: int = 48


@dataclass(frozen=True, slots=True)
class LimitHugging:
    """Bunching just under the limit: among the values at or above (1 - ``band``) L over a window of
    whole days (each of ``window_hours``), the share at or above L, against the channel's usual share
    (its baseline, shrunk towards ``prior_share`` with the weight of ``prior_weight`` values); at least
    ``min_near`` such values. The surprise is a Chernoff bound on the binomial lower tail, in powers of
    ten. A hard cap (one value just under L repeated) is named in the explanation."""

    band: float = 0.1
    window_hours: tuple[float, ...] = (168.0, 720.0)
    min_near: int = 12
    min_surprise: float = 4.0
    full_surprise: float = 14.0
    prior_share: float = 0.3
    prior_weight: float = 20.0


@dataclass(frozen=True, slots=True)
class LevelShift:
    """An abrupt, lasting change of level that the load, flow and flue-gas temperature do not share.

    On y = log(value + c) (c: a twentieth of the channel's median), clipped to the channel's 1st-99th
    percentiles, the mean over a window after a slot minus the mean over as long a window before it must
    exceed the window's ``min_steps`` (0.3 is about -26 % / +35 %) and ``scale_multiple`` times the
    95th percentile of the channel's absolute steps at that window (a jumpy factor such as CO needs a
    larger step); the same step over ``abrupt_hours`` must carry at least
    ``abrupt_share`` of it; and no covariate (load, flow, flue-gas temperature) may have moved by more
    than ``covariate_step`` on the same log scale (about 5 %). Two window lengths catch both short dips
    and lasting changes.
    """

    window_hours: tuple[float, ...] = (24.0, 72.0)
    min_steps: tuple[float, ...] = (0.45, 0.18)
    abrupt_hours: float = 6.0
    scale_multiple: float = 1.5
    abrupt_share: float = 0.6
    covariate_step: float = 0.05
    full_step: float = 1.0
    min_coverage: float = 0.75


@dataclass(frozen=True, slots=True)
class OxygenDilution:
    """O2 outside its usual range (the outlet's 5th-95th percentiles widened by ``margin`` of that range)
    over ``window_hours`` while the measured concentration is at least ``min_fall`` below its usual
    median. Above the range is dilution with air (or a probe leak); below it is dilution with an inert
    gas such as nitrogen."""

    window_hours: float = 12.0
    margin: float = 0.25
    min_fall: float = 0.15
    full_excursion: float = 3.0
    min_coverage: float = 0.75


@dataclass(frozen=True, slots=True)
class ConversionMismatch:
    """Converted concentration (ZsAvg) against Avg x (21 - O2_ref) / (21 - O2) (HJ 212-2017 Annex D),
    when the limit gives the reference O2; a run of ``min_points`` slots off by more than
    ``tolerance`` (relative) is a finding."""

    tolerance: float = 0.05
    min_points: int = 3
    full_deviation: float = 0.4


@dataclass(frozen=True, slots=True)
class MassBalance:
    """Reported amount (Cou) of a pollutant against concentration x flow amount (HJ 212-2017 Annex D:
    G = C x Q x 1e-6 kg for flue gas in mg/m3 and m3, C x D x 1e-3 kg for water in mg/L and m3)."""

    tolerance: float = 0.1
    min_points: int = 3
    full_deviation: float = 0.5


@dataclass(frozen=True, slots=True)
class StoppedRunning:
    """Slots declared stopped (flag F on a factor, or a facility state RS = 0), or with a pollutant at
    zero or missing, while the load or flow is at least ``running_share`` of its running median or the
    flue-gas temperature at least ``temperature_share`` of its running median."""

    running_share: float = 0.5
    temperature_share: float = 0.7
    min_points: int = 2
    full_hours: float = 24.0
    merge_gap_hours: float = 1.0


@dataclass(frozen=True, slots=True)
class FlagOnExceedance:
    """Invalidating marks (M, C, D, F, T, S, B, P) concentrated on hours above the limit (or, without a
    limit, above the channel's 90th percentile): over ``window_hours`` (whole days), the share of high
    hours that are marked against the share of the channel's other hours that are marked (Chernoff bound
    of the binomial upper tail). A marked hour without a value is judged by the mean of its nearest
    valid neighbours."""

    window_hours: float = 720.0
    min_marked_high: int = 3
    min_surprise: float = 4.0
    full_surprise: float = 14.0


@dataclass(frozen=True, slots=True)
class FlagShare:
    """Share of invalidating marks over ``window_hours`` (whole days) against the channel's usual share
    (at least ``floor_share``): binomial upper tail, and at least ``min_share`` of the window."""

    window_hours: float = 720.0
    floor_share: float = 0.02
    min_share: float = 0.1
    min_surprise: float = 5.0
    full_surprise: float = 20.0


@dataclass(frozen=True, slots=True)
class MaintenanceWithoutRecord:
    """Maintenance marks (M) with no maintenance record of the outlet (for that factor or all factors)
    overlapping them; needs the maintenance records."""

    min_points: int = 1
    full_hours: float = 24.0


@dataclass(frozen=True, slots=True)
class MarksTiming:
    """Maintenance marks (M) starting outside working hours, and more calibration runs (C) in a day
    than ``max_calibrations_per_day`` (local time, Asia/Shanghai)."""

    working_hours: tuple[int, int] = (8, 18)
    max_calibrations_per_day: int = 1


@dataclass(frozen=True, slots=True)
class LastDigit:
    """Distribution of the last digit (at the channel's resolution) over a window of whole days against
    the channel's own distribution: chi-square with 9 degrees of freedom, in powers of ten; at least
    ``min_values`` values."""

    window_hours: float = 720.0
    min_values: int = 300
    min_surprise: float = 6.0
    full_surprise: float = 20.0


@dataclass(frozen=True, slots=True)
class Benford:
    """First-digit distribution against Benford's law, only for channels spanning ``min_decades`` between
    their 1st and 99th percentiles (Benford's law does not hold for narrower ranges); mean absolute
    deviation against Nigrini's first-digit bounds (0.015: non-conformity)."""

    min_values: int = 1000
    min_decades: float = 2.0
    mad_threshold: float = 0.015
    full_mad: float = 0.04


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """Which detectors run, which factors are the production load, and each detector's parameters."""

    detectors: tuple[str, ...] = field(default_factory=lambda: DETECTORS)
    load_factors: frozenset[str] = frozenset({"load"})
    flat_line: FlatLine = field(default_factory=FlatLine)
    variance_collapse: VarianceCollapse = field(default_factory=VarianceCollapse)
    variance_collapse_peers: VarianceCollapsePeers = field(default_factory=VarianceCollapsePeers)
    replay: Replay = field(default_factory=Replay)
    limit_hugging: LimitHugging = field(default_factory=LimitHugging)
    level_shift: LevelShift = field(default_factory=LevelShift)
    oxygen_dilution: OxygenDilution = field(default_factory=OxygenDilution)
    conversion_mismatch: ConversionMismatch = field(default_factory=ConversionMismatch)
    mass_balance: MassBalance = field(default_factory=MassBalance)
    stopped_running: StoppedRunning = field(default_factory=StoppedRunning)
    flag_on_exceedance: FlagOnExceedance = field(default_factory=FlagOnExceedance)
    flag_share: FlagShare = field(default_factory=FlagShare)
    maintenance_without_record: MaintenanceWithoutRecord = field(default_factory=MaintenanceWithoutRecord)
    marks_timing: MarksTiming = field(default_factory=MarksTiming)
    last_digit: LastDigit = field(default_factory=LastDigit)
    benford: Benford = field(default_factory=Benford)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.detectors) - set(DETECTORS))
        if unknown:
            raise ValueError(f"unknown detector(s): {', '.join(unknown)}; known: {', '.join(DETECTORS)}")


# Every detector, in the order ScanOptions runs them by default: each has its parameters in the field of
# ScanOptions named after it.
DETECTORS: Final[tuple[str, ...]] = tuple(
    item.name for item in fields(ScanOptions) if item.name not in {"detectors", "load_factors"}
)
