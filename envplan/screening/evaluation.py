"""The benchmark's ground: real series, documented manipulations injected into them, and the scoring.

Real data: the UCI "Gas Turbine CO and NOx Emission" set (Kaya, Tüfekci & Uzun 2019, Turk. J. Elec.
Eng. & Comp. Sci. 27(6), doi:10.3906/elk-1807-87): one natural-gas turbine, hourly, 2011-2015. Each year
becomes one outlet (`mn` = `UCIGT<year>`) of kind `hourly`. The files carry no timestamps: row i of a year
is given the DataTime 1 January 00:00 (Asia/Shanghai) + (i - 1) hours, so gaps in the original hours
are closed up. Channels:

=========  ======  ==================================================================================
factor     field   source
=========  ======  ==================================================================================
a21002     Avg     NOX (real)
a21005     Avg     CO (real)
load       Avg     TEY, turbine energy yield (real; the load)
a01012     Avg     TAT, turbine exhaust temperature (real; the flue-gas temperature)
a19001     Avg     O2: SYNTHESISED from the real TIT, CDP, AT and AP by a heat balance (see below)
a21002     ZsAvg   NOx at 15 % O2 from Avg and the synthesised O2 (GB 13223-2011's gas-turbine reference)
=========  ======  ==================================================================================

The O2 channel (the set has none) comes from the turbine's own readings: the compressor outlet
temperature from the pressure ratio (isentropic, efficiency 0.87), the fuel-air ratio from the
temperature rise to TIT (cp 1.15 kJ/kg K, natural gas at 47.1 MJ/kg, 98 % combustion efficiency), the
excess-air ratio against methane's stoichiometric 0.0581, and dry flue-gas O2 = 2(λ-1) / (9.52 λ - 1),
plus analyser noise (normal, 0.08 % O2), rounded to 0.01 %. Flags are N, plus routine marks that are
not manipulations: maintenance (M) of 2 h on one weekday morning every week, all with a maintenance
record, and instrument faults (D) of 1-4 h at random times, about one every three weeks.

Natural anomalies (data README, "pre-existing": neither fraud nor clean): 2011 rows 1337-1438, NOx held
at 60.38 (the held NOx run, which flat_line must find); 2014 rows 61-72, CO held; 2014 rows 4207-4212
and 5198-5201, whole rows duplicated.

Recipes (screening reference §4, with its parameter sets; "continuous" strengths draw uniformly between
the smallest and largest of each set instead):

A flat line: hold x(t0) for D in {3, 6, 12, 24, 72, 168} h; variants: a daily freeze 18:00-06:00 for
  7-30 days; a hold at a round value; stealth: noise of one resolution step.
B variance collapse: x' = m + k (x - m), k in {0.5, 0.2, 0.1, 0.05}, over 1-28 days, m the window mean
  or a target below the limit; optional floor noise of at most 2 % of the span (the channel's maximum).
C replay: copy D in {24 h, 72 h, 7 d} from Δ in {1, 7, 30} days earlier; stealth: x (1 ± 2 %) and noise
  of one resolution step.
D limit hugging: values above L (the year's P90 of the factor, a pseudo-limit) moved to U(θ L, 0.99 L)
  (bunching) or to L - δ (a hard cap, δ = 0.5 % of L), θ in {0.8, 0.9, 0.95}, for a share p in
  {0.3, 0.6, 1.0} of the exceedance hours, over 7-60 days.
E declared stopped: flag F for D in {2, 6, 24, 48} h starting at a high hour, load and temperature left
  running; variants: the pollutant reads 0, or has no value.
F dilution: a in {0.1, 0.2, 0.35, 0.5} over 12 h to 14 days: air (C' = (1 - a) C, O2' = (1 - a) O2 +
  20.9 a), air with O2 not following, nitrogen (O2' = (1 - a) O2), back-flush (C' = 0.5 C).
G span tampering: x' = k x + b, k in {0.5, 0.6, 0.8}, b in {0, -5 % L}, over 7-60 days.
H flag misuse: hours above L marked M, C or D with probability p in {0.5, 0.8, 1.0}, marks of 1-8 h, over
  7-60 days.

A manipulation is found when a finding of the same outlet on an affected factor overlaps its span.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from envplan.screening.model import LIMITS_SCHEMA, MAINTENANCE_SCHEMA, TIME, ZONE

FloatArray = npt.NDArray[np.float64]
Strengths = Literal["discrete", "continuous"]

YEARS: Final = (2011, 2012, 2013, 2014, 2015)
NOX, CO, LOAD, TEMPERATURE, OXYGEN = "a21002", "a21005", "load", "a01012", "a19001"
POLLUTANTS: Final = (NOX, CO)
COLUMNS: Final = {NOX: "NOX", CO: "CO", LOAD: "TEY", TEMPERATURE: "TAT"}
OXYGEN_NOISE: Final = 0.08  # standard deviation (% O2) of the synthesised analyser's hourly noise
REFERENCE_O2: Final = 15.0  # GB 13223-2011: gas turbines at 15 % O2
RECIPES: Final = ("A", "B", "C", "D", "E", "F", "G", "H")
RECIPE_NAMES: Final = {
    "A": "flat line",
    "B": "variance collapse",
    "C": "replay",
    "D": "limit hugging",
    "E": "declared stopped",
    "F": "dilution",
    "G": "span tampering",
    "H": "flag misuse",
}

# (year, first row, last row, factors) -- 1-based rows of the data files, both included.
NATURAL_ANOMALIES: Final = (
    (2011, 1337, 1438, (NOX,)),
    (2014, 61, 72, (CO,)),
    (2014, 4207, 4212, (NOX, CO, LOAD, TEMPERATURE, OXYGEN)),
    (2014, 5198, 5201, (NOX, CO, LOAD, TEMPERATURE, OXYGEN)),
)
HELD_NOX: Final = NATURAL_ANOMALIES[0]

# Parameter sets of the reference (§4); continuous strengths draw between their extremes.
FLAT_HOURS: Final = (3, 6, 12, 24, 72, 168)
COLLAPSE_K: Final = (0.5, 0.2, 0.1, 0.05)
COLLAPSE_DAYS: Final = (1, 3, 7, 14, 28)
REPLAY_HOURS: Final = (24, 72, 168)
REPLAY_LAG_DAYS: Final = (1, 7, 30)
HUG_THETA: Final = (0.8, 0.9, 0.95)
HUG_SHARE: Final = (0.3, 0.6, 1.0)
LONG_DAYS: Final = (7, 14, 30, 60)
STOP_HOURS: Final = (2, 6, 24, 48)
DILUTION_A: Final = (0.1, 0.2, 0.35, 0.5)
DILUTION_HOURS: Final = (12, 48, 168, 336)
SPAN_K: Final = (0.5, 0.6, 0.8)
FLAG_SHARE: Final = (0.5, 0.8, 1.0)
MIN_CHANGED: Final = 3  # recipes D and H need this many hours above the limit to work on (on average)


@dataclass(frozen=True, slots=True)
class Mix:
    """How manipulations are drawn: recipe weights, strengths, stealth share, how many per series."""

    name: str
    weights: dict[str, float]
    strengths: Strengths = "discrete"
    stealth_share: float = 0.5
    per_series: int = 5


DEVELOPMENT_MIX: Final = Mix(name="development", weights=dict.fromkeys(RECIPES, 1.0), strengths="discrete")
# Held out: other weights, parameters drawn anywhere in the documented ranges, more stealth.
HELD_OUT_MIX: Final = Mix(
    name="held-out",
    weights={"A": 1.0, "B": 1.5, "C": 1.0, "D": 1.5, "E": 0.7, "F": 1.2, "G": 1.5, "H": 0.8},
    strengths="continuous",
    stealth_share=0.7,
    per_series=6,
)


@dataclass(slots=True)
class Truth:
    """One injected manipulation: outlet, factors it touched, span (rows, 0-based, both included)."""

    mn: str
    factors: tuple[str, ...]
    recipe: str
    variant: str
    first: int
    last: int
    parameters: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class Series:
    """One outlet-year: the channels as arrays (rows in time order) and the flags of each factor."""

    year: int
    values: dict[str, FloatArray]
    flags: dict[str, npt.NDArray[np.str_]]
    present: dict[str, npt.NDArray[np.bool_]]
    resolution: dict[str, float]
    limit: dict[str, float]
    maintenance: list[tuple[int, int]]

    @property
    def mn(self) -> str:
        return f"UCIGT{self.year}"

    @property
    def hours(self) -> int:
        return int(self.values[NOX].size)


def read_uci(folder: Path) -> dict[int, pl.DataFrame]:
    """The five yearly files as frames (columns of the data set)."""
    return {year: pl.read_csv(folder / f"gt_{year}.csv") for year in YEARS}


def synthesised_oxygen(frame: pl.DataFrame, rng: np.random.Generator) -> FloatArray:
    """Dry flue-gas O2 (%) from the turbine's own readings (heat balance in the module docstring), with
    analyser noise."""
    ambient = frame.get_column("AT").to_numpy() + 273.15
    ratio = frame.get_column("CDP").to_numpy() / (frame.get_column("AP").to_numpy() / 1000.0)
    compressed = ambient * (1.0 + (ratio**0.2857 - 1.0) / 0.87)
    fuel_air = 1.15 * (frame.get_column("TIT").to_numpy() + 273.15 - compressed) / (0.98 * 47_100.0)
    excess = 0.0581 / fuel_air
    noise = rng.normal(0.0, OXYGEN_NOISE, size=frame.height)
    return np.round(100.0 * 2.0 * (excess - 1.0) / (9.52 * excess - 1.0) + noise, 2)


def resolution_of(values: FloatArray) -> float:
    from envplan.screening.baselines import decimals

    return float(10.0 ** -np.median(decimals(values)))


def clean_series(frames: dict[int, pl.DataFrame], seed: int) -> list[Series]:
    """The real series with the synthesised O2 and routine marks (drawn with ``seed``)."""
    rng = np.random.default_rng(seed)
    result = []
    for year, frame in frames.items():
        values = {
            factor: frame.get_column(column).to_numpy().astype(np.float64)
            for factor, column in COLUMNS.items()
        }
        values[OXYGEN] = synthesised_oxygen(frame, rng)
        hours = frame.height
        flags = {factor: np.full(hours, "N", dtype="<U1") for factor in values}
        maintenance = _routine_marks(flags, hours, year, rng)
        result.append(
            Series(
                year=year,
                values=values,
                flags=flags,
                present={factor: np.ones(hours, dtype=bool) for factor in values},
                resolution={factor: resolution_of(array) for factor, array in values.items()},
                limit={factor: float(np.quantile(values[factor], 0.9)) for factor in POLLUTANTS},
                maintenance=maintenance,
            )
        )
    return result


def _local_hours(year: int, hours: int) -> npt.NDArray[np.int64]:
    return np.arange(hours, dtype=np.int64) % 24


def _weekday(year: int, hours: int) -> npt.NDArray[np.int64]:
    first = dt.date(year, 1, 1).weekday()
    return (first + np.arange(hours, dtype=np.int64) // 24) % 7


def _routine_marks(
    flags: dict[str, npt.NDArray[np.str_]], hours: int, year: int, rng: np.random.Generator
) -> list[tuple[int, int]]:
    """Weekly maintenance (M, 2 h, a weekday morning, recorded) and random faults (D, 1-4 h)."""
    records: list[tuple[int, int]] = []
    day = int(rng.integers(0, 5))
    starts = np.flatnonzero(
        (_weekday(year, hours) == day) & (_local_hours(year, hours) == 9 + int(rng.integers(0, 3)))
    )
    for start in starts:
        end = min(int(start) + 1, hours - 1)
        for factor in (NOX, CO, OXYGEN):
            flags[factor][start : end + 1] = "M"
        records.append((int(start), end))
    faults = rng.integers(0, hours, size=max(hours // 500, 1))
    for start in faults:
        factor = (NOX, CO)[int(rng.integers(0, 2))]
        flags[factor][int(start) : int(start) + int(rng.integers(1, 5))] = "D"
    return records


def _pick(
    rng: np.random.Generator, choices: Sequence[float], strengths: Strengths, integer: bool = False
) -> float:
    if strengths == "discrete":
        return float(choices[int(rng.integers(0, len(choices)))])
    low, high = float(min(choices)), float(max(choices))
    value = float(rng.uniform(low, high))
    return float(round(value)) if integer else value


def _noise(rng: np.random.Generator, size: int, resolution: float) -> FloatArray:
    return rng.integers(-1, 2, size=size).astype(np.float64) * resolution


def _rounded(values: FloatArray, resolution: float) -> FloatArray:
    return np.round(values / resolution) * resolution


def inject(series: list[Series], mix: Mix, seed: int) -> list[Truth]:
    """Inject ``mix.per_series`` manipulations into each outlet-year and pollutant (in place)."""
    rng = np.random.default_rng(seed)
    recipes = list(mix.weights)
    weights = np.array([mix.weights[name] for name in recipes], dtype=np.float64)
    truths: list[Truth] = []
    for one in series:
        blocked = np.zeros(one.hours, dtype=bool)
        for year, first, last, _ in NATURAL_ANOMALIES:
            if year == one.year:
                blocked[max(first - 1 - 48, 0) : last + 48] = True
        for factor in POLLUTANTS:
            for _ in range(mix.per_series):
                recipe = recipes[int(rng.choice(len(recipes), p=weights / weights.sum()))]
                truth = _inject_one(one, factor, recipe, mix, rng, blocked)
                if truth is None:
                    continue
                # A guard of two weeks around each manipulation keeps their effects apart.
                blocked[max(truth.first - 336, 0) : truth.last + 337] = True
                truths.append(truth)
    for one in series:
        _recompute_converted(one)
    return truths


def _window(
    one: Series,
    rng: np.random.Generator,
    hours: int,
    blocked: npt.NDArray[np.bool_],
    history: int = 0,
    at_high: str | None = None,
) -> int | None:
    """A start row for a window of ``hours`` not touching blocked rows, with ``history`` rows before it."""
    last_start = one.hours - hours - 1
    if last_start <= history + 1:
        return None
    free = np.concatenate(([0], np.cumsum(blocked)))
    starts = np.arange(history + 1, last_start)
    clear = (free[starts + hours] - free[starts]) == 0
    if at_high is not None:
        clear &= one.values[at_high][starts] >= np.quantile(one.values[at_high], 0.75)
    candidates = starts[clear]
    if candidates.size == 0:
        return None
    return int(candidates[int(rng.integers(0, candidates.size))])


def _window_with(
    one: Series,
    rng: np.random.Generator,
    hours: int,
    blocked: npt.NDArray[np.bool_],
    factor: str,
    limit: float,
    share: float,
) -> int | None:
    """A window holding enough hours above the limit for a share ``share`` of them to be at least
    MIN_CHANGED hours (a manipulation that changes nothing is not one); None after 50 tries."""
    above = np.concatenate(([0], np.cumsum(one.values[factor] >= limit)))
    for _ in range(50):
        start = _window(one, rng, hours, blocked)
        if start is None:
            return None
        if (above[start + hours] - above[start]) * share >= MIN_CHANGED:
            return start
    return None


@dataclass(frozen=True, slots=True)
class _Draw:
    """What every recipe needs: the series and factor, the mix's strengths, the random source."""

    one: Series
    factor: str
    strengths: Strengths
    stealth: bool
    rng: np.random.Generator
    blocked: npt.NDArray[np.bool_]

    @property
    def x(self) -> FloatArray:
        return self.one.values[self.factor]

    @property
    def resolution(self) -> float:
        return self.one.resolution[self.factor]

    @property
    def limit(self) -> float:
        return self.one.limit[self.factor]

    def pick(self, choices: Sequence[float], integer: bool = False) -> float:
        return _pick(self.rng, choices, self.strengths, integer)

    def noise(self, size: int) -> FloatArray:
        return _noise(self.rng, size, self.resolution) if self.stealth else np.zeros(size)

    def truth(self, recipe: str, variant: str, first: int, last: int, **parameters: float) -> Truth:
        return Truth(self.one.mn, (self.factor,), recipe, variant, first, last, dict(parameters))


def _flat_line(draw: _Draw) -> Truth | None:
    x = draw.x
    variant = ("hold", "daily freeze", "round value")[int(draw.rng.choice(3, p=[0.6, 0.2, 0.2]))]
    if variant == "daily freeze":
        days = int(draw.pick((7, 30), integer=True))
        start = _window(draw.one, draw.rng, days * 24 + 24, draw.blocked)
        if start is None:
            return None
        start += (18 - start % 24) % 24
        nights = start + 24 * np.arange(days)[:, None] + np.arange(13)  # 18:00 to 06:00, every day
        x[nights] = x[nights[:, :1]] + draw.noise(nights.size).reshape(nights.shape)
        x[nights] = _rounded(x[nights], draw.resolution)
        return draw.truth("A", variant, start, int(nights[-1, -1]), days=days, stealth=draw.stealth)
    hours = int(draw.pick(FLAT_HOURS, integer=True))
    start = _window(draw.one, draw.rng, hours, draw.blocked)
    if start is None:
        return None
    held = x[start] if variant == "hold" else float(np.round(x[start]))
    x[start : start + hours] = _rounded(held + draw.noise(hours), draw.resolution)
    return draw.truth("A", variant, start, start + hours - 1, hours=hours, stealth=draw.stealth)


def _variance_collapse(draw: _Draw) -> Truth | None:
    x = draw.x
    k = draw.pick(COLLAPSE_K)
    hours = max(int(draw.pick(COLLAPSE_DAYS) * 24), 24)
    start = _window(draw.one, draw.rng, hours, draw.blocked)
    if start is None:
        return None
    segment = x[start : start + hours]
    centre = float(segment.mean()) if draw.rng.random() < 0.5 else 0.7 * draw.limit
    collapsed = centre + k * (segment - segment.mean())
    if draw.stealth:  # floor noise within 2 % of the span (the channel's largest value)
        collapsed += draw.rng.uniform(-0.01, 0.01, size=hours) * float(x.max())
    x[start : start + hours] = _rounded(collapsed, draw.resolution)
    return draw.truth("B", "scaled", start, start + hours - 1, k=k, hours=hours, stealth=draw.stealth)


def _replay(draw: _Draw) -> Truth | None:
    x = draw.x
    hours = int(draw.pick(REPLAY_HOURS, integer=True))
    lag = round(draw.pick(REPLAY_LAG_DAYS, integer=True)) * 24
    start = _window(draw.one, draw.rng, hours, draw.blocked, history=lag + hours)
    if start is None:
        return None
    copy = x[start - lag : start - lag + hours].copy()
    if draw.stealth:
        copy = copy * (1.0 + draw.rng.uniform(-0.02, 0.02)) + draw.noise(hours)
    x[start : start + hours] = _rounded(copy, draw.resolution)
    return draw.truth(
        "C", "copy", start, start + hours - 1, hours=hours, lag_days=lag / 24, stealth=draw.stealth
    )


def _limit_hugging(draw: _Draw) -> Truth | None:
    x, limit = draw.x, draw.limit
    theta = draw.pick(HUG_THETA)
    share = draw.pick(HUG_SHARE)
    hours = int(draw.pick(LONG_DAYS) * 24)
    start = _window_with(draw.one, draw.rng, hours, draw.blocked, draw.factor, limit, share)
    if start is None:
        return None
    rows = np.arange(start, start + hours)
    over = rows[(x[rows] >= limit) & (draw.rng.random(hours) < share)]
    if over.size < MIN_CHANGED:
        return None
    cap = bool(draw.rng.random() < 0.3)
    moved = (
        np.full(over.size, limit * 0.995)
        if cap
        else draw.rng.uniform(theta * limit, 0.99 * limit, size=over.size)
    )
    x[over] = _rounded(moved, draw.resolution)
    variant = "cap" if cap else "bunching"
    return draw.truth("D", variant, start, start + hours - 1, theta=theta, p=share, moved=over.size)


def _declared_stopped(draw: _Draw) -> Truth | None:
    hours = int(draw.pick(STOP_HOURS, integer=True))
    start = _window(draw.one, draw.rng, hours, draw.blocked, at_high=draw.factor)
    if start is None:
        return None
    variant = ("flag F", "zero", "no value")[int(draw.rng.integers(0, 3))]
    rows = np.arange(start, start + hours)
    if variant == "flag F":
        draw.one.flags[draw.factor][rows] = "F"
    elif variant == "zero":
        draw.x[rows] = 0.0
    else:
        draw.one.present[draw.factor][rows] = False
    return draw.truth("E", variant, start, start + hours - 1, hours=hours)


def _dilution(draw: _Draw) -> Truth | None:
    one = draw.one
    a = draw.pick(DILUTION_A)
    hours = int(draw.pick(DILUTION_HOURS, integer=True))
    start = _window(one, draw.rng, hours, draw.blocked)
    if start is None:
        return None
    variant = ("air", "air, O2 not following", "nitrogen", "back-flush")[
        int(draw.rng.choice(4, p=[0.4, 0.2, 0.2, 0.2]))
    ]
    rows = np.arange(start, start + hours)
    scale = 0.5 if variant == "back-flush" else 1.0 - a
    for pollutant in POLLUTANTS:  # the sample is diluted for every analyser on the line
        one.values[pollutant][rows] = _rounded(one.values[pollutant][rows] * scale, one.resolution[pollutant])
    o2 = one.values[OXYGEN]
    if variant == "air":
        o2[rows] = np.round((1.0 - a) * o2[rows] + 20.9 * a, 2)
    elif variant == "nitrogen":
        o2[rows] = np.round((1.0 - a) * o2[rows], 2)
    return Truth(
        one.mn, (*POLLUTANTS, OXYGEN), "F", variant, start, start + hours - 1, {"a": a, "hours": hours}
    )


def _span_tampering(draw: _Draw) -> Truth | None:
    x = draw.x
    k = draw.pick(SPAN_K)
    offset = -0.05 * draw.limit if draw.rng.random() < 0.5 else 0.0
    hours = int(draw.pick(LONG_DAYS) * 24)
    start = _window(draw.one, draw.rng, hours, draw.blocked)
    if start is None:
        return None
    rows = np.arange(start, start + hours)
    x[rows] = _rounded(np.maximum(k * x[rows] + offset, 0.0), draw.resolution)
    variant = "slope" if offset == 0 else "slope and offset"
    return draw.truth("G", variant, start, start + hours - 1, k=k, b=offset)


def _flag_misuse(draw: _Draw) -> Truth | None:
    x = draw.x
    share = draw.pick(FLAG_SHARE)
    hours = int(draw.pick(LONG_DAYS) * 24)
    start = _window_with(draw.one, draw.rng, hours, draw.blocked, draw.factor, draw.limit, share)
    if start is None:
        return None
    mark = ("M", "C", "D")[int(draw.rng.integers(0, 3))]
    rows = np.arange(start, start + hours)
    chosen = rows[(x[rows] >= draw.limit) & (draw.rng.random(hours) < share)]
    if chosen.size < MIN_CHANGED:
        return None
    lengths = draw.rng.integers(1, 9, size=chosen.size)  # each mark lasts 1-8 h from an exceedance hour
    within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    marked = np.minimum(np.repeat(chosen, lengths) + within, start + hours - 1)
    draw.one.flags[draw.factor][marked] = mark
    return draw.truth("H", mark, start, start + hours - 1, p=share, marked_high=chosen.size)


RECIPE_FUNCTIONS: Final = {
    "A": _flat_line,
    "B": _variance_collapse,
    "C": _replay,
    "D": _limit_hugging,
    "E": _declared_stopped,
    "F": _dilution,
    "G": _span_tampering,
    "H": _flag_misuse,
}


def _inject_one(
    one: Series, factor: str, recipe: str, mix: Mix, rng: np.random.Generator, blocked: npt.NDArray[np.bool_]
) -> Truth | None:
    stealth = bool(rng.random() < mix.stealth_share)
    return RECIPE_FUNCTIONS[recipe](_Draw(one, factor, mix.strengths, stealth, rng, blocked))


def _recompute_converted(one: Series) -> None:
    """The logger converts after the analyser: ZsAvg follows the (manipulated) Avg and O2."""
    one.values["zs"] = np.round(one.values[NOX] * (21.0 - REFERENCE_O2) / (21.0 - one.values[OXYGEN]), 3)


def readings(series: Iterable[Series]) -> pl.DataFrame:
    """All channels of all outlet-years in the layout of `envplan readings export` (typed)."""
    parts = []
    for one in series:
        if "zs" not in one.values:
            _recompute_converted(one)
        start = dt.datetime(one.year, 1, 1)
        for factor, values in one.values.items():
            name, field_name = (NOX, "ZsAvg") if factor == "zs" else (factor, "Avg")
            flags = one.flags.get(name, np.full(one.hours, "N"))
            keep = one.present.get(name, np.ones(one.hours, dtype=bool))
            parts.append(
                pl.DataFrame(
                    {
                        "mn": one.mn,
                        "kind": "hourly",
                        "hour": np.arange(one.hours, dtype=np.int64)[keep],
                        "factor": name,
                        "field": field_name,
                        "value": values[keep],
                        "flag": flags[keep],
                    }
                ).with_columns(
                    (pl.lit(start) + pl.duration(hours=pl.col("hour")))
                    .dt.replace_time_zone(ZONE)
                    .dt.cast_time_unit("ms")
                    .alias("time")
                )
            )
    return pl.concat(parts).select(
        "mn", "kind", pl.col("time").cast(TIME), "factor", "field", "value", "flag"
    )


def limits(series: Iterable[Series]) -> pl.DataFrame:
    """The pseudo-limits (P90 of the clean year) on Avg, and the reference O2 of NOx's ZsAvg."""
    rows: list[tuple[str, str, str, float | None, float | None]] = [
        (one.mn, factor, "Avg", one.limit[factor], None) for one in series for factor in POLLUTANTS
    ]
    rows += [(one.mn, NOX, "ZsAvg", None, REFERENCE_O2) for one in series]
    return pl.DataFrame(rows, schema=LIMITS_SCHEMA, orient="row")


def maintenance(series: Iterable[Series]) -> pl.DataFrame:
    rows = []
    for one in series:
        start = dt.datetime(one.year, 1, 1)
        rows += [
            (one.mn, None, start + dt.timedelta(hours=first), start + dt.timedelta(hours=last))
            for first, last in one.maintenance
        ]
    frame = pl.DataFrame(
        rows,
        schema={"mn": pl.String, "factor": pl.String, "start": pl.Datetime("us"), "end": pl.Datetime("us")},
        orient="row",
    )
    return frame.with_columns(pl.col("start", "end").dt.replace_time_zone(ZONE).dt.cast_time_unit("ms")).cast(
        MAINTENANCE_SCHEMA
    )


def natural_truths() -> list[Truth]:
    return [
        Truth(f"UCIGT{year}", factors, "natural", "pre-existing", first - 1, last - 1)
        for year, first, last, factors in NATURAL_ANOMALIES
    ]


def truth_frame(truths: Iterable[Truth]) -> pl.DataFrame:
    """Truths with DataTimes: mn, factor (one row per factor), recipe, variant, start, end, id."""
    rows = []
    for number, truth in enumerate(truths):
        year = int(truth.mn[-4:])
        start = dt.datetime(year, 1, 1) + dt.timedelta(hours=truth.first)
        end = dt.datetime(year, 1, 1) + dt.timedelta(hours=truth.last)
        described = ", ".join(f"{name}={value:.3g}" for name, value in truth.parameters.items())
        rows += [
            (number, truth.mn, factor, truth.recipe, truth.variant, described, start, end)
            for factor in truth.factors
        ]
    frame = pl.DataFrame(
        rows,
        schema={
            "id": pl.Int64,
            "mn": pl.String,
            "factor": pl.String,
            "recipe": pl.String,
            "variant": pl.String,
            "parameters": pl.String,
            "start": pl.Datetime("us"),
            "end": pl.Datetime("us"),
        },
        orient="row",
    )
    return frame.with_columns(pl.col("start", "end").dt.replace_time_zone(ZONE).dt.cast_time_unit("ms"))


@dataclass(frozen=True, slots=True)
class Scores:
    """Recall per recipe, precision per detector, false alarms per 1,000 clean hours per factor."""

    found: pl.DataFrame  # one row per manipulation: id, recipe, variant, found, detectors
    detectors: pl.DataFrame  # detector, findings, true, natural, false, precision
    false_alarms: pl.DataFrame  # factor, false, clean_hours, per_1000_hours
    natural: pl.DataFrame  # natural anomalies: id, found, detectors

    @property
    def recall(self) -> float:
        mean = self.found.get_column("found").cast(pl.Float64).mean()
        return float(mean) if isinstance(mean, float) else 0.0

    def recall_by_recipe(self) -> pl.DataFrame:
        return (
            self.found.group_by("recipe")
            .agg(
                pl.len().alias("injected"),
                pl.col("found").sum().alias("found"),
                pl.col("found").mean().alias("recall"),
            )
            .sort("recipe")
        )


def score(findings: pl.DataFrame, truths: Sequence[Truth], series: Sequence[Series]) -> Scores:
    """Match findings against injected manipulations and natural anomalies (same outlet and factor,
    overlapping spans); everything else is a false alarm."""
    injected = truth_frame(truths)
    natural = truth_frame(natural_truths()).with_columns(pl.col("id") + 1_000_000)
    known = pl.concat(
        [
            injected.with_columns(pl.lit(False).alias("natural")),
            natural.with_columns(pl.lit(True).alias("natural")),
        ]
    )
    numbered = findings.with_row_index("finding")
    pairs = (
        numbered.select(
            "finding",
            "mn",
            "factor",
            "detector",
            pl.col("start").alias("f_start"),
            pl.col("end").alias("f_end"),
        )
        .join(known, on=["mn", "factor"])
        .filter((pl.col("f_start") <= pl.col("end")) & (pl.col("f_end") >= pl.col("start")))
    )
    per_finding = (
        numbered.select("finding", "mn", "factor", "detector")
        .join(
            pairs.group_by("finding").agg(
                (~pl.col("natural")).any().alias("true"), pl.col("natural").all().alias("only_natural")
            ),
            on="finding",
            how="left",
        )
        .with_columns(pl.col("true").fill_null(False), pl.col("only_natural").fill_null(False))
    )
    per_finding = per_finding.with_columns((~pl.col("true") & ~pl.col("only_natural")).alias("false"))
    detectors = (
        per_finding.group_by("detector")
        .agg(
            pl.len().alias("findings"),
            pl.col("true").sum().alias("true"),
            pl.col("only_natural").sum().alias("natural"),
            pl.col("false").sum().alias("false"),
        )
        .with_columns((pl.col("true") / (pl.col("true") + pl.col("false"))).alias("precision"))
        .sort("detector")
    )
    hits = pairs.group_by("id").agg(pl.col("detector").unique().sort().alias("detectors"))
    found = (
        injected.group_by("id", maintain_order=True)
        .agg(
            pl.col("recipe").first(),
            pl.col("variant").first(),
            pl.col("parameters").first(),
            pl.col("mn").first(),
            pl.col("factor").first(),
            pl.col("start").first(),
            pl.col("end").first(),
        )
        .join(hits, on="id", how="left")
        .with_columns(pl.col("detectors").is_not_null().alias("found"))
    )
    natural_found = (
        natural.group_by("id", maintain_order=True)
        .agg(pl.col("mn").first(), pl.col("factor").first())
        .join(hits, on="id", how="left")
    )
    return Scores(
        found=found,
        detectors=detectors,
        false_alarms=_false_alarms(per_finding, [*truths, *natural_truths()], series),
        natural=natural_found,
    )


def _false_alarms(
    per_finding: pl.DataFrame, truths: Sequence[Truth], series: Sequence[Series]
) -> pl.DataFrame:
    """False findings per factor over the clean hours (outside manipulations and natural anomalies)."""
    factors = sorted({factor for one in series for factor in one.values if factor != "zs"})
    clean: dict[str, float] = dict.fromkeys(factors, 0.0)
    for one in series:
        for factor in factors:
            touched = np.zeros(one.hours, dtype=bool)
            for truth in truths:
                if truth.mn == one.mn and factor in truth.factors:
                    touched[truth.first : truth.last + 1] = True
            clean[factor] += float(one.hours - int(touched.sum()))
    false = per_finding.filter(pl.col("false")).group_by("factor").len()
    frame = pl.DataFrame({"factor": factors, "clean_hours": [clean[f] for f in factors]})
    return (
        frame.join(false, on="factor", how="left")
        .with_columns(pl.col("len").fill_null(0).alias("false"))
        .drop("len")
        .with_columns((pl.col("false") / (pl.col("clean_hours") / 1000.0)).alias("per_1000_hours"))
    )


def benchmark_inputs(
    folder: Path, *, seed: int, mix: Mix
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, list[Truth], list[Series]]:
    """Readings, limits, maintenance records, truths and series for one seed and mix."""
    series = clean_series(read_uci(folder), seed=seed)
    truths = inject(series, mix, seed=seed + 7919)
    return readings(series), limits(series), maintenance(series), truths, series
