"""Baselines: what is usual for each channel (its own history) and for each industry (its peers).

:func:`channel_baselines` summarises channels from a grid of past readings (or of the readings being
screened, when no history is given: the statistics are medians and rates that a few manipulated days
barely move). One row per channel, keyed by ``mn, kind, factor, field``:

==================  =========================================================================
column              meaning
==================  =========================================================================
values              valid (flag N) values
resolution          10 ** -(median number of decimals): the instrument's reporting step
p_still             rate of still steps (within FlatLine.tolerance) after a moving step
p_still_on          rate of a second still step after a first one (shrunk towards p_still)
median, p01 … p99   percentiles of the valid values (p01, p05, p10, p25, p75, p90, p95, p99)
running_median      median of the values above a fifth of the 95th percentile (the plant running)
median_change       median absolute change between consecutive valid values, zero changes left out
spread_<W>h         median standard deviation of log(value + c) over windows of W hours (a relative
                    spread; VarianceCollapse windows; c as in LevelShift)
relative_spread     the same over VarianceCollapsePeers windows
step_scale_<W>h     95th percentile of the absolute level-shift statistic, windows of W hours (LevelShift)
marked_share        share of present slots carrying an invalidating mark (M, C, D, F, T, S, B, P)
digit_0 … digit_9   counts of last digits at the resolution
near_limit          values within LimitHugging.band of the limit, when a limit is known
near_above          of those, values at or above the limit
high_marked_share   of the values above the limit (or p90), the share that is marked
==================  =========================================================================

:func:`industry_baselines` gives, per industry, kind, factor and field, the median relative spread of
its outlets and how many outlets it rests on.

Statistics that need sorting (percentiles, medians) come from every k-th slot of a channel, at most
``features.SAMPLE_PER_CHANNEL`` per channel; counts use every slot.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from envplan.screening.features import Features, decimals, sample_of
from envplan.screening.grid import FloatArray, Grid, IntArray
from envplan.screening.model import INVALIDATING, OUTLETS_SCHEMA
from envplan.screening.options import ScanOptions

KEY: Final = ("mn", "kind", "factor", "field")

__all__ = ["KEY", "aligned", "channel_baselines", "decimals", "industry_baselines", "slots_per"]


def slots_per(hours: float, grid: Grid) -> IntArray:
    """Window of ``hours`` in slots of each channel (at least 1)."""
    step = grid.channels.get_column("step").to_numpy().astype(np.float64)
    return np.maximum(np.round(hours * 3_600_000.0 / step), 1).astype(np.int64)


def _per_channel(
    values: FloatArray, grid: Grid, name: str, quantile: float = 0.5, sampled: np.ndarray | None = None
) -> pl.DataFrame:
    """A quantile per channel of the finite entries (from an even sample when there are many)."""
    index = sample_of(values, grid, sampled)
    frame = pl.DataFrame({"sid": grid.sid[index], name: values[index]})
    return frame.group_by("sid").agg(pl.col(name).quantile(quantile, interpolation="linear"))


def _ratio(numerator: IntArray, denominator: IntArray) -> FloatArray:
    return (numerator + 0.5) / (denominator + 1.0)


def channel_baselines(
    grid: Grid,
    options: ScanOptions | None = None,
    *,
    limits: pl.DataFrame | None = None,
    features: Features | None = None,
) -> pl.DataFrame:
    """One row per channel of ``grid`` (columns in the module docstring). ``features`` of the same grid
    may be passed so that what the detectors compute later is computed once."""
    options = options or ScanOptions()
    features = features or Features(grid, options)
    channels = grid.channels.select("sid", *KEY)
    count = channels.height
    if count == 0:
        return channels.drop("sid")
    x = features.x
    sid = grid.sid
    summary = features.summary
    resolution = features.channel("resolution")

    # Still steps after a moving step: FlatLine's own rate; and the usual size of a change.
    change = np.abs(np.diff(x, prepend=np.nan))
    change[grid.pos == 0] = np.nan
    paired = np.isfinite(change)
    changes = _per_channel(
        np.where(paired & (change > 0), change, np.nan), grid, "median_change", sampled=features.sampled
    )
    usual_change = (
        channels.select("sid").join(changes, on="sid", how="left").sort("sid").get_column("median_change")
    )
    tolerance = options.flat_line.tolerance(resolution, usual_change.fill_null(np.nan).to_numpy())
    still = paired & (change <= tolerance[sid])
    moving = paired & ~still
    # A run starts with a still step after a moving one; it goes on with a second still step. Each run
    # counts once for each rate, so a long hold (perhaps the very manipulation) barely moves them.
    after_move = np.zeros(grid.size, dtype=bool)
    after_move[1:] = moving[:-1]
    after_move &= grid.pos > 0
    first_still = np.zeros(grid.size, dtype=bool)
    first_still[1:] = still[:-1] & after_move[:-1]
    first_still &= grid.pos > 0
    starts = np.bincount(sid[still & after_move], minlength=count)
    p_still = _ratio(starts, np.bincount(sid[after_move], minlength=count))
    # Continuation, shrunk towards the start rate while few runs are known.
    weight = options.flat_line.prior_runs
    p_still_on = (np.bincount(sid[still & first_still], minlength=count) + weight * p_still) / (
        np.bincount(sid[first_still], minlength=count) + weight
    )

    spreads = []
    for hours in options.variance_collapse.window_hours:
        spread, _ = features.spread(hours, options.variance_collapse.min_coverage, log=True)
        spreads.append(_per_channel(spread, grid, f"spread_{hours:g}h", sampled=features.sampled))
    peers = options.variance_collapse_peers
    peer_spread, _ = features.spread(peers.window_hours, peers.min_coverage, log=True)
    relative = _per_channel(peer_spread, grid, "relative_spread", sampled=features.sampled)
    steps = [
        _per_channel(
            np.abs(features.step(hours, options.level_shift.min_coverage)),
            grid,
            f"step_scale_{hours:g}h",
            0.95,
        )
        for hours in options.level_shift.window_hours
    ]

    present = grid.flag != 0
    marked = np.isin(grid.flag, list(INVALIDATING))
    marked_share = _ratio(
        np.bincount(sid[marked], minlength=count), np.bincount(sid[present], minlength=count)
    )
    finite = np.isfinite(x)
    digit = np.where(finite, np.mod(np.round(np.where(finite, x, 0.0) / resolution[sid]), 10), -1).astype(
        np.int64
    )
    digit_counts = np.bincount(sid[finite] * 10 + digit[finite], minlength=count * 10).reshape(count, 10)

    result = channels.join(summary, on="sid", how="left").with_columns(
        pl.Series("p_still", p_still),
        pl.Series("p_still_on", p_still_on),
        pl.Series("marked_share", marked_share),
        *[pl.Series(f"digit_{d}", digit_counts[:, d].astype(np.int64)) for d in range(10)],
    )
    for extra in (changes, *spreads, relative, *steps):
        result = result.join(extra, on="sid", how="left")
    result = result.join(_near_limit(grid, x, options, limits, summary), on="sid", how="left")
    return result.sort("sid").drop("sid", "places")


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
