"""The real-time AQI kernel as one compiled pass over the rows (Numba), when Numba is installed.

Row for row it does what `kernel.realtime_aqi_arrays` does with NumPy (same tables, same rounding steps,
same IEEE operations, so the same integers), on all the CPUs the process may use. It reads the Polars
columns' Arrow buffers in place (float64 data plus validity bitmap: no NaN-filled copy) and reads each
input once. The rows go in blocks of BLOCK_ROWS: per block, one short loop per pollutant writes its
IAQIs (MISSING for a missing value), then one loop combines the six into AQI, category and primary mask
while the block is still in the CPU caches. Every loop indexes with unsigned integers and has no branch
in its body, so that LLVM vectorises it (AVX2/AVX-512 where the CPU has them).
Compiled on first use (cached on disk by Numba where it can write); `available()` is False without
Numba, and the caller falls back to the NumPy kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import cache
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

numba: Any
try:  # an optional accelerator: the NumPy kernel gives the same results without it
    import numba
except ImportError:  # pragma: no cover - depends on the environment
    numba = None


def available() -> bool:
    return numba is not None


# Rows per block: the kernel runs each pollutant's short loop over a block whose columns stay in the
# CPU caches (a multiple of 8, so that Arrow validity bytes never straddle two blocks).
BLOCK_ROWS = 1 << 12
# Rows per work item of the parallel loop. Small dynamic chunks let an idle thread take over the work of
# one the OS has put aside (on a shared machine, equal static shares made the whole loop 2-3x slower).
CHUNK_ROWS = 1 << 16


def chunks() -> AbstractContextManager[Any]:
    """Context in which the kernel's parallel loop hands out blocks in chunks of CHUNK_ROWS rows."""
    assert numba is not None
    manager: AbstractContextManager[Any] = numba.parallel_chunksize(max(1, CHUNK_ROWS // BLOCK_ROWS))
    return manager


F = TypeVar("F", bound=Callable[..., Any])


def _jit(**options: Any) -> Callable[[F], F]:
    """numba.njit with a type (Numba ships no annotations)."""
    assert numba is not None
    decorator: Callable[[F], F] = numba.njit(**options)
    return decorator


@cache
def compiled() -> Callable[..., None]:
    """Compile the kernel (once per process; Numba's on-disk cache makes later processes quick, where
    Numba finds a writable cache folder)."""
    try:
        return _build(on_disk=True)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return _build(on_disk=False)


def _build(*, on_disk: bool) -> Callable[..., None]:
    """The kernel. Its loops index with unsigned integers: Numba then drops its negative-index
    wrap-around, and LLVM vectorises the loops (with signed indices they ran about 10x slower)."""
    prange: Any = numba.prange
    nan = np.nan
    u64 = np.uint64
    MISSING = -3  # a constant of the kernels: the value is missing (-1: no index, e.g. C < 0)

    @_jit(inline="always", cache=on_disk)
    def entry(q: float, table: Any) -> int:
        """Table entry of an integer-valued q, branch-free (NaN or < 0 -> NULL entry, above -> top + 1)."""
        top = table.shape[0] - 3
        below = q if q <= top + 1.0 else top + 1.0
        index = below if q >= 0.0 else top + 2.0  # NaN compares false: NULL as well
        return int(table[u64(index)])

    @_jit(inline="always", cache=on_disk)
    def units(x: float, divisor: float) -> float:
        """GB/T 8170 rounding in units of 10^-decimals, divisor = 10^(6 - decimals) (as
        `kernel.gbt8170_units`: micro-units first, then half to even)."""
        return float(np.rint(np.rint(x * 1_000_000.0) / divisor))

    @_jit(nogil=True, cache=on_disk)
    def column(
        values: Any,
        valid: Any,
        offset: int,
        old_table: Any,
        new_table: Any,
        divisor: float,
        mode: int,
        editions: Any,
        start: int,
        stop: int,
        out: Any,
    ) -> None:
        """IAQIs of rows start:stop of one pollutant into `out`, MISSING where the value is (NaN, or null
        in the Arrow validity bitmap read from bit `offset`; an empty bitmap: no nulls). mode 0: HJ
        633-2012 (thousandths), 1: HJ 633-2026 (GB/T 8170 units), 2: per row from `editions`. Each case is
        its own branch-free loop. Where the rows start on a bitmap byte, the loops read one byte per 8 rows
        and apply it at once (a third faster than a second pass bit by bit)."""
        rest = start
        if valid.shape[0] and (offset + start) & 7 == 0:
            first = u64((offset + start) >> 3)
            whole = (stop - start) >> 3
            rest = start + whole * 8
            if mode == 0:
                for j in range(whole):
                    byte = valid[first + u64(j)]
                    base = u64(start) + u64(j) * u64(8)
                    for t in range(8):
                        i = base + u64(t)
                        x = values[i]
                        v = entry(np.rint(x * 1000.0), old_table)
                        out[i] = v if (x == x) & ((byte >> u64(t)) & 1 != 0) else MISSING
            elif mode == 1:
                for j in range(whole):
                    byte = valid[first + u64(j)]
                    base = u64(start) + u64(j) * u64(8)
                    for t in range(8):
                        i = base + u64(t)
                        x = values[i]
                        v = entry(units(x, divisor), new_table)
                        out[i] = v if (x == x) & ((byte >> u64(t)) & 1 != 0) else MISSING
            else:
                for j in range(whole):
                    byte = valid[first + u64(j)]
                    base = u64(start) + u64(j) * u64(8)
                    for t in range(8):
                        i = base + u64(t)
                        x = values[i]
                        old = entry(np.rint(x * 1000.0), old_table)
                        v = entry(units(x, divisor), new_table) if editions[i] else old
                        out[i] = v if (x == x) & ((byte >> u64(t)) & 1 != 0) else MISSING
        if mode == 0:
            for j in range(rest, stop):
                i = u64(j)
                x = values[i]
                v = entry(np.rint(x * 1000.0), old_table)
                out[i] = v if x == x else MISSING
        elif mode == 1:
            for j in range(rest, stop):
                i = u64(j)
                x = values[i]
                v = entry(units(x, divisor), new_table)
                out[i] = v if x == x else MISSING
        else:
            for j in range(rest, stop):
                i = u64(j)
                x = values[i]
                old = entry(np.rint(x * 1000.0), old_table)
                v = entry(units(x, divisor), new_table) if editions[i] else old
                out[i] = v if x == x else MISSING
        if valid.shape[0]:  # rows not on whole bitmap bytes: bit by bit
            for j in range(rest, stop):
                i = u64(j)
                bit = u64(offset) + i
                out[i] = out[i] if (valid[bit >> u64(3)] >> (bit & u64(7))) & 1 else MISSING

    @_jit(nogil=True, cache=on_disk)
    def combine(
        out_iaqi: Any,
        start: int,
        stop: int,
        mode: int,
        editions: Any,
        publish_above_2026: int,
        not_blank: int,
        primary_above: int,
        category_tops: Any,
        out_aqi: Any,
        out_category: Any,
        out_mask: Any,
    ) -> None:
        """AQI, category and primary mask of rows start:stop; MISSING in the IAQIs becomes NULL (-1)."""
        fixed_new = np.int16(mode == 1)
        blank = np.int16(not_blank ^ 1)
        for j in range(start, stop):
            i = u64(j)
            new = np.int16(editions[i]) if mode == 2 else fixed_new
            v0 = out_iaqi[0, i]
            v1 = out_iaqi[1, i]
            v2 = out_iaqi[2, i]
            v3 = out_iaqi[3, i]
            v4 = out_iaqi[4, i]
            v5 = out_iaqi[5, i]
            low = min(min(min(v0, v1), min(v2, v3)), min(v4, v5))
            present = (low != MISSING) & (v2 != -1)
            raw = max(max(max(max(v0, v1), max(v2, v3)), max(v4, v5)), np.int16(-1))
            # HJ 633-2026 §5.3.1: with a pollutant missing, publish only above 100; 2012: the policy.
            publish = present | (new & (raw > publish_above_2026)) | ((new ^ 1) & (blank ^ 1))
            aqi = raw if publish else np.int16(-1)
            level = np.int8(aqi >= 0)
            for top in category_tops:
                level += np.int8(aqi > top)
            out_aqi[i] = aqi
            out_category[i] = level
            primary = (
                np.int8(v0 == aqi)
                | np.int8(v1 == aqi) << 1
                | np.int8(v2 == aqi) << 2
                | np.int8(v3 == aqi) << 3
                | np.int8(v4 == aqi) << 4
                | np.int8(v5 == aqi) << 5
            )
            out_mask[i] = primary if aqi > primary_above else np.int8(0)  # HJ 633 §4: only when AQI > 50
            out_iaqi[0, i] = max(v0, np.int16(-1))
            out_iaqi[1, i] = max(v1, np.int16(-1))
            out_iaqi[2, i] = max(v2, np.int16(-1))
            out_iaqi[3, i] = max(v3, np.int16(-1))
            out_iaqi[4, i] = max(v4, np.int16(-1))
            out_iaqi[5, i] = max(v5, np.int16(-1))

    @_jit(parallel=True, nogil=True, cache=on_disk)
    def run(
        values: Any,  # 6 float arrays (Arrow data buffers): pm25 pm10 so2 no2 co o3
        valid: Any,  # 6 uint8 Arrow validity bitmaps (empty: no nulls)
        offsets: Any,  # int64 bit offset of each bitmap
        so2_24h: Any,  # float array (NaN = missing), or empty when the frame has no so2_24h
        fixed: int,  # 0: all HJ 633-2012, 1: all HJ 633-2026, -1: per row from `editions`
        editions: Any,  # bool per row (True = 2026) when fixed == -1
        old_tables: Any,  # 6 tables at thousandths (2012)
        new_tables: Any,  # 6 tables at the 2026 input resolution
        new_divisors: Any,  # 10^(6 - decimals) of the 2026 inputs (CO 1 decimal, others 0)
        so2_24h_table: Any,  # HJ 633-2012 SO2 24-h at thousandths
        so2_threshold: float,
        so2_above_2026: int,
        policy_blank: bool,
        publish_above_2026: int,
        primary_above: int,
        category_tops: Any,  # upper AQI of each category but the last, ascending (tuple)
        block: int,  # rows per block
        out_iaqi: Any,  # int16 (6, n)
        out_aqi: Any,
        out_category: Any,
        out_mask: Any,
    ) -> None:
        n = out_aqi.shape[0]
        not_blank = 0 if policy_blank else 1
        for b in prange((n + block - 1) // block):
            start = b * block
            stop = min(start + block, n)
            mode = fixed
            if mode == -1:  # a block on one side of 2026-03-01 runs the edition's own loop
                count = 0
                for j in range(start, stop):
                    count += editions[u64(j)]
                mode = 0 if count == 0 else (1 if count == stop - start else 2)
            # One pollutant at a time: short loops over block columns that stay in the CPU caches.
            for k in range(6):
                column(
                    values[k],
                    valid[k],
                    offsets[k],
                    old_tables[k],
                    new_tables[k],
                    new_divisors[k],
                    mode,
                    editions,
                    start,
                    stop,
                    out_iaqi[k],
                )
            # Table 1 notes: SO2 1-h above 800 -> 2012: the 24-h mean's IAQI; 2026: 200 (rare: own pass).
            so2 = values[2]
            above = 0
            for j in range(start, stop):
                above += so2[u64(j)] > so2_threshold
            if above:
                for i in range(start, stop):
                    x2 = so2[i]
                    if x2 > so2_threshold and out_iaqi[2, i] != MISSING:
                        if mode == 1 or (mode == 2 and editions[i]):
                            if units(x2, 1_000_000.0) > so2_threshold:
                                out_iaqi[2, i] = so2_above_2026
                        else:
                            daily = so2_24h[i] if so2_24h.shape[0] else nan
                            out_iaqi[2, i] = entry(np.rint(daily * 1000.0), so2_24h_table)
            combine(
                out_iaqi,
                start,
                stop,
                mode,
                editions,
                publish_above_2026,
                not_blank,
                primary_above,
                category_tops,
                out_aqi,
                out_category,
                out_mask,
            )

    result: Callable[..., None] = run
    return result


EMPTY_FLOATS: npt.NDArray[np.float64] = np.empty(0, dtype=np.float64)
EMPTY_BITS: npt.NDArray[np.uint8] = np.empty(0, dtype=np.uint8)
EMPTY_BITS.flags.writeable = False  # the same (read-only) Numba type as an Arrow bitmap
