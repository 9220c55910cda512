"""Lags and the slots covered by windows, kept inside each channel (NumPy, no row loops). Window sums
and means live in features.py (per-channel cumulative sums)."""

from __future__ import annotations

import numpy as np

from envplan.screening.grid import BoolArray, FloatArray, Grid, Int32Array, IntArray


def lag(values: FloatArray, steps: int, pos: Int32Array) -> FloatArray:
    """The value ``steps`` slots earlier in the same channel (NaN before the channel starts)."""
    result = np.full(values.shape, np.nan)
    if steps <= 0:
        return values.copy()
    if values.size > steps:
        result[steps:] = values[:-steps]
    result[pos < steps] = np.nan
    return result


def covered(ends: BoolArray, window: IntArray, grid: Grid) -> BoolArray:
    """Slots inside some window of ``window[channel]`` slots that ends at a True slot of ``ends``.

    A window ending at slot e covers e-w+1..e (not before its channel's first slot)."""
    last = np.flatnonzero(ends)
    result = np.zeros(grid.size, dtype=np.bool_)
    if last.size == 0:
        return result
    first = np.maximum(last - window[grid.sid[last]] + 1, last - grid.pos[last])
    sizes = last - first + 1
    if int(sizes.sum()) <= grid.size // 4:
        # Few windows: mark their slots directly.
        offsets = np.repeat(first - (np.cumsum(sizes) - sizes), sizes)
        result[np.arange(int(sizes.sum()), dtype=np.int64) + offsets] = True
        return result
    change = np.zeros(grid.size + 1, dtype=np.int32)
    np.add.at(change, first, 1)
    np.add.at(change, last + 1, -1)
    return np.asarray(np.cumsum(change[:-1]) > 0, dtype=np.bool_)
