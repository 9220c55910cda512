"""Rolling windows, lags and leads over the grid, kept inside each channel (numpy, no row loops).

Window sums come from one cumulative sum over the whole grid: the sum of slots j-w+1..j is
``c[j+1] - c[j+1-w]``; the result is NaN (or 0 for counts) where the window would start before the
channel's first slot. Values are centred and scaled per channel by the callers before they are summed,
so that the cumulative sums stay small and exact enough.
"""

from __future__ import annotations

import numpy as np

from envplan.screening.grid import BoolArray, FloatArray, Grid, Int32Array, IntArray


def rolling_sum(values: FloatArray, window: int, pos: Int32Array) -> FloatArray:
    """Sum of the last ``window`` slots (this one included); NaN where the window leaves the channel."""
    result = np.full(values.shape, np.nan)
    if window < 1 or values.size < window:
        return result
    total = np.concatenate(([0.0], np.cumsum(values)))
    result[window - 1 :] = total[window:] - total[:-window]
    result[pos < window - 1] = np.nan
    return result


def rolling_count(mask: BoolArray, window: int, pos: Int32Array) -> IntArray:
    """How many of the last ``window`` slots are True; 0 where the window leaves the channel."""
    result = np.zeros(mask.shape, dtype=np.int64)
    if window < 1 or mask.size < window:
        return result
    total = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
    result[window - 1 :] = total[window:] - total[:-window]
    result[pos < window - 1] = 0
    return result


def rolling_mean_std(
    values: FloatArray, window: int, pos: Int32Array, min_count: int
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Mean, standard deviation and count of the finite values among the last ``window`` slots.

    NaN where fewer than ``min_count`` values are finite."""
    finite = np.isfinite(values)
    clean = np.where(finite, values, 0.0)
    count = rolling_count(finite, window, pos)
    total = rolling_sum(clean, window, pos)
    squares = rolling_sum(clean * clean, window, pos)
    enough = count >= max(min_count, 2)
    safe = np.maximum(count, 1)
    mean = np.where(enough, total / safe, np.nan)
    variance = np.where(enough, (squares - total * total / safe) / np.maximum(count - 1, 1), np.nan)
    return mean, np.sqrt(np.maximum(variance, 0.0)), count


def lag(values: FloatArray, steps: int, pos: Int32Array) -> FloatArray:
    """The value ``steps`` slots earlier in the same channel (NaN before the channel starts)."""
    result = np.full(values.shape, np.nan)
    if steps <= 0:
        return values.copy()
    if values.size > steps:
        result[steps:] = values[:-steps]
    result[pos < steps] = np.nan
    return result


def lead(values: FloatArray, steps: int, grid: Grid) -> FloatArray:
    """The value ``steps`` slots later in the same channel (NaN after the channel ends)."""
    result = np.full(values.shape, np.nan)
    if steps <= 0:
        return values.copy()
    if values.size > steps:
        result[:-steps] = values[steps:]
    result[grid.pos.astype(np.int64) + steps >= grid.lengths[grid.sid]] = np.nan
    return result


def channel_scale(values: FloatArray, grid: Grid, scale: FloatArray, centre: FloatArray) -> FloatArray:
    """(value - centre[channel]) / scale[channel], NaN where the scale is not positive."""
    per_slot_scale = scale[grid.sid]
    return np.where(
        per_slot_scale > 0,
        (values - centre[grid.sid]) / np.where(per_slot_scale > 0, per_slot_scale, 1.0),
        np.nan,
    )


def fill_forward(values: FloatArray, grid: Grid) -> FloatArray:
    """Each NaN replaced by the last finite value before it in the same channel (NaN if none)."""
    index = np.where(np.isfinite(values), np.arange(values.size), -1)
    index = np.maximum.accumulate(index)
    starts = grid.offsets[grid.sid]
    usable = index >= starts
    return np.where(usable, values[np.maximum(index, 0)], np.nan)


def fill_backward(values: FloatArray, grid: Grid) -> FloatArray:
    """Each NaN replaced by the next finite value after it in the same channel (NaN if none)."""
    size = values.size
    index = np.where(np.isfinite(values), np.arange(size), size)
    index = np.minimum.accumulate(index[::-1])[::-1]
    ends = grid.offsets[grid.sid] + grid.lengths[grid.sid]
    usable = index < ends
    return np.where(usable, values[np.minimum(index, size - 1)], np.nan)


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
