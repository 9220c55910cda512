"""limit_hugging: values bunched just under the limit, with too few at or above it (or a hard cap).

Sources: the density-discontinuity test at a regulatory cut-off (McCrary 2008), applied to reported air
quality by Ghanem & Zhang 2014 (JEEM 68(2), discontinuity at the "blue-sky" cut-off in about half of
the cities); the "flat top near the limit" of the unofficial rule lists; bunching estimators as the
reference detector for recipe D (screening reference §4 and §3.3: the share of hourly values in
[0.8-0.9 L, L) together with a test at L). Needs the limit of the channel.

Among the values within LimitHugging.band of the limit over a window, the number at or above the limit is
compared with what the channel usually shows (its baseline share, shrunk towards a prior when the
baseline has few values near the limit). The Chernoff bound exp(-n KL(k/n || r)) bounds the binomial
lower tail; its -log10 is the surprise.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from envplan.screening.detectors import Context
from envplan.screening.grid import FloatArray, Grid
from envplan.screening.model import channel_label, empty_findings
from envplan.screening.spans import best_in_spans, episodes, surprise_score, to_findings
from envplan.screening.surprise import lower_tail_surprise
from envplan.screening.wording import duration, moment, number, percent


def limit_hugging(context: Context) -> pl.DataFrame:
    parameters = context.options.limit_hugging
    grid, features = context.grid, context.features
    with_limit = np.isfinite(context.limit) & (context.limit > 0)
    if not with_limit.any():
        return empty_findings()
    buckets = features.buckets("limited", with_limit)
    slots = buckets.slots
    x = slots.gather(context.x)
    limit_per_slot = context.limit[slots.sid]
    band = parameters.band
    with np.errstate(invalid="ignore"):
        near = np.isfinite(x) & (x >= limit_per_slot * (1 - band))
        above = near & (x >= limit_per_slot)
    near_counts = buckets.counts(near).astype(np.float64)
    above_counts = buckets.counts(above).astype(np.float64)
    prior = parameters.prior_share * parameters.prior_weight
    usual = (np.nan_to_num(context.column("near_above")) + prior) / (
        np.nan_to_num(context.column("near_limit")) + parameters.prior_weight
    )
    rate = usual[buckets.sid]
    cover = np.zeros(buckets.count, dtype=bool)
    chosen: list[np.ndarray] = []
    tables: list[dict[str, np.ndarray]] = []
    for hours in parameters.window_hours:
        span = np.full(buckets.count, max(round(hours / 24.0), 1), dtype=np.int64)
        trials = buckets.rolling(near_counts, span)
        hits = buckets.rolling(above_counts, span)
        surprise = lower_tail_surprise(hits, trials, rate)
        # Whole windows only: the first days of a series are too few to judge a distribution by.
        whole = buckets.used(span) == span
        flagged = whole & (trials >= parameters.min_near) & (surprise >= parameters.min_surprise)
        cover |= buckets.cover(flagged, span)
        picked = np.flatnonzero(flagged)
        chosen.append(picked)
        tables.append(
            {
                "surprise": surprise[picked],
                "near": trials[picked],
                "above": hits[picked],
                "rate": rate[picked],
                "limit": context.limit[buckets.sid[picked]],
                "end_slot": buckets.last_pos[picked].astype(np.float64),
                "hours": np.full(picked.size, hours),
            }
        )
    picked = np.concatenate(chosen)
    table = {name: np.concatenate([part[name] for part in tables]) for name in tables[0]}
    ends = grid.offsets[buckets.sid[picked]] + buckets.last_pos[picked]
    spans = best_in_spans(
        episodes(buckets.to_slots(cover, grid), grid), grid, ends, table, by="surprise", descending=True
    )
    below = np.zeros(grid.size, dtype=bool)
    below[slots.index] = near & ~above
    spans = spans.join(_caps(spans, grid, context.x, below), on=["sid", "first"], how="left")
    cap = pl.format(
        "; {} occurs {} times just under the limit", number(pl.col("cap_value"), 4), pl.col("cap_count")
    )
    explanation = pl.format(
        "{}: in the {} to {}, {} values lay at or above {} below the limit {} but only {} at or above "
        "the limit itself ({}), where this outlet usually has {} of such values at or above the limit{}.",
        channel_label(),
        duration(pl.col("hours") * 3_600_000.0 / pl.col("step"), pl.col("step")),
        moment(pl.col("t0") + pl.col("end_slot").cast(pl.Int64) * pl.col("step")),
        pl.col("near").cast(pl.Int64),
        percent(pl.lit(band)),
        number(pl.col("limit"), 3),
        pl.col("above").cast(pl.Int64),
        percent(pl.col("above") / pl.col("near")),
        percent(pl.col("rate")),
        pl.when(pl.col("cap_count") >= 3).then(cap).otherwise(pl.lit("")),
    )
    return to_findings(
        spans,
        grid,
        detector="limit_hugging",
        score=surprise_score(parameters),
        explanation=explanation,
        evidence=(
            "limit",
            pl.col("near").alias("near_limit"),
            pl.col("above").alias("at_or_above"),
            pl.col("rate").alias("usual_share_above"),
            "surprise",
            "cap_value",
            "cap_count",
        ),
    )


def _caps(spans: pl.DataFrame, grid: Grid, x: FloatArray, below: np.ndarray) -> pl.DataFrame:
    """The commonest value just under the limit inside each span, and how often it occurs."""
    schema = {"sid": pl.Int32, "first": pl.Int64, "cap_value": pl.Float64, "cap_count": pl.Int64}
    if spans.height == 0:
        return pl.DataFrame(schema=schema)
    index = np.flatnonzero(below)
    starts = grid.offsets[spans.get_column("sid").to_numpy()] + spans.get_column("first").to_numpy()
    ends = grid.offsets[spans.get_column("sid").to_numpy()] + spans.get_column("last").to_numpy()
    span = np.searchsorted(starts, index, side="right") - 1
    inside = (span >= 0) & (index <= ends[np.maximum(span, 0)])
    values = pl.DataFrame({"span": span[inside], "value": x[index[inside]]})
    commonest = (
        values.group_by("span", "value")
        .len()
        .sort("len", "value", descending=[True, False])
        .group_by("span", maintain_order=True)
        .first()
    )
    keys = spans.select("sid", "first").with_row_index("span").with_columns(pl.col("span").cast(pl.Int64))
    return (
        keys.join(commonest.with_columns(pl.col("span").cast(pl.Int64)), on="span", how="left")
        .select(
            "sid",
            "first",
            pl.col("value").alias("cap_value"),
            pl.col("len").cast(pl.Int64).alias("cap_count"),
        )
        .cast(pl.Schema(schema))
    )
