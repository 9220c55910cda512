"""The AQI kernel's compiled loops (Numba): one pass over the rows, block by block, on one CPU.

Imported on first use by `kernel.compute` (or `kernel.warm_up`), so that importing the air standards does
not import Numba. The loops are module-level functions, because Numba's on-disk cache does not hold
closures; the cache lives outside the package (see `cache_folder`), so that a command pays for loading the
kernel (a few hundredths of a second), not for compiling it (several seconds), from its second run on.
Every loop indexes with unsigned integers and has no branch in its body, so that LLVM vectorises it; the
error model is NumPy's (no Python exception checks in the arithmetic). One thread is enough (tens of
millions of rows a second, where reading the CSV takes longer) and keeps Numba's threading layers, which
are not all safe across fork() or concurrent calls, out of the web server and the worker.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numba
import numpy as np

from envplan.standards.air.kernel import (
    BLOCK_ROWS,
    FROM_AUX,
    MICRO,
    MISSING,
    NULL,
)
from envplan.standards.air.tables import PRIMARY_ABOVE, PUBLISH_WITH_MISSING_ABOVE_2026

# --- on-disk cache -------------------------------------------------------------------------------------

_config: Any = numba.config  # its settings are set at run time (no static attributes for mypy)


def cache_folder() -> Path | None:
    """Where Numba keeps the compiled kernel between processes: NUMBA_CACHE_DIR when set (Numba reads it),
    else `$XDG_CACHE_HOME/envplan/numba` (by default `~/.cache/envplan/numba`); never next to the source
    (which may be inside site-packages). None when the folder cannot be written: then every process
    compiles the kernel in memory."""
    configured = str(_config.CACHE_DIR or "")
    if configured:
        folder = Path(configured)
    else:
        try:
            base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        except RuntimeError:  # no home folder
            return None
        folder = base / "envplan" / "numba"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return None
    return folder


CACHE_FOLDER = cache_folder()
if CACHE_FOLDER is not None:
    _config.CACHE_DIR = str(CACHE_FOLDER)

F = TypeVar("F", bound=Callable[..., Any])


def _compiled(**options: Any) -> Callable[[F], F]:
    """numba.njit, typed for mypy (Numba ships no annotations), cached on disk when a folder is usable.
    The kernel's functions are module-level functions: Numba's cache does not hold closures."""
    decorator: Callable[[F], F] = numba.njit(
        cache=CACHE_FOLDER is not None, nogil=True, error_model="numpy", **options
    )
    return decorator


# --- the compiled functions ----------------------------------------------------------------------------


@_compiled(inline="always")
def _entry(q: float, table: Any) -> int:
    """Table entry of an integer-valued q, branch-free (NaN or < 0: the NULL entry; past the end: the
    entry past the top)."""
    top = table.shape[0] - 3
    below = q if q <= top + 1.0 else top + 1.0
    index = below if q >= 0.0 else top + 2.0  # NaN compares false: NULL as well
    return int(table[np.uint64(index)])


@_compiled(inline="always")
def _units_2026(x: float, divisor: float) -> float:
    """C rounded per GB/T 8170 in units of 10^-decimals: micro-units first (removes binary noise such as
    34.49999999999999), then half to even, as `rounding.gbt8170_round`."""
    return float(np.rint(np.rint(x * MICRO) / divisor))


@_compiled()
def _slot(
    values: Any,
    editions: Any,
    mode: int,
    on_old: bool,
    on_new: bool,
    old_table: Any,
    new_table: Any,
    divisor: float,
    start: int,
    stop: int,
    out: Any,
) -> None:
    """One slot's IAQI (or NULL, ABOVE, MISSING) of rows start:stop into `out`. mode 0: all rows under
    HJ 633-2012, 1: all under HJ 633-2026, 2: each row its own. Each case is its own branch-free loop, with
    unsigned indices (no negative-index wrap-around), which LLVM vectorises."""
    if mode == 0 and on_old:
        for j in range(start, stop):
            i = np.uint64(j)
            x = values[i]
            value = _entry(np.rint(x * 1000.0), old_table)
            out[i] = value if x == x else MISSING
    elif mode == 1 and on_new:
        for j in range(start, stop):
            i = np.uint64(j)
            x = values[i]
            value = _entry(_units_2026(x, divisor), new_table)
            out[i] = value if x == x else MISSING
    elif mode == 2 and (on_old or on_new):
        for j in range(start, stop):
            i = np.uint64(j)
            x = values[i]
            new = editions[i]
            old_value = _entry(np.rint(x * 1000.0), old_table)
            new_value = _entry(_units_2026(x, divisor), new_table)
            value = new_value if new else old_value
            present = value if x == x else MISSING
            out[i] = present if (on_new if new else on_old) else NULL
    else:
        for j in range(start, stop):
            out[np.uint64(j)] = NULL


@_compiled()
def _above(
    values: Any,
    aux: Any,
    aux_table: Any,
    editions: Any,
    k: int,
    rules: Any,
    start: int,
    stop: int,
    out: Any,
) -> None:
    """The edition's rule where the slot's input exceeds its limit (SO2 1-h, O3 8-h above 800). Rare: a
    first loop counts the rows above the threshold, and most blocks stop there."""
    enabled, divisors, limits, thresholds, above = rules
    threshold = thresholds[k]
    count = 0
    for j in range(start, stop):
        count += values[np.uint64(j)] > threshold
    if count == 0:
        return
    for j in range(start, stop):
        i = np.uint64(j)
        e = editions[i]
        x = values[i]
        c = _units_2026(x, divisors[k]) if e else x
        if c > limits[e, k] and enabled[e, k]:
            rule = above[e, k]
            out[i] = _entry(np.rint(aux[i] * 1000.0), aux_table) if rule == FROM_AUX else rule


@_compiled()
def _combine(
    editions: Any,
    blank: bool,
    category_tops: Any,
    start: int,
    stop: int,
    out: Any,
    aqi: Any,
    category: Any,
    primary: Any,
) -> None:
    """AQI, category and primary mask of rows start:stop; MISSING in the IAQIs becomes NULL."""
    for j in range(start, stop):
        i = np.uint64(j)
        new = editions[i]
        v0 = out[0, i]
        v1 = out[1, i]
        v2 = out[2, i]
        v3 = out[3, i]
        v4 = out[4, i]
        v5 = out[5, i]
        v6 = out[6, i]
        low = min(min(min(v0, v1), min(v2, v3)), min(min(v4, v5), v6))
        # A value missing, or no SO2 index at all, leaves the row incomplete.
        complete = (low != MISSING) & (v2 != NULL)
        raw = max(max(max(max(v0, v1), max(v2, v3)), max(max(v4, v5), v6)), np.int16(NULL))
        # HJ 633-2026 §5.3.1: with a pollutant missing, the AQI is published only when it exceeds 100.
        # HJ 633-2012 is silent: published anyway, unless the policy is `blank`.
        publish = complete | ((raw > PUBLISH_WITH_MISSING_ABOVE_2026) if new else (not blank))
        value = raw if publish else np.int16(NULL)
        level = np.int8(value >= 0)
        for top in category_tops:
            level += np.int8(value > top)
        o3 = max(max(v5, v6), np.int16(NULL))
        mask = (
            np.int8(v0 == value)
            | np.int8(v1 == value) << 1
            | np.int8(v2 == value) << 2
            | np.int8(v3 == value) << 3
            | np.int8(v4 == value) << 4
            | np.int8(o3 == value) << 5
        )
        aqi[i] = value
        category[i] = level
        primary[i] = mask if value > PRIMARY_ABOVE else np.int8(0)  # HJ 633 §4: only when AQI > 50
        out[0, i] = max(v0, np.int16(NULL))
        out[1, i] = max(v1, np.int16(NULL))
        out[2, i] = max(v2, np.int16(NULL))
        out[3, i] = max(v3, np.int16(NULL))
        out[4, i] = max(v4, np.int16(NULL))
        out[5, i] = max(v5, np.int16(NULL))
        out[6, i] = max(v6, np.int16(NULL))
        out[7, i] = o3


@_compiled()
def run(
    values: Any,  # tuple of len(SLOTS) float64 arrays (NaN = missing)
    aux: Any,  # float64: the SO2 24-h mean (HJ 633-2012 SO2 1-h rule), all NaN when absent
    aux_table: Any,  # HJ 633-2012 SO2 24-h table at thousandths
    editions: Any,  # uint8 per row
    old_tables: Any,  # per slot: HJ 633-2012 table at thousandths
    new_tables: Any,  # per slot: HJ 633-2026 table at the rounded input's unit
    rules: Any,  # (enabled, divisors, limits, thresholds, above) of `Rules`
    blank: bool,
    category_tops: Any,
    out: Any,  # int16 (len(OUTPUTS), n)
    aqi: Any,  # int16 (n,)
    category: Any,  # int8 (n,)
    primary: Any,  # int8 (n,)
) -> None:
    """Fill the outputs of every row: per block, each slot's IAQIs, the rules above the tables, then AQI,
    category and primary pollutants."""
    n = aqi.shape[0]
    enabled, divisors, _, thresholds, _ = rules
    blocks = (n + BLOCK_ROWS - 1) // BLOCK_ROWS
    for b in range(blocks):
        start = b * BLOCK_ROWS
        stop = min(start + BLOCK_ROWS, n)
        # A block on one side of 2026-03-01 runs the loops of its edition only.
        count = 0
        for j in range(start, stop):
            count += editions[np.uint64(j)]
        mode = 0 if count == 0 else (1 if count == stop - start else 2)
        # One slot at a time: short loops over a block whose columns stay in the CPU caches.
        for k in range(len(values)):
            on_old = enabled[0, k]
            on_new = enabled[1, k]
            _slot(
                values[k],
                editions,
                mode,
                on_old,
                on_new,
                old_tables[k],
                new_tables[k],
                divisors[k],
                start,
                stop,
                out[k],
            )
            if thresholds[k] < np.inf:
                _above(values[k], aux, aux_table, editions, k, rules, start, stop, out[k])
        _combine(editions, blank, category_tops, start, stop, out, aqi, category, primary)
