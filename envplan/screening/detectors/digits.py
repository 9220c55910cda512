"""last_digit and benford: digit tests on long series.

last_digit: values typed or made up by hand favour some last digits (0 and 5 above all); an analyser's
last digit, at its reporting resolution, keeps the same distribution month after month. A window's
last-digit counts are compared with the channel's own distribution (its history) by a chi-square test
(9 degrees of freedom; the tail by the Wilson-Hilferty approximation).

benford: first digits of values spanning several orders of magnitude follow Benford's law,
P(d) = log10(1 + 1/d) (Benford 1938; Nigrini, "Benford's Law", 2012, for the mean absolute deviation
bounds: 0.006 close, 0.012 acceptable, 0.015 marginal, above: non-conformity). Concentrations of one
outlet rarely span enough decades, so the test only runs where the 1st and 99th percentiles are at
least Benford.min_decades apart; it then covers the whole channel.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from envplan.screening.detectors import Context
from envplan.screening.features import Buckets, last_digits
from envplan.screening.grid import Grid
from envplan.screening.model import AMOUNT_FIELD, MEASURED_FIELDS, channel_label, empty_findings
from envplan.screening.spans import best_in_spans, episodes, ramp, surprise_score, to_findings
from envplan.screening.surprise import chi_square_surprise
from envplan.screening.wording import duration, moment, number, percent

BENFORD = np.log10(1.0 + 1.0 / np.arange(1, 10))


def last_digit(context: Context) -> pl.DataFrame:
    parameters = context.options.last_digit
    grid, features = context.grid, context.features
    buckets = features.buckets("pollutant")
    slots = buckets.slots
    x = slots.gather(context.x)
    finite = np.flatnonzero(np.isfinite(x))
    digit = last_digits(x[finite], context.column("resolution")[slots.sid[finite]])
    counts = np.bincount(buckets.id[finite] * 10 + digit, minlength=buckets.count * 10)
    counts = counts.reshape(buckets.count, 10).astype(np.float64)
    days = np.maximum(np.round(parameters.window_hours / 24.0), 1).astype(np.int64)
    span = np.full(buckets.count, days, dtype=np.int64)
    observed = np.column_stack([buckets.rolling(counts[:, d], span) for d in range(10)])
    total = observed.sum(axis=1)
    usual_counts = np.column_stack([np.nan_to_num(context.column(f"digit_{d}")) for d in range(10)]) + 0.5
    usual = (usual_counts / usual_counts.sum(axis=1, keepdims=True))[buckets.sid]
    expected = total[:, None] * usual
    statistic = ((observed - expected) ** 2 / np.where(expected > 0, expected, 1.0)).sum(axis=1)
    surprise = chi_square_surprise(statistic, 9)
    flagged = (total >= parameters.min_values) & (surprise >= parameters.min_surprise)
    spans = episodes(buckets.to_slots(buckets.cover(flagged, span), grid), grid)
    chosen = np.flatnonzero(flagged)
    excess = observed[chosen] - expected[chosen]
    top = np.argmax(excess, axis=1) if chosen.size else np.empty(0, dtype=np.int64)
    end_slot = _bucket_last_slot(buckets, grid)[chosen]
    spans = best_in_spans(
        spans,
        grid,
        end_slot,
        {
            "surprise": surprise[chosen],
            "values": total[chosen],
            "digit": top.astype(np.float64),
            "share": observed[chosen, top] / np.maximum(total[chosen], 1.0) if chosen.size else np.empty(0),
            "usual_share": usual[chosen, top] if chosen.size else np.empty(0),
            "end_pos": buckets.last_pos[chosen].astype(np.float64),
            "days": buckets.used(span)[chosen].astype(np.float64),
        },
        by="surprise",
        descending=True,
    )
    explanation = pl.format(
        "{}: over the {} to {}, last digit {} makes up {} of {} values against {} in this channel's "
        "history (chi-square surprise 10^-{}).",
        channel_label(),
        duration(pl.col("days") * 86_400_000.0 / pl.col("step"), pl.col("step")),
        moment(pl.col("t0") + pl.col("end_pos").cast(pl.Int64) * pl.col("step")),
        pl.col("digit").cast(pl.Int64),
        percent(pl.col("share")),
        pl.col("values").cast(pl.Int64),
        percent(pl.col("usual_share")),
        number(pl.col("surprise"), 0),
    )
    return to_findings(
        spans,
        grid,
        detector="last_digit",
        score=surprise_score(parameters),
        explanation=explanation,
        evidence=("digit", "share", "usual_share", "surprise"),
    )


def _bucket_last_slot(buckets: Buckets, grid: Grid) -> np.ndarray:
    """Grid index of each bucket's last slot."""
    return grid.offsets[buckets.sid] + buckets.last_pos


def benford(context: Context) -> pl.DataFrame:
    parameters = context.options.benford
    grid, x = context.grid, context.x
    low = context.column("p01")
    high = context.column("p99")
    with np.errstate(divide="ignore", invalid="ignore"):
        decades = np.where((low > 0) & (high > 0), np.log10(high / np.where(low > 0, low, 1.0)), 0.0)
    eligible = np.nan_to_num(decades) >= parameters.min_decades
    kinds = (
        grid.channels.select(
            (
                pl.col("field").is_in([*MEASURED_FIELDS, AMOUNT_FIELD])
                & ~pl.col("role").is_in(["state", "auxiliary"])
            ).alias("k")
        )
        .to_series()
        .to_numpy()
    )
    chosen_channels = eligible & kinds
    positive = grid.expand(chosen_channels) & np.isfinite(x) & (x > 0)
    if not positive.any():
        return empty_findings()
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.floor(x / 10.0 ** np.floor(np.log10(np.where(positive, x, 1.0))))
    first = np.clip(np.where(positive, first, 0), 0, 9).astype(np.int64)
    totals = grid.count(positive).astype(np.float64)
    shares = np.vstack([grid.count(positive & (first == d)) for d in range(1, 10)]) / np.maximum(totals, 1.0)
    mad = np.abs(shares - BENFORD[:, None]).mean(axis=0)
    flagged = chosen_channels & (totals >= parameters.min_values) & (mad > parameters.mad_threshold)
    sids = np.flatnonzero(flagged)
    if sids.size == 0:
        return empty_findings()
    spans = episodes(positive & grid.expand(flagged), grid, merge_gap=int(grid.lengths.max()))
    spans = spans.with_columns(
        pl.Series("mad", mad[spans.get_column("sid").to_numpy()]),
        pl.Series("decades", decades[spans.get_column("sid").to_numpy()]),
        pl.Series("values", totals[spans.get_column("sid").to_numpy()]),
        pl.Series("ones", shares[0][spans.get_column("sid").to_numpy()]),
    )
    explanation = pl.format(
        "{}: the first digits of {} values (spanning {} decades) depart from Benford's law: mean absolute "
        "deviation {} (non-conformity above {}), digit 1 leads {} of values against 30.1 %.",
        channel_label(),
        pl.col("values").cast(pl.Int64),
        number(pl.col("decades"), 1),
        number(pl.col("mad"), 4),
        pl.lit(f"{parameters.mad_threshold:g}"),
        percent(pl.col("ones"), 1),
    )
    return to_findings(
        spans,
        grid,
        detector="benford",
        score=ramp(pl.col("mad"), parameters.mad_threshold, parameters.full_mad),
        explanation=explanation,
        evidence=("mad", "decades", "values"),
    )
