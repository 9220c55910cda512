"""The real-time AQI kernel as one compiled pass over the rows (Numba), when Numba is installed.

Row for row it does what `kernel.realtime_aqi_arrays` does with NumPy (same tables, same rounding steps,
same IEEE operations, so the same integers), but reads each input once and writes every output once,
on all the CPUs the process may use. Compiled on first use (cached on
disk by Numba where it can write); `available()` is False without Numba, and the caller falls back to
the NumPy kernel.
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


# Rows per work item of the parallel loop. Small dynamic chunks let an idle thread take over the work of
# one the OS has put aside (on a shared machine, equal static shares made the whole loop 2-3x slower).
CHUNK_ROWS = 1 << 16


def chunks() -> AbstractContextManager[Any]:
    """Context in which the kernel's parallel loop hands out rows in chunks of CHUNK_ROWS."""
    assert numba is not None
    manager: AbstractContextManager[Any] = numba.parallel_chunksize(CHUNK_ROWS)
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
    prange: Any = numba.prange

    @_jit(inline="always", cache=on_disk)
    def look(q: float, table: Any) -> int:
        """Table entry of an integer-valued q (NaN or < 0 -> NULL entry, above -> entry top + 1)."""
        top = table.shape[0] - 3
        if not q >= 0.0:  # NaN, or a value that rounds below zero
            return int(table[top + 2])
        if q > top + 1:
            return int(table[top + 1])
        return int(table[int(q)])

    @_jit(inline="always", cache=on_disk)
    def units(x: float, decimals: int) -> float:
        """GB/T 8170 rounding to `decimals`, in units of 10^-decimals (as `kernel.gbt8170_units`)."""
        scaled = np.rint(x * 1_000_000.0)
        return float(np.rint(scaled / (1_000_000.0 if decimals == 0 else 100_000.0)))

    @_jit(parallel=True, nogil=True, cache=on_disk)
    def run(
        values: Any,  # 6 float arrays (NaN = missing): pm25 pm10 so2 no2 co o3
        so2_24h: Any,  # float array, or empty when the frame has no so2_24h
        fixed: int,  # 0: all HJ 633-2012, 1: all HJ 633-2026, -1: per row from `editions`
        editions: Any,  # bool per row (True = 2026) when fixed == -1
        old_tables: Any,  # 6 tables at thousandths (2012)
        new_tables: Any,  # 6 tables at the 2026 input resolution
        new_decimals: Any,  # decimals of the 2026 inputs (CO 1, others 0)
        so2_24h_table: Any,  # HJ 633-2012 SO2 24-h at thousandths
        so2_threshold: float,
        so2_above_2026: int,
        policy_blank: bool,
        publish_above_2026: int,
        primary_above: int,
        categories: Any,
        out_iaqi: Any,  # int16 (6, n)
        out_aqi: Any,
        out_category: Any,
        out_mask: Any,
    ) -> None:
        n = out_aqi.shape[0]
        for i in prange(n):
            new = fixed == 1 or (fixed == -1 and editions[i])
            # One pollutant after the other with constant tuple indices (unrolled by hand for speed).
            x0 = values[0][i]
            x1 = values[1][i]
            x2 = values[2][i]
            x3 = values[3][i]
            x4 = values[4][i]
            x5 = values[5][i]
            if new:
                v0 = look(units(x0, new_decimals[0]), new_tables[0])
                v1 = look(units(x1, new_decimals[1]), new_tables[1])
                v2 = look(units(x2, new_decimals[2]), new_tables[2])
                v3 = look(units(x3, new_decimals[3]), new_tables[3])
                v4 = look(units(x4, new_decimals[4]), new_tables[4])
                v5 = look(units(x5, new_decimals[5]), new_tables[5])
            else:
                v0 = look(np.rint(x0 * 1000.0), old_tables[0])
                v1 = look(np.rint(x1 * 1000.0), old_tables[1])
                v2 = look(np.rint(x2 * 1000.0), old_tables[2])
                v3 = look(np.rint(x3 * 1000.0), old_tables[3])
                v4 = look(np.rint(x4 * 1000.0), old_tables[4])
                v5 = look(np.rint(x5 * 1000.0), old_tables[5])
            if x2 > so2_threshold:
                # Table 1 notes: SO2 1-h above 800 -> 2012: the 24-h mean's IAQI; 2026: 200.
                if new:
                    if units(x2, 0) > so2_threshold:
                        v2 = so2_above_2026
                else:
                    daily = so2_24h[i] if so2_24h.shape[0] else np.nan
                    v2 = look(np.rint(daily * 1000.0), so2_24h_table)
            absent = v2 == -1 or x0 != x0 or x1 != x1 or x2 != x2 or x3 != x3 or x4 != x4 or x5 != x5
            raw = max(v0, v1, v2, v3, v4, v5)
            # HJ 633-2026 §5.3.1: with a pollutant missing, publish only above 100; 2012: the policy.
            publish = (not absent) or (raw > publish_above_2026 if new else not policy_blank)
            aqi = raw if publish else -1
            out_iaqi[0, i] = v0
            out_iaqi[1, i] = v1
            out_iaqi[2, i] = v2
            out_iaqi[3, i] = v3
            out_iaqi[4, i] = v4
            out_iaqi[5, i] = v5
            out_aqi[i] = aqi
            out_category[i] = categories[aqi] if aqi >= 0 else 0
            if aqi > primary_above:
                out_mask[i] = (
                    (v0 == aqi) | (v1 == aqi) << 1 | (v2 == aqi) << 2 | (v3 == aqi) << 3 | (v4 == aqi) << 4
                ) | (v5 == aqi) << 5
            else:
                out_mask[i] = 0

    result: Callable[..., None] = run
    return result


EMPTY_FLOATS: npt.NDArray[np.float64] = np.empty(0, dtype=np.float64)
