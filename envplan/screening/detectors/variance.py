"""variance_collapse and variance_collapse_peers: a series that varies far less than it usually does,
or far less than the same factor at outlets of the same industry.

Sources: the Chinese on-site inspection checklist (items 19-23: "small fluctuation around a fixed value
for a long time", "variation within 2 % of the span for a long time"); the Guangxi 2022 case of long-term
stable low effluent values; rolling-variance ratios as the reference detector for recipe B (screening
reference §4). The ratio is taken against the channel's own usual spread in windows of the same length
(its history), and relaxed when the outlet's load, flow or flue-gas temperature was itself unusually
steady, since a steady plant can give a steady pollutant.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from envplan.screening.detectors import Context
from envplan.screening.grid import FloatArray, IntArray
from envplan.screening.model import MEASURED_FIELDS, channel_label
from envplan.screening.spans import best_in_spans, episodes, ramp, to_findings
from envplan.screening.windows import covered
from envplan.screening.wording import duration, number, percent

COVARIATE_ROLES = ("load", "flow", "temperature")  # in the order a covariate is chosen


def _pollutants(context: Context) -> np.ndarray:
    return context.channels_where(pl.col("field").is_in(MEASURED_FIELDS) & (pl.col("role") == "pollutant"))


def covariate_ratio(
    context: Context, own_ratio: FloatArray, index: IntArray
) -> tuple[FloatArray, FloatArray]:
    """At the slots ``index``: the ratio (spread over its usual spread) of the outlet's first covariate
    (load, flow, flue-gas temperature) at the same time, and which covariate (index in COVARIATE_ROLES,
    NaN if none). ``own_ratio`` holds that ratio for every slot of every channel."""
    grid = context.grid
    result = np.full(index.size, np.nan)
    which = np.full(index.size, np.nan)
    for number_, role in enumerate(COVARIATE_ROLES):
        values = grid.aligned(own_ratio, grid.partner(role=role), index)
        fill = np.isnan(result) & np.isfinite(values)
        result[fill] = values[fill]
        which[fill] = number_
    return result, which


def variance_collapse(context: Context) -> pl.DataFrame:
    parameters = context.options.variance_collapse
    grid, features = context.grid, context.features
    selected = _pollutants(context)
    cover = np.zeros(grid.size, dtype=bool)
    ends: list[np.ndarray] = []
    tables: list[dict[str, np.ndarray]] = []
    for hours, threshold in zip(parameters.window_hours, parameters.ratio_thresholds, strict=True):
        # Relative spreads (of log(value + c)): a factor that varies in proportion to its level, as CO
        # does, is not called flat when its level is low.
        spread, windows = features.spread(hours, parameters.min_coverage, log=True)
        usual = context.per_slot(f"spread_{hours:g}h")
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = spread / usual
        # Only slots already below the threshold can become findings (the relief only raises ratios).
        candidates = np.flatnonzero(selected & (ratio < threshold))
        steady, which = covariate_ratio(context, ratio, candidates)
        relief = np.where(np.isfinite(steady), np.clip(steady, parameters.covariate_floor, 1.0), 1.0)
        adjusted = ratio[candidates] / relief
        keep = adjusted < threshold
        index = candidates[keep]
        flagged = np.zeros(grid.size, dtype=bool)
        flagged[index] = True
        cover |= covered(flagged, windows, grid)
        ends.append(index)
        tables.append(
            {
                "ratio": adjusted[keep],
                "raw_ratio": ratio[index],
                "spread": features.spread_at(hours, index),
                "covariate_ratio": steady[keep],
                "covariate": which[keep],
                "hours": np.full(index.size, hours),
                "threshold": np.full(index.size, threshold),
                "mean": features.window_mean_at(hours, index),
            }
        )
    spans = episodes(cover, grid)
    index = np.concatenate(ends)
    table = {name: np.concatenate([t[name] for t in tables]) for name in tables[0]}
    spans = best_in_spans(spans, grid, index, table, by="ratio")
    covariate_name = (
        pl.col("covariate")
        .cast(pl.Int64)
        .replace_strict(
            dict(enumerate(("load", "flow", "flue-gas temperature"))), default=None, return_dtype=pl.String
        )
    )
    steady_text = pl.format(
        "; the outlet's {} varied at {} of its usual",
        covariate_name,
        percent(pl.col("covariate_ratio")),
    )
    explanation = pl.format(
        "{} varied by {} (standard deviation over {} h, mean {}) for {}: its relative variation "
        "was {} of its usual at this outlet{}.",
        channel_label(),
        number(pl.col("spread"), 3),
        number(pl.col("hours"), 0),
        number(pl.col("mean"), 2),
        duration(pl.col("last") - pl.col("first") + 1, pl.col("step")),
        percent(pl.col("raw_ratio"), 1),
        pl.when(pl.col("covariate").is_not_null()).then(steady_text).otherwise(pl.lit("")),
    )
    return to_findings(
        spans,
        grid,
        detector="variance_collapse",
        score=ramp(pl.col("ratio"), pl.col("threshold"), parameters.full_ratio),
        explanation=explanation,
        evidence=(
            "spread",
            pl.col("raw_ratio").alias("relative_spread_ratio"),
            "covariate_ratio",
            pl.col("hours").alias("window_hours"),
        ),
    )


def variance_collapse_peers(context: Context) -> pl.DataFrame:
    parameters = context.options.variance_collapse_peers
    grid = context.grid
    selected = _pollutants(context)
    # The standard deviation of log(value + c): the variation relative to the level.
    relative, windows = context.features.spread(parameters.window_hours, parameters.min_coverage, log=True)
    peers = grid.expand(context.peer_spread)
    enough = grid.expand(context.peer_count >= parameters.min_peers)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = relative / peers
    flagged = (
        selected
        & enough
        & np.isfinite(ratio)
        & (ratio < parameters.ratio_threshold)
        & grid.expand(windows >= 3)
    )
    spans = episodes(covered(flagged, windows, grid), grid)
    index = np.flatnonzero(flagged)
    spans = best_in_spans(
        spans,
        grid,
        index,
        {
            "ratio": ratio[index],
            "relative": relative[index],
            "peer": peers[index],
            "peers": context.peer_count[grid.sid[index]],
        },
        by="ratio",
    )
    explanation = pl.format(
        "{} varied by about {} of its level (over {} h windows) for {}, "
        "against {} typical of {} outlets of its industry.",
        channel_label(),
        percent(pl.col("relative"), 2),
        number(pl.lit(parameters.window_hours), 0),
        duration(pl.col("last") - pl.col("first") + 1, pl.col("step")),
        percent(pl.col("peer"), 2),
        pl.col("peers").cast(pl.Int64),
    )
    return to_findings(
        spans,
        grid,
        detector="variance_collapse_peers",
        score=ramp(pl.col("ratio"), parameters.ratio_threshold, parameters.full_ratio),
        explanation=explanation,
        evidence=(
            pl.col("relative").alias("relative_spread"),
            pl.col("peer").alias("peer_relative_spread"),
            "peers",
        ),
    )
