"""Fast real-time AQI (HJ 633-2012 / HJ 633-2026): exact integer lookup tables, no float ceiling.

`realtime_aqi` runs the compiled one-pass kernel of `fused` when Numba is installed and this NumPy
kernel otherwise (`engine=` forces one); both give the same integers as `with_aqi`.

`realtime_aqi` gives the same `iaqi_*`, `aqi`, `category` as `with_aqi(kind="realtime")` with the
practice rule (PM from 1-h values, no O3 8-h; HJ 633-2026 §4.2.4 and CNEMC practice under HJ 633-2012), and
the primary pollutants as a bit mask (`primary_mask`, bit i = `POLLUTANTS[i]`; `primary_text` turns it into
the `;`-joined codes of `with_aqi`).

How it stays exact: a concentration is used to the thousandth (as in `with_aqi`), so the index of a
segment is an integer q = C x 1000. For every q from 0 to the top breakpoint the IAQI
IAQI_lo + ceil((IAQI_hi - IAQI_lo) x (q - BP_lo) / (BP_hi - BP_lo)) is computed once in integer
arithmetic (HJ 633-2012 §6.2 / HJ 633-2026 §4.2.6, "round up"), into a table of int16; an hour's IAQI is
then one table look-up. Tables hold at most 3,840,003 entries (NO2 1-h) and are built on first use.
Above the top of a fully defined table the IAQI is 500 (as `with_aqi`); missing or negative C has no IAQI.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from envplan.standards.air import fused
from envplan.standards.air.aqi import MissingPolicy
from envplan.standards.air.tables import (
    BREAKPOINTS,
    CATEGORIES,
    IAQI_CAP,
    IAQI_LEVELS,
    POLLUTANTS,
    PRIMARY_ABOVE,
    PUBLISH_WITH_MISSING_ABOVE_2026,
    SO2_1H_ABOVE_TABLE_IAQI_2026,
    SO2_1H_THRESHOLD,
)
from envplan.standards.versions import AIR_2026_EFFECTIVE, AqiEdition

Int16Array = npt.NDArray[np.int16]
FloatArray = npt.NDArray[np.float64]
EditionChoice = AqiEdition | Literal["auto"] | str

SCALE = 1000  # concentrations are used to the thousandth (see `aqi._QUANTUM_DECIMALS`)
NULL = -1  # "no index" in the int16 arrays
_ABOVE = -2  # above a partly defined table (SO2 1-h > 800): the edition's rule applies

# Real-time columns -> breakpoint column of HJ 633 Table 1 (2012) / Table 3 (2026), practice rule.
REALTIME_TABLES: dict[str, str] = {
    "pm25": "PM25_24h",
    "pm10": "PM10_24h",
    "so2": "SO2_1h",
    "no2": "NO2_1h",
    "co": "CO_1h",
    "o3": "O3_1h",
}
# HJ 633-2026 §4.2.2/§4.2.3: inputs rounded per GB/T 8170 to integers, CO (mg/m³) to one decimal.
_DECIMALS_2026: dict[str, int] = {"pm25": 0, "pm10": 0, "so2": 0, "no2": 0, "co": 1, "o3": 0, "so2_24h": 0}
_MICRO = 1_000_000  # GB/T 8170 rounding first quantises to micro-units (see `rounding.gbt8170_round`)


@cache
def iaqi_table(edition: AqiEdition, column: str, scale: int = SCALE) -> Int16Array:
    """IAQI of q/scale for q = 0 … top x scale (exact), then the value above the top, then NULL (index -1).

    `scale` is the resolution of the inputs: 1000 (thousandths, as `with_aqi` uses them), or 1 and 10
    for HJ 633-2026 inputs already rounded to integers (CO to one decimal)."""
    breakpoints = BREAKPOINTS[edition][column]
    defined = [(level, bp) for level, bp in zip(IAQI_LEVELS, breakpoints, strict=True) if bp is not None]
    scaled = [(level, round(bp * scale)) for level, bp in defined]
    top = scaled[-1][1]
    q = np.arange(top + 1, dtype=np.int64)
    result = np.zeros(top + 1, dtype=np.int64)
    for (level_lo, bp_lo), (level_hi, bp_hi) in itertools.pairwise(scaled):
        inside = (q > bp_lo) & (q <= bp_hi)
        numerator = (q[inside] - bp_lo) * (level_hi - level_lo)
        result[inside] = level_lo - (-numerator // (bp_hi - bp_lo))  # exact ceiling division
    table = np.empty(top + 3, dtype=np.int16)
    table[: top + 1] = result
    table[top + 1] = IAQI_CAP if len(defined) == len(IAQI_LEVELS) else _ABOVE
    table[top + 2] = NULL
    table.flags.writeable = False
    return table


def _to_index(q: FloatArray, top: int) -> npt.NDArray[np.intp]:
    """Integer-valued (or NaN) floats to table indices in place: NaN and negatives -> -1, above -> top + 1."""
    np.fmax(q, -1.0, out=q)  # NaN -> -1 as well (fmax ignores NaN)
    np.fmin(q, float(top + 1), out=q)
    return q.astype(np.intp)


def _index(values: FloatArray, top: int) -> npt.NDArray[np.intp]:
    """Table index of each value at the thousandth: round(C x 1000), half to even as Polars' round()."""
    q = np.multiply(values, float(SCALE))
    np.rint(q, out=q)
    return _to_index(q, top)


def gbt8170_units(values: FloatArray, decimals: int) -> FloatArray:
    """C rounded per GB/T 8170 to `decimals`, in units of 10^-decimals (integer-valued floats, NaN kept).

    As `rounding.gbt8170_round`: quantise to micro-units first (removes binary noise such as
    34.49999999999999), then round half to even. The division of two integers below 2**53 is correctly
    rounded, and a quotient that is not exactly k + 0.5 lies at least 10^-6 from it, far beyond float error,
    so `rint` of the quotient is the exact half-even rounding."""
    q = np.multiply(values, float(_MICRO))
    np.rint(q, out=q)
    np.divide(q, float(10 ** (6 - decimals)), out=q)
    np.rint(q, out=q)
    return q


def gbt8170_thousandths(values: FloatArray, decimals: int) -> FloatArray:
    """C x 1000 after GB/T 8170 rounding to `decimals`, divided back to a concentration."""
    result: FloatArray = gbt8170_units(values, decimals) * float(10 ** (3 - decimals)) / float(SCALE)
    return result


def _lookup(values: FloatArray, edition: AqiEdition, column: str, *, rounded: bool) -> Int16Array:
    name = REALTIME_TABLES.get(column, column)
    if rounded:  # HJ 633-2026: look up the GB/T 8170-rounded value in a table at its own resolution
        decimals = _DECIMALS_2026[column]
        table = iaqi_table(edition, name, 10**decimals)
        return np.take(table, _to_index(gbt8170_units(values, decimals), len(table) - 3))
    table = iaqi_table(edition, name)
    return np.take(table, _index(values, len(table) - 3))


def _iaqi(values: FloatArray, column: str, is_2026: npt.NDArray[np.bool_] | bool) -> Int16Array:
    if is_2026 is True or is_2026 is False:
        edition = AqiEdition.HJ633_2026 if is_2026 else AqiEdition.HJ633_2012
        return _lookup(values, edition, column, rounded=bool(is_2026))
    new = _lookup(values, AqiEdition.HJ633_2026, column, rounded=True)
    old = _lookup(values, AqiEdition.HJ633_2012, column, rounded=False)
    return np.where(is_2026, new, old)


# Category of an AQI 0..500 by look-up (HJ 633-2012 Table 2 / HJ 633-2026 Table 1); index -1 -> 0 (none).
def _category_table() -> npt.NDArray[np.int8]:
    aqi = np.arange(IAQI_CAP + 2)
    level = np.ones(IAQI_CAP + 2, dtype=np.int8)
    for category in CATEGORIES[:-1]:
        assert category.aqi_max is not None
        level += (aqi > category.aqi_max).astype(np.int8)
    level[-1] = 0
    return level


_CATEGORY = _category_table()
# The same categories for the compiled kernel, as the upper AQI of each but the last (ascending).
_CATEGORY_TOPS = tuple(int(c.aqi_max) for c in CATEGORIES[:-1] if c.aqi_max is not None)


def is_2026_mask(times: npt.NDArray[np.datetime64]) -> npt.NDArray[np.bool_]:
    """Hours under HJ 633-2026: those belonging to a day from 2026-03-01 (label >= 01:00 that day)."""
    first = datetime.combine(AIR_2026_EFFECTIVE, time()) + timedelta(hours=1)
    result: npt.NDArray[np.bool_] = times >= np.datetime64(first, "us")
    return result


def realtime_aqi_arrays(
    columns: dict[str, FloatArray],
    *,
    is_2026: npt.NDArray[np.bool_] | bool,
    missing: MissingPolicy | str = MissingPolicy.AVAILABLE,
) -> dict[str, Int16Array | npt.NDArray[np.int8]]:
    """The kernel: `columns` maps pm25 pm10 so2 no2 co o3 (and optionally so2_24h) to float64 arrays
    (NaN = missing). Returns int16 arrays `iaqi_<code>`, `aqi` (NULL = -1), int8 `category` (0 = none)
    and `primary_mask`."""
    policy = MissingPolicy(str(missing))
    iaqi = {code: _iaqi(columns[code], code, is_2026) for code in POLLUTANTS}
    so2 = iaqi["so2"]
    so2_values = columns["so2"]
    if np.fmax.reduce(so2_values, initial=-np.inf) > SO2_1H_THRESHOLD:
        # Table 1 note of each edition: SO2 1-h above 800 -> 2012: the 24-h mean's IAQI; 2026: 200.
        above_2012 = so2_values > SO2_1H_THRESHOLD
        if is_2026 is False:
            above = above_2012
        else:
            rounded = gbt8170_thousandths(so2_values, _DECIMALS_2026["so2"])
            above = np.where(is_2026, rounded > SO2_1H_THRESHOLD, above_2012)
        if "so2_24h" in columns:
            table = iaqi_table(AqiEdition.HJ633_2012, "SO2_24h")
            old = np.take(table, _index(columns["so2_24h"], len(table) - 3))
        else:
            old = np.full(so2.shape, NULL, dtype=np.int16)
        fallback = np.where(is_2026, np.int16(SO2_1H_ABOVE_TABLE_IAQI_2026), old)
        so2 = np.where(above, fallback, so2).astype(np.int16)
        iaqi["so2"] = so2
    raw = iaqi["pm25"].copy()
    for code in POLLUTANTS[1:]:
        np.maximum(raw, iaqi[code], out=raw)
    if policy is MissingPolicy.AVAILABLE and is_2026 is False:
        aqi = raw
    else:
        absent = so2 == NULL
        for code in POLLUTANTS:
            absent |= np.isnan(columns[code])
        # HJ 633-2026 §5.3.1: with a pollutant missing, the AQI is published only when it exceeds 100.
        publish_2026 = ~absent | (raw > PUBLISH_WITH_MISSING_ABOVE_2026)
        publish_2012 = ~absent if policy is MissingPolicy.BLANK else np.True_
        publish = np.where(is_2026, publish_2026, publish_2012)
        aqi = np.where(publish, raw, np.int16(NULL)).astype(np.int16)
    category = np.take(_CATEGORY, aqi)
    mask = np.zeros(aqi.shape, dtype=np.int8)
    for bit, code in enumerate(POLLUTANTS):
        mask |= np.equal(iaqi[code], aqi).view(np.int8) << bit
    mask *= (aqi > PRIMARY_ABOVE).view(np.int8)  # HJ 633 §4: a primary pollutant only when AQI > 50
    return {
        **{f"iaqi_{code}": iaqi[code] for code in POLLUTANTS},
        "aqi": aqi,
        "category": category,
        "primary_mask": mask,
    }


BLOCK_ROWS = 1 << 15  # rows per block: every temporary of a block stays in the CPU caches


def realtime_aqi_blocked(
    columns: dict[str, FloatArray],
    *,
    is_2026: npt.NDArray[np.bool_] | bool,
    missing: MissingPolicy | str = MissingPolicy.AVAILABLE,
    block_rows: int = BLOCK_ROWS,
    threads: int | None = None,
) -> dict[str, Int16Array | npt.NDArray[np.int8]]:
    """`realtime_aqi_arrays` block by block (cache-sized), on `threads` threads (NumPy releases the GIL
    in its loops; default: the CPUs this process may use). Same result, one row at a time independent."""
    rows = len(next(iter(columns.values())))
    if rows <= block_rows:
        return realtime_aqi_arrays(columns, is_2026=is_2026, missing=missing)
    names = [f"iaqi_{code}" for code in POLLUTANTS] + ["aqi"]
    result: dict[str, Int16Array | npt.NDArray[np.int8]] = {n: np.empty(rows, dtype=np.int16) for n in names}
    result["category"] = np.empty(rows, dtype=np.int8)
    result["primary_mask"] = np.empty(rows, dtype=np.int8)

    def run(start: int) -> None:
        stop = min(start + block_rows, rows)
        part = {name: values[start:stop] for name, values in columns.items()}
        editions = is_2026 if isinstance(is_2026, bool) else is_2026[start:stop]
        for name, values in realtime_aqi_arrays(part, is_2026=editions, missing=missing).items():
            result[name][start:stop] = values

    starts = range(0, rows, block_rows)
    workers = threads or max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
    if workers == 1:
        for start in starts:
            run(start)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, starts))
    return result


def _readonly(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    view = array.view()
    view.flags.writeable = False
    return view


def _arrow_column(frame: pl.DataFrame, name: str) -> tuple[FloatArray, npt.NDArray[np.uint8], int]:
    """A column's float64 Arrow data and validity bitmap (empty: no nulls) and the bitmap's bit offset,
    read in place (no NaN-filled copy); a column the frame lacks is all missing."""
    if name not in frame.columns:
        return _readonly(np.full(frame.height, np.nan)), fused.EMPTY_BITS, 0
    series = frame.get_column(name)
    if series.dtype != pl.Float64:
        series = series.cast(pl.Float64)
    if series.n_chunks() > 1:
        series = series.rechunk()
    array = series.to_arrow()
    validity, data = array.buffers()
    offset = int(array.offset)
    values: FloatArray = np.frombuffer(data, dtype=np.float64)[offset : offset + len(array)]
    if validity is None or array.null_count == 0:
        return _readonly(values), fused.EMPTY_BITS, 0
    return _readonly(values), _readonly(np.frombuffer(validity, dtype=np.uint8)), offset


def fused_arrays(
    frame: pl.DataFrame, *, is_2026: npt.NDArray[np.bool_] | bool, missing: MissingPolicy | str
) -> dict[str, Int16Array | npt.NDArray[np.int8]]:
    """The results of `realtime_aqi_arrays` from the compiled one-pass kernel (needs Numba)."""
    policy = MissingPolicy(str(missing))
    inputs = [_arrow_column(frame, n) for n in POLLUTANTS]
    so2_24h = _floats(frame, "so2_24h") if "so2_24h" in frame.columns else fused.EMPTY_FLOATS
    rows = frame.height
    out_iaqi = np.empty((len(POLLUTANTS), rows), dtype=np.int16)
    out_aqi = np.empty(rows, dtype=np.int16)
    out_category = np.empty(rows, dtype=np.int8)
    out_mask = np.empty(rows, dtype=np.int8)
    fixed = -1 if not isinstance(is_2026, bool) else int(is_2026)
    editions = is_2026 if not isinstance(is_2026, bool) else np.zeros(0, dtype=np.bool_)
    with fused.chunks():
        fused.compiled()(
            tuple(values for values, _, _ in inputs),
            tuple(valid for _, valid, _ in inputs),
            np.array([offset for _, _, offset in inputs], dtype=np.int64),
            _readonly(so2_24h),
            fixed,
            editions,
            tuple(iaqi_table(AqiEdition.HJ633_2012, REALTIME_TABLES[c]) for c in POLLUTANTS),
            tuple(
                iaqi_table(AqiEdition.HJ633_2026, REALTIME_TABLES[c], 10 ** _DECIMALS_2026[c])
                for c in POLLUTANTS
            ),
            np.array([10.0 ** (6 - _DECIMALS_2026[c]) for c in POLLUTANTS], dtype=np.float64),
            iaqi_table(AqiEdition.HJ633_2012, "SO2_24h"),
            float(SO2_1H_THRESHOLD),
            SO2_1H_ABOVE_TABLE_IAQI_2026,
            policy is MissingPolicy.BLANK,
            PUBLISH_WITH_MISSING_ABOVE_2026,
            PRIMARY_ABOVE,
            _CATEGORY_TOPS,
            fused.BLOCK_ROWS,
            out_iaqi,
            out_aqi,
            out_category,
            out_mask,
        )
    return {
        **{f"iaqi_{code}": out_iaqi[k] for k, code in enumerate(POLLUTANTS)},
        "aqi": out_aqi,
        "category": out_category,
        "primary_mask": out_mask,
    }


def _floats(frame: pl.DataFrame, name: str) -> FloatArray:
    if name not in frame.columns:
        return np.full(frame.height, np.nan)
    # fill_null + zero-copy view is faster than Polars' own null -> NaN conversion.
    result: FloatArray = frame.get_column(name).cast(pl.Float64).fill_null(float("nan")).to_numpy()
    return result


def _editions(times: pl.Series) -> npt.NDArray[np.bool_] | bool:
    """Whether each hour is under HJ 633-2026, as one bool when all hours share the edition: decided from
    the first and last hour where it can be (naive microsecond times without nulls), else hour by hour."""
    if times.is_empty():
        return False
    if times.dtype == pl.Datetime("us") and times.null_count() == 0:
        first = datetime.combine(AIR_2026_EFFECTIVE, time()) + timedelta(hours=1)
        if times.min() >= first:  # type: ignore[operator]  # a naive datetime (dtype checked above)
            return True
        if times.max() < first:  # type: ignore[operator]  # a naive datetime (dtype checked above)
            return False
    mask = is_2026_mask(times.cast(pl.Datetime("us")).to_numpy())
    return bool(mask[0]) if (mask == mask[0]).all() else mask


def realtime_aqi(
    frame: pl.DataFrame,
    *,
    edition: EditionChoice = "auto",
    missing: MissingPolicy | str = MissingPolicy.AVAILABLE,
    time_column: str = "time",
    engine: Literal["auto", "numba", "numpy"] = "auto",
) -> pl.DataFrame:
    """The frame's key columns plus `edition, iaqi_pm25 … iaqi_o3, aqi, category, primary_mask` (nulls
    where `with_aqi` has them). Only the practice rule; use `with_aqi` for the HJ 633-2012 text rule."""
    if str(edition) == "auto":
        is_2026: npt.NDArray[np.bool_] | bool = _editions(frame.get_column(time_column))
    else:
        is_2026 = AqiEdition(str(edition)) is AqiEdition.HJ633_2026
    if engine == "numba" or (engine == "auto" and fused.available()):
        arrays = fused_arrays(frame, is_2026=is_2026, missing=missing)
    else:
        names = [*POLLUTANTS, *(["so2_24h"] if "so2_24h" in frame.columns else [])]
        columns = {n: _floats(frame, n) for n in names}
        arrays = realtime_aqi_blocked(columns, is_2026=is_2026, missing=missing)
    if isinstance(is_2026, bool):
        edition_column = pl.lit(str(AqiEdition.HJ633_2026 if is_2026 else AqiEdition.HJ633_2012))
    else:
        edition_column = (
            pl.when(pl.Series(is_2026))
            .then(pl.lit(str(AqiEdition.HJ633_2026)))
            .otherwise(pl.lit(str(AqiEdition.HJ633_2012)))
        )
    results = pl.DataFrame({name: pl.Series(name, values) for name, values in arrays.items()})
    null_if = {name: NULL for name in results.columns if name.startswith("iaqi_") or name == "aqi"}
    null_if["category"] = 0
    keys = [c for c in ("station_code", time_column) if c in frame.columns]
    return pl.concat([frame.select(keys), results], how="horizontal").with_columns(
        edition_column.alias("edition"),
        *[pl.when(pl.col(n) != v).then(pl.col(n)).alias(n) for n, v in null_if.items()],
    )


def primary_text(mask: pl.Expr) -> pl.Expr:
    """The `;`-joined primary codes of a `primary_mask` (as `with_aqi`'s `primary`)."""
    parts = [
        pl.when((mask.cast(pl.Int32) & (1 << bit)) != 0).then(pl.lit(code))
        for bit, code in enumerate(POLLUTANTS)
    ]
    joined = pl.concat_str(parts, separator=";", ignore_nulls=True)
    return pl.when(mask != 0).then(joined)
