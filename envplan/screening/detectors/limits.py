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

from envplan.screening.baselines import slots_per
from envplan.screening.detectors import Context
from envplan.screening.grid import FloatArray, Grid
from envplan.screening.model import factor_label
from envplan.screening.spans import (
    best_in_spans,
    duration,
    episodes,
    moment,
    number,
    percent,
    ramp,
    to_findings,
)
from envplan.screening.windows import covered, rolling_count

LN10 = float(np.log(10.0))


def lower_tail_surprise(hits: FloatArray, trials: FloatArray, rate: FloatArray) -> FloatArray:
    """-log10 of the Chernoff bound on P(X <= hits), X ~ Binomial(trials, rate); 0 when hits >= mean."""
    share = np.where(trials > 0, hits / np.maximum(trials, 1.0), 1.0)
    return np.where(share < rate, trials * kl_bernoulli(share, rate) / LN10, 0.0)


def upper_tail_surprise(hits: FloatArray, trials: FloatArray, rate: FloatArray) -> FloatArray:
    """-log10 of the Chernoff bound on P(X >= hits), X ~ Binomial(trials, rate); 0 when hits <= mean."""
    share = np.where(trials > 0, hits / np.maximum(trials, 1.0), 0.0)
    return np.where(share > rate, trials * kl_bernoulli(share, rate) / LN10, 0.0)


def kl_bernoulli(share: FloatArray, rate: FloatArray) -> FloatArray:
    """Kullback-Leibler divergence KL(share || rate) of two Bernoulli laws (natural logarithm)."""
    rate = np.clip(rate, 1e-12, 1 - 1e-12)
    share = np.clip(share, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(share > 0, share * np.log(np.where(share > 0, share, 1.0) / rate), 0.0)
        second = np.where(
            share < 1, (1 - share) * np.log(np.where(share < 1, 1 - share, 1.0) / (1 - rate)), 0.0
        )
    return np.asarray(first + second, dtype=np.float64)


def limit_hugging(context: Context) -> pl.DataFrame:
    parameters = context.options.limit_hugging
    grid, x = context.grid, context.x
    limit = context.limit[grid.sid]
    band = parameters.band
    finite = np.isfinite(x) & np.isfinite(limit) & (limit > 0)
    near = finite & (x >= limit * (1 - band))
    above = near & (x >= limit)
    prior = parameters.prior_share * parameters.prior_weight
    usual = (np.nan_to_num(context.column("near_above")) + prior) / (
        np.nan_to_num(context.column("near_limit")) + parameters.prior_weight
    )
    rate = usual[grid.sid]
    cover = np.zeros(grid.size, dtype=bool)
    ends: list[np.ndarray] = []
    tables: list[dict[str, np.ndarray]] = []
    for hours in parameters.window_hours:
        windows = slots_per(hours, grid)
        trials = np.zeros(grid.size)
        hits = np.zeros(grid.size)
        for window in np.unique(windows):
            chosen = windows[grid.sid] == window
            trials[chosen] = rolling_count(near, int(window), grid.pos)[chosen]
            hits[chosen] = rolling_count(above, int(window), grid.pos)[chosen]
        surprise = lower_tail_surprise(hits, trials, rate)
        flagged = finite & (trials >= parameters.min_near) & (surprise >= parameters.min_surprise)
        cover |= covered(flagged, windows, grid)
        index = np.flatnonzero(flagged)
        ends.append(index)
        tables.append(
            {
                "surprise": surprise[index],
                "near": trials[index],
                "above": hits[index],
                "rate": rate[index],
                "limit": limit[index],
                "end_slot": grid.pos[index].astype(np.float64),
                "hours": np.full(index.size, hours),
            }
        )
    table = {name: np.concatenate([part[name] for part in tables]) for name in tables[0]}
    spans = best_in_spans(
        episodes(cover, grid), grid, np.concatenate(ends), table, by="surprise", descending=True
    )
    spans = spans.join(_caps(spans, grid, x, near & ~above), on=["sid", "first"], how="left")
    cap = pl.format(
        "; {} occurs {} times just under the limit", number(pl.col("cap_value"), 4), pl.col("cap_count")
    )
    explanation = pl.format(
        "{} {}: in the {} to {}, {} values lay within {} of the limit {} but only {} at or above it ({}), "
        "where this outlet usually has {} of such values at or above the limit{}.",
        factor_label(pl.col("factor")),
        pl.col("field"),
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
        score=ramp(pl.col("surprise"), parameters.min_surprise, parameters.full_surprise),
        explanation=explanation,
        evidence={
            "limit": pl.col("limit"),
            "near_limit": pl.col("near"),
            "at_or_above": pl.col("above"),
            "usual_share_above": pl.col("rate"),
            "surprise": pl.col("surprise"),
            "cap_value": pl.col("cap_value"),
            "cap_count": pl.col("cap_count"),
        },
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
