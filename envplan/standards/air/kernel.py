"""The AQI engine's kernel: the IAQIs, AQI, category and primary pollutants of each row.

Every user-facing AQI path goes through here (`aqi.with_aqi`): `envplan air aqi|daily|annual`, the daily
evaluation of imported hours, the station pages. The kernel knows nothing of frames: it takes float64
columns (NaN = missing), the edition of each row, and the rules of a report kind (`Rules`), and fills
int16/int8 arrays (`NULL` = no value).

Exactness. HJ 633-2012 rows use a concentration to the thousandth, q = round(C x 1000) (half to even);
HJ 633-2026 rows use C rounded per GB/T 8170 to an integer (CO to one decimal, HJ 633-2026 §4.2.2/§4.2.3),
q = C x 10^decimals. For every q from 0 up to the largest of the data (at most the table's top) the index
IAQI_lo + ceil((IAQI_hi - IAQI_lo) x (q - BP_lo) / (BP_hi - BP_lo)) is computed once in integer arithmetic
(HJ 633-2012 §6.2, HJ 633-2026 §4.2.6, "round up") into a table of int16; a value's IAQI is then one
look-up. A table ends at the data's largest q, so that a file of ordinary values builds small tables.

The loops are compiled by Numba (`compiled`, imported on first use, cached on disk); this module holds
the rules, the tables and the Python side.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import numpy as np
import numpy.typing as npt

from envplan.standards.air.tables import (
    BREAKPOINTS,
    CATEGORIES,
    IAQI_CAP,
    IAQI_LEVELS,
    O3_8H_ABOVE_TABLE_IAQI_2026,
    O3_8H_THRESHOLD,
    SO2_1H_ABOVE_TABLE_IAQI_2026,
    SO2_1H_THRESHOLD,
)
from envplan.standards.versions import AqiEdition

FloatArray = npt.NDArray[np.float64]
Int16Array = npt.NDArray[np.int16]
Int8Array = npt.NDArray[np.int8]
EditionArray = npt.NDArray[np.uint8]  # per row: 0 = HJ 633-2012, 1 = HJ 633-2026

# The kernel's index slots, in this order. `iaqi_o3` (the larger of the two O3 indices) is added last.
SLOTS: tuple[str, ...] = ("pm25", "pm10", "so2", "no2", "co", "o3_1h", "o3_8h")
OUTPUTS: tuple[str, ...] = (*(f"iaqi_{slot}" for slot in SLOTS), "iaqi_o3")
# Bits of `primary` (the primary pollutants' mask): the order of the published codes, O3 last.
PRIMARY_CODES: tuple[str, ...] = ("pm25", "pm10", "so2", "no2", "co", "o3")

NULL = -1  # no index (negative concentration, no rule), no AQI
MISSING = -3  # inside the kernel only: the value is missing (counts for the publication rules)
ABOVE = -2  # inside the kernel only: above a partly defined table; the edition's rule replaces it
FROM_AUX = -4  # rule of HJ 633-2012 for SO2 1-h above 800: the IAQI of the 24-h mean instead
BLOCK_ROWS = 4096  # rows per block: a block's columns stay in the CPU caches between its loops
MICRO = 1_000_000.0  # GB/T 8170 rounding first quantises to micro-units (see `rounding.gbt8170_round`)
_DECIMALS_2026 = {"co": 1}  # HJ 633-2026 §4.2.2/§4.2.3: integers, CO (mg/m³) one decimal

# Per report kind, per slot: (input column, breakpoint column) under HJ 633-2012 and under HJ 633-2026.
# None: the slot is not indexed under that edition.
_Spec = tuple[str, str] | None


def _slots(kind: Literal["realtime", "daily"], text_rule: bool) -> dict[str, tuple[_Spec, _Spec]]:
    if kind == "daily":
        return {
            "pm25": (("pm25", "PM25_24h"), ("pm25", "PM25_24h")),
            "pm10": (("pm10", "PM10_24h"), ("pm10", "PM10_24h")),
            "so2": (("so2", "SO2_24h"), ("so2", "SO2_24h")),
            "no2": (("no2", "NO2_24h"), ("no2", "NO2_24h")),
            "co": (("co", "CO_24h"), ("co", "CO_24h")),
            # HJ 633-2012 §5.1: the daily report also indexes the O3 daily max 1-h; HJ 633-2026 §5.1 does not.
            "o3_1h": (("o3_1h", "O3_1h"), None),
            "o3_8h": (("o3_8h", "O3_8h"), ("o3_8h", "O3_8h")),
        }
    # Real time: HJ 633-2026 §4.2.4 (and CNEMC practice under 2012) index PM 1-h values against the 24-h
    # columns; the text of HJ 633-2012 (§5.2, Table 4) takes the PM 24-h moving means and also indexes the
    # O3 8-h moving mean.
    pm = "_24h" if text_rule else ""
    return {
        "pm25": (("pm25" + pm, "PM25_24h"), ("pm25", "PM25_24h")),
        "pm10": (("pm10" + pm, "PM10_24h"), ("pm10", "PM10_24h")),
        "so2": (("so2", "SO2_1h"), ("so2", "SO2_1h")),
        "no2": (("no2", "NO2_1h"), ("no2", "NO2_1h")),
        "co": (("co", "CO_1h"), ("co", "CO_1h")),
        "o3_1h": (("o3", "O3_1h"), ("o3", "O3_1h")),
        "o3_8h": ((("o3_8h", "O3_8h") if text_rule else None), None),
    }


# Table notes of both editions: SO2 1-h above 800 and O3 8-h above 800 leave the table. HJ 633-2026 then
# counts IAQI 200 (SO2) and 300 (O3); HJ 633-2012 takes the SO2 24-h mean's IAQI, and leaves O3 to the
# 1-h index (no 8-h index).
_ABOVE_TABLE: dict[str, tuple[float, int, int]] = {
    "SO2_1h": (SO2_1H_THRESHOLD, FROM_AUX, SO2_1H_ABOVE_TABLE_IAQI_2026),
    "O3_8h": (O3_8H_THRESHOLD, NULL, O3_8H_ABOVE_TABLE_IAQI_2026),
}
_EDITIONS = (AqiEdition.HJ633_2012, AqiEdition.HJ633_2026)


@dataclass(frozen=True, eq=False)
class Rules:
    """What the kernel does with each slot, per edition (first axis: 0 = HJ 633-2012, 1 = HJ 633-2026)."""

    sources: tuple[tuple[str | None, str | None], ...]  # per slot: input column under 2012, under 2026
    tables: tuple[tuple[str | None, ...], tuple[str | None, ...]]  # breakpoint column, None: not indexed
    scales: tuple[tuple[int, ...], tuple[int, ...]]  # q = C x scale (2012: 1000; 2026: 10^decimals)
    enabled: npt.NDArray[np.bool_]  # (2, slots)
    divisors: FloatArray  # (slots,): 10^(6 - decimals) of the HJ 633-2026 input (micro-units -> units)
    limits: FloatArray  # (2, slots): above this input (2026: its rounding, in units) the rule applies
    thresholds: FloatArray  # (slots,): the smallest concentration above a limit of either edition
    above: npt.NDArray[np.int16]  # (2, slots): the IAQI above the limit, NULL, or FROM_AUX


@cache
def rules_for(kind: Literal["realtime", "daily"], text_rule: bool = False) -> Rules:
    """The kernel's rules for a report kind (the HJ 633-2012 text rule only matters in real time)."""
    slots = _slots(kind, text_rule and kind == "realtime")
    count = len(SLOTS)
    tables: list[list[str | None]] = [[None] * count, [None] * count]
    scales = [[1000] * count, [1] * count]
    enabled = np.zeros((2, count), dtype=np.bool_)
    divisors = np.ones(count)
    limits = np.full((2, count), np.inf)
    thresholds = np.full(count, np.inf)
    above = np.full((2, count), NULL, dtype=np.int16)
    sources: list[tuple[str | None, str | None]] = []
    for k, name in enumerate(SLOTS):
        old, new = slots[name]
        sources.append((old[0] if old else None, new[0] if new else None))
        decimals = _DECIMALS_2026.get(name.split("_")[0], 0)
        divisors[k] = 10.0 ** (6 - decimals)
        scales[1][k] = 10**decimals
        for e, spec in enumerate((old, new)):
            if spec is None:
                continue
            column = spec[1]
            tables[e][k] = column
            enabled[e, k] = True
            if column in _ABOVE_TABLE:
                threshold, rule_2012, rule_2026 = _ABOVE_TABLE[column]
                limits[e, k] = threshold * (1 if e == 0 else scales[1][k])
                thresholds[k] = threshold  # 2026: a rounding above the limit is above it too
                above[e, k] = rule_2012 if e == 0 else rule_2026
    for array in (enabled, divisors, limits, thresholds, above):
        array.flags.writeable = False
    return Rules(
        sources=tuple(sources),
        tables=(tuple(tables[0]), tuple(tables[1])),
        scales=(tuple(scales[0]), tuple(scales[1])),
        enabled=enabled,
        divisors=divisors,
        limits=limits,
        thresholds=thresholds,
        above=above,
    )


@lru_cache(maxsize=64)
def iaqi_table(edition: AqiEdition, column: str, scale: int, size: int | None = None) -> Int16Array:
    """The IAQI of q / scale for q = 0 … size - 1 (exact; by default up to the table's top), then the
    value past the top (IAQI_CAP, or ABOVE for a partly defined table), then NULL."""
    breakpoints = BREAKPOINTS[edition][column]
    defined = [
        (level, round(bp * scale))
        for level, bp in zip(IAQI_LEVELS, breakpoints, strict=True)
        if bp is not None
    ]
    top = defined[-1][1]
    size = top + 1 if size is None else min(size, top + 1)
    q = np.arange(size, dtype=np.int64)
    result = np.zeros(size, dtype=np.int64)
    for (level_lo, bp_lo), (level_hi, bp_hi) in itertools.pairwise(defined):
        inside = (q > bp_lo) & (q <= bp_hi)
        numerator = (q[inside] - bp_lo) * (level_hi - level_lo)
        result[inside] = level_lo - (-numerator // (bp_hi - bp_lo))  # exact ceiling division
    table = np.empty(size + 2, dtype=np.int16)
    table[:size] = result
    table[size] = IAQI_CAP if len(defined) == len(IAQI_LEVELS) else ABOVE
    table[size + 1] = NULL
    table.flags.writeable = False
    return table


def _bounded_table(edition: AqiEdition, column: str | None, scale: int, values: FloatArray) -> Int16Array:
    """The table of a slot, long enough for the largest value of `values` (whose q is found the kernel's
    way: rint is monotonic), rounded up to a power of two so that later calls reuse it."""
    if column is None:
        return _NO_TABLE
    largest = float(np.fmax.reduce(values, initial=0.0))  # fmax skips NaN
    if edition is AqiEdition.HJ633_2012:
        q = float(np.rint(largest * 1000.0))
    else:
        q = float(np.rint(np.rint(largest * MICRO) / (MICRO / scale)))  # as `compiled._units_2026`
    wanted = int(min(q, 2.0**40)) + 1  # past the table's top: the whole table
    return iaqi_table(edition, column, scale, 1 << (wanted - 1).bit_length())


_NO_TABLE = np.full(3, NULL, dtype=np.int16)  # a slot not indexed under an edition
_NO_TABLE.flags.writeable = False
# The upper AQI of each category but the last, ascending (HJ 633-2012 Table 2 / HJ 633-2026 Table 1).
_CATEGORY_TOPS = tuple(c.aqi_max for c in CATEGORIES if c.aqi_max is not None)  # a tuple: unrolled


# --- the Python side -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """The kernel's output: `iaqi` rows in the order of OUTPUTS; NULL (-1) = no value; `category` 0 = none;
    `primary` a bit mask over PRIMARY_CODES."""

    iaqi: Int16Array  # (len(OUTPUTS), n)
    aqi: Int16Array
    category: Int8Array
    primary: Int8Array


def _readonly(array: FloatArray) -> FloatArray:
    """The kernel is compiled for read-only C-contiguous inputs: one signature, one cache entry."""
    view: FloatArray = np.ascontiguousarray(array, dtype=np.float64).view()
    view.flags.writeable = False
    return view


def compute(
    inputs: list[FloatArray | None],
    *,
    editions: EditionArray,
    rules: Rules,
    blank: bool,
    aux: FloatArray | None = None,
) -> Result:
    """Run the kernel. `inputs`: one float64 array per slot (NaN = missing; None = absent, all missing),
    `editions`: uint8 per row, `blank`: HJ 633-2012 publishes no AQI when a pollutant is missing."""
    n = len(editions)
    nothing: FloatArray | None = None

    def column(values: FloatArray | None) -> FloatArray:
        nonlocal nothing
        if values is not None:
            return _readonly(values)
        if nothing is None:
            nothing = _readonly(np.full(n, np.nan))
        return nothing

    columns = [column(values) for values in inputs]
    aux_values = column(aux)
    present = (bool((editions == 0).any()), bool(editions.any()))  # which editions need their tables
    tables = [
        tuple(
            _bounded_table(edition, name, scale, values) if present[e] else _NO_TABLE
            for name, scale, values in zip(rules.tables[e], rules.scales[e], columns, strict=True)
        )
        for e, edition in enumerate(_EDITIONS)
    ]
    aux_table = (
        _bounded_table(AqiEdition.HJ633_2012, "SO2_24h", 1000, aux_values) if aux is not None else _NO_TABLE
    )
    out = np.empty((len(OUTPUTS), n), dtype=np.int16)
    aqi = np.empty(n, dtype=np.int16)
    category = np.empty(n, dtype=np.int8)
    primary = np.empty(n, dtype=np.int8)
    edition_view = np.ascontiguousarray(editions, dtype=np.uint8).view()
    edition_view.flags.writeable = False
    from envplan.standards.air import compiled  # imports Numba and loads the compiled loops

    compiled.run(
        tuple(columns),
        aux_values,
        aux_table,
        edition_view,
        tables[0],
        tables[1],
        (rules.enabled, rules.divisors, rules.limits, rules.thresholds, rules.above),
        blank,
        _CATEGORY_TOPS,
        out,
        aqi,
        category,
        primary,
    )
    return Result(iaqi=out, aqi=aqi, category=category, primary=primary)


def warm_up() -> None:
    """Load the compiled loops now (from Numba's cache, else by compiling them)."""
    rules = rules_for("realtime")
    compute([np.array([36.0])] * len(SLOTS), editions=np.zeros(1, dtype=np.uint8), rules=rules, blank=False)


class Loading:
    """`warm_up` on another thread. Loading Numba and the kernel takes about half a second of one CPU, mostly
    Python; reading a CSV or the lake lets go of the interpreter, so the two overlap. A failure is not
    reported here: the first computation raises it again, in full."""

    def __init__(self) -> None:
        self._thread = threading.Thread(target=self._load, name="aqi-kernel", daemon=True)
        self._thread.start()

    @staticmethod
    def _load() -> None:
        with contextlib.suppress(Exception):
            warm_up()

    def wait(self) -> None:
        """Return once the kernel is loaded (or failed to load)."""
        self._thread.join()


def primary_texts() -> list[str | None]:
    """The `;`-joined codes of every primary mask (index = mask), None for 0."""
    texts: list[str | None] = [None]
    for mask in range(1, 1 << len(PRIMARY_CODES)):
        texts.append(";".join(code for bit, code in enumerate(PRIMARY_CODES) if mask >> bit & 1))
    return texts
