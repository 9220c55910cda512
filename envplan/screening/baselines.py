"""Baselines: what is usual for each channel (its own history) and for each industry (its peers).

:func:`channel_baselines` summarises channels from a grid of past readings (or of the readings being
screened, when no history is given: the statistics are medians and rates that a few manipulated days
barely move). One row per channel, keyed by ``mn, kind, factor, field``:

==================  =========================================================================
column              meaning
==================  =========================================================================
values              valid (flag N) values
resolution          10 ** -(median number of decimals): the instrument's reporting step
p_still             rate of still steps (within FlatLine.tolerance_steps) after a moving step
median, p01 … p99   percentiles of the valid values (p01, p05, p10, p25, p75, p90, p95, p99)
running_median      median of the values above a fifth of the 95th percentile (the plant running)
median_change       median absolute change between consecutive valid values, zero changes left out
spread_<W>h         median standard deviation over windows of W hours (VarianceCollapse windows)
relative_spread     median standard deviation over VarianceCollapsePeers windows / median level
step_scale_<W>h     95th percentile of the absolute level-shift statistic, windows of W hours (LevelShift)
marked_share        share of present slots carrying an invalidating mark (M, C, D, F, T, S, B, P)
digit_0 … digit_9   counts of last digits at the resolution
near_limit          values within LimitHugging.band of the limit, when a limit is known
near_above          of those, values at or above the limit
high_marked_share   of the values above the limit (or p90), the share that is marked
==================  =========================================================================

:func:`industry_baselines` gives, per industry, kind, factor and field, the median relative spread of
its outlets and how many outlets it rests on.

Large grids are summarised from an evenly spaced sample of at most ``SAMPLE_VALUES`` slots per
statistic that needs sorting (percentiles, medians); counts use every slot.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from envplan.screening.grid import FloatArray, Grid, IntArray
from envplan.screening.model import INVALIDATING, OUTLETS_SCHEMA
from envplan.screening.options import ScanOptions
from envplan.screening.windows import lag, rolling_mean_std

KEY: Final = ("mn", "kind", "factor", "field")
SAMPLE_VALUES: Final = 4_000_000
PERCENTILES: Final = (0.01, 0.05, 0.10, 0.25, 0.75, 0.90, 0.95, 0.99)
MAX_DECIMALS: Final = 6


def decimals(values: FloatArray) -> IntArray:
    """Number of decimals each value is written with (at most MAX_DECIMALS; NaN gives 0)."""
    result = np.full(values.shape, MAX_DECIMALS, dtype=np.int64)
    finite = np.isfinite(values)
    undecided = finite.copy()
    for places in range(MAX_DECIMALS + 1):
        scaled = values * 10.0**places
        exact = undecided & (np.abs(scaled - np.round(scaled)) <= 1e-6 + 1e-9 * np.abs(scaled))
        result[exact] = places
        undecided &= ~exact
    result[~finite] = 0
    return result


def slots_per(hours: float, grid: Grid) -> IntArray:
    """Window of ``hours`` in slots of each channel (at least 1)."""
    step = grid.channels.get_column("step").to_numpy().astype(np.float64)
    return np.maximum(np.round(hours * 3_600_000.0 / step), 1).astype(np.int64)


def per_channel_window(values_by_window: dict[int, FloatArray], windows: IntArray, grid: Grid) -> FloatArray:
    """Pick, for each slot, the entry computed with its channel's window length."""
    result = np.full(grid.size, np.nan)
    per_slot = windows[grid.sid]
    for window, computed in values_by_window.items():
        chosen = per_slot == window
        result[chosen] = computed[chosen]
    return result


def rolling_spread(
    x: FloatArray, grid: Grid, hours: float, min_coverage: float, centre: FloatArray, scale: FloatArray
) -> tuple[FloatArray, IntArray]:
    """Standard deviation over the last ``hours`` (in the channel's own units) and the window in slots.

    Values are centred and scaled per channel before summing (see windows.py), then scaled back."""
    windows = slots_per(hours, grid)
    safe_scale = np.where(scale > 0, scale, 1.0)
    z = (x - centre[grid.sid]) / safe_scale[grid.sid]
    by_window: dict[int, FloatArray] = {}
    for window in np.unique(windows):
        if window < 3:
            continue
        _, std, _ = rolling_mean_std(z, int(window), grid.pos, int(np.ceil(min_coverage * window)))
        by_window[int(window)] = std
    return per_channel_window(by_window, windows, grid) * safe_scale[grid.sid], windows


def _sample(index: IntArray) -> IntArray:
    if index.size <= SAMPLE_VALUES:
        return index
    return index[:: int(np.ceil(index.size / SAMPLE_VALUES))]


def _per_channel_medians(values: FloatArray, grid: Grid, name: str) -> pl.DataFrame:
    index = _sample(np.flatnonzero(np.isfinite(values)))
    frame = pl.DataFrame({"sid": grid.sid[index], name: values[index]})
    return frame.group_by("sid").agg(pl.col(name).median())


def _per_channel_quantile(values: FloatArray, grid: Grid, name: str, quantile: float) -> pl.DataFrame:
    index = _sample(np.flatnonzero(np.isfinite(values)))
    frame = pl.DataFrame({"sid": grid.sid[index], name: values[index]})
    return frame.group_by("sid").agg(pl.col(name).quantile(quantile, interpolation="linear"))


def _ratio(numerator: IntArray, denominator: IntArray) -> FloatArray:
    return (numerator + 0.5) / (denominator + 1.0)


def channel_baselines(
    grid: Grid, options: ScanOptions | None = None, *, limits: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per channel of ``grid`` (columns in the module docstring)."""
    from envplan.screening.detectors.level import step_statistic

    options = options or ScanOptions()
    channels = grid.channels.select("sid", *KEY)
    count = channels.height
    if count == 0:
        return channels.drop("sid")
    x = grid.valid()
    finite = np.isfinite(x)
    sid = grid.sid
    values = np.bincount(sid[finite], minlength=count)

    places = decimals(np.where(finite, x, np.nan))
    sample = _sample(np.flatnonzero(finite))
    per_value = pl.DataFrame({"sid": sid[sample], "x": x[sample], "places": places[sample]})
    quantiles = per_value.group_by("sid").agg(
        pl.col("places").median().alias("places"),
        pl.col("x").median().alias("median"),
        *[
            pl.col("x").quantile(q, interpolation="linear").alias(f"p{round(q * 100):02d}")
            for q in PERCENTILES
        ],
        pl.col("x").filter(pl.col("x") >= 0.2 * pl.col("x").quantile(0.95)).median().alias("running_median"),
    )
    summary = channels.join(quantiles, on="sid", how="left").sort("sid")
    resolution = 10.0 ** -summary.get_column("places").fill_null(0).to_numpy().astype(np.float64)

    # Still steps after a moving step: FlatLine's own rate.
    previous = lag(x, 1, grid.pos)
    change = np.abs(x - previous)
    paired = np.isfinite(change)
    still = paired & (change <= options.flat_line.tolerance_steps * resolution[sid] + 1e-12)
    before = lag(np.where(paired, still.astype(np.float64), np.nan), 1, grid.pos)
    moving_before = before == 0.0
    p_still = _ratio(
        np.bincount(sid[still & moving_before], minlength=count),
        np.bincount(sid[moving_before], minlength=count),
    )
    moving = paired & (change > 0)
    changes = _per_channel_medians(np.where(moving, change, np.nan), grid, "median_change")

    median = summary.get_column("median").fill_null(np.nan).to_numpy()
    iqr = (summary.get_column("p75") - summary.get_column("p25")).fill_null(np.nan).to_numpy()
    scale = np.where(np.isfinite(iqr) & (iqr > 0), iqr, np.maximum(np.abs(np.nan_to_num(median)), 1.0))
    centre = np.nan_to_num(median)
    spreads = []
    for hours in options.variance_collapse.window_hours:
        spread, _ = rolling_spread(x, grid, hours, options.variance_collapse.min_coverage, centre, scale)
        spreads.append(_per_channel_medians(spread, grid, f"spread_{_hours(hours)}h"))
    peers = options.variance_collapse_peers
    peer_spread, _ = rolling_spread(x, grid, peers.window_hours, peers.min_coverage, centre, scale)
    relative = _per_channel_medians(peer_spread, grid, "relative_spread")

    steps = [
        _per_channel_quantile(
            np.abs(step_statistic(grid, x, hours, options.level_shift.min_coverage, summary)),
            grid,
            f"step_scale_{_hours(hours)}h",
            0.95,
        )
        for hours in options.level_shift.window_hours
    ]

    present = grid.flag != 0
    marked = np.isin(grid.flag, list(INVALIDATING))
    marked_share = _ratio(
        np.bincount(sid[marked], minlength=count), np.bincount(sid[present], minlength=count)
    )

    digit = np.where(finite, np.mod(np.round(np.where(finite, x, 0.0) / resolution[sid]), 10), -1).astype(
        np.int64
    )
    digit_counts = {
        f"digit_{d}": np.bincount(sid[digit == d], minlength=count).astype(np.int64) for d in range(10)
    }

    result = summary.with_columns(
        pl.Series("values", values.astype(np.int64)),
        pl.Series("resolution", resolution),
        pl.Series("p_still", p_still),
        pl.Series("marked_share", marked_share),
        *[pl.Series(name, counts) for name, counts in digit_counts.items()],
    )
    for extra in (changes, *spreads, relative, *steps):
        result = result.join(extra, on="sid", how="left")
    median_level = pl.col("median").abs()
    result = result.with_columns(
        pl.when(median_level > 0).then(pl.col("relative_spread") / median_level).alias("relative_spread")
    )
    result = result.join(_near_limit(grid, x, options, limits, summary), on="sid", how="left")
    return result.sort("sid").drop("sid", "places")


def _hours(hours: float) -> str:
    return f"{hours:g}"


def _near_limit(
    grid: Grid, x: FloatArray, options: ScanOptions, limits: pl.DataFrame | None, summary: pl.DataFrame
) -> pl.DataFrame:
    """Counts near the limit, and the share of high values that are marked (limit or p90)."""
    count = grid.channels.height
    limit = _limit_per_channel(grid, limits)
    high_level = np.where(np.isfinite(limit), limit, summary.get_column("p90").fill_null(np.nan).to_numpy())
    band = options.limit_hugging.band
    per_slot = limit[grid.sid]
    finite = np.isfinite(x) & np.isfinite(per_slot)
    near = finite & (x >= per_slot * (1 - band))
    above = near & (x >= per_slot)
    sid = grid.sid
    value = np.where(np.isfinite(grid.value), grid.value, np.nan)
    high = np.isfinite(value) & (value >= high_level[sid])
    marked = np.isin(grid.flag, list(INVALIDATING))
    return pl.DataFrame(
        {
            "sid": np.arange(count, dtype=np.int32),
            "near_limit": np.bincount(sid[near], minlength=count).astype(np.int64),
            "near_above": np.bincount(sid[above], minlength=count).astype(np.int64),
            "high_marked_share": _ratio(
                np.bincount(sid[high & marked], minlength=count), np.bincount(sid[high], minlength=count)
            ),
        }
    )


def _limit_per_channel(grid: Grid, limits: pl.DataFrame | None) -> FloatArray:
    if limits is None or limits.height == 0:
        return np.full(grid.channels.height, np.nan)
    keyed = grid.channels.select("sid", "mn", "factor", "field").join(
        limits.select("mn", "factor", "field", "limit").unique(["mn", "factor", "field"], keep="last"),
        on=["mn", "factor", "field"],
        how="left",
    )
    return keyed.sort("sid").get_column("limit").fill_null(np.nan).to_numpy().astype(np.float64)


def industry_baselines(baselines: pl.DataFrame, outlets: pl.DataFrame | None) -> pl.DataFrame:
    """Median relative spread per industry, kind, factor and field, and the number of outlets behind it."""
    schema = {
        "industry": pl.String(),
        "kind": pl.String(),
        "factor": pl.String(),
        "field": pl.String(),
        "peer_relative_spread": pl.Float64(),
        "peers": pl.Int64(),
    }
    if outlets is None or outlets.height == 0 or baselines.height == 0:
        return pl.DataFrame(schema=schema)
    industries = outlets.select(list(OUTLETS_SCHEMA)).unique("mn", keep="last")
    return (
        baselines.join(industries, on="mn")
        .filter(pl.col("relative_spread").is_finite())
        .group_by("industry", "kind", "factor", "field")
        .agg(
            pl.col("relative_spread").median().alias("peer_relative_spread"),
            pl.col("mn").n_unique().cast(pl.Int64).alias("peers"),
        )
        .cast(pl.Schema(schema))
    )


def aligned(grid: Grid, baselines: pl.DataFrame) -> pl.DataFrame:
    """The baseline row of each channel of ``grid``, in sid order (nulls where a channel has none)."""
    return grid.channels.select("sid", *KEY).join(baselines, on=list(KEY), how="left").sort("sid")
