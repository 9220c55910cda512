"""Flag misuse: flag_on_exceedance, flag_share, maintenance_without_record, marks_timing.

Sources: MEE Announcement 2022 No. 21 (marking rules, in force 1 Jan 2023: data marked invalid are not
used for exceedance findings, which is what makes marks worth misusing); HJ 212-2017 Table 8 (flags N,
F, M, S, D, C, T, B) and the 75 % rule for aggregated flags; HJ 75-2017's quarterly capture-rate tiers;
flag-vs-value dependence, P(flag | x > L) against P(flag | otherwise), as the reference detector for
recipe H (screening reference §4), with its variants of marks outside working hours and more than one
calibration a day.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from envplan.screening.detectors import Context
from envplan.screening.features import Buckets
from envplan.screening.grid import BoolArray, FloatArray, Grid
from envplan.screening.model import (
    CALIBRATION,
    FLAG_NAMES,
    INVALIDATING,
    MAINTENANCE,
    MEASURED_FIELDS,
    ZONE,
    channel_label,
    empty_findings,
    invalidating,
)
from envplan.screening.spans import episodes, ramp, surprise_score, to_findings
from envplan.screening.surprise import upper_tail_surprise
from envplan.screening.wording import duration, moment, number, percent


def _marked(grid: Grid) -> BoolArray:
    return invalidating(grid.flag)


def _span_of(spans: pl.DataFrame, grid: Grid, index: np.ndarray) -> np.ndarray:
    """For slots ``index`` (sorted), the span (row of ``spans``) holding each one, or -1."""
    sid = spans.get_column("sid").to_numpy()
    start = grid.offsets[sid] + spans.get_column("first").to_numpy()
    end = grid.offsets[sid] + spans.get_column("last").to_numpy()
    span = np.searchsorted(start, index, side="right") - 1
    inside = (span >= 0) & (index <= end[np.maximum(span, 0)])
    return np.where(inside, span, -1)


def _count_in(spans: pl.DataFrame, grid: Grid, mask: BoolArray) -> np.ndarray:
    """How many True slots of ``mask`` lie inside each span (spans in grid order and apart, as
    :func:`~envplan.screening.spans.episodes` gives them: each span's stretch of the mask is summed)."""
    if spans.height == 0:
        return np.zeros(0, dtype=np.int64)
    sid = spans.get_column("sid").to_numpy()
    start = grid.offsets[sid] + spans.get_column("first").to_numpy()
    end = grid.offsets[sid] + spans.get_column("last").to_numpy()
    if np.all(start[1:] > end[:-1]):
        bounds = np.empty(2 * start.size, dtype=np.int64)
        bounds[0::2], bounds[1::2] = start, end + 1
        padded = np.append(mask, False)  # a span may end at the grid's last slot
        return np.asarray(np.add.reduceat(padded, bounds, dtype=np.int64)[0::2], dtype=np.int64)
    total = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
    return np.asarray(total[end + 1] - total[start], dtype=np.int64)


def _with_flag_mix(spans: pl.DataFrame, grid: Grid) -> pl.DataFrame:
    """Add ``mix``: the marks inside each span as text, such as `M 12, D 3`."""
    codes = sorted(INVALIDATING)
    names = [FLAG_NAMES[code] for code in codes]
    marked = np.flatnonzero(invalidating(grid.flag))
    span = _span_of(spans, grid, marked)
    which = np.searchsorted(codes, grid.flag[marked])
    inside = span >= 0
    table = np.bincount(span[inside] * len(codes) + which[inside], minlength=spans.height * len(codes))
    table = table.reshape(spans.height, len(codes))
    counts = [pl.Series(f"_{name}", table[:, column].astype(np.int64)) for column, name in enumerate(names)]
    text = pl.concat_str(
        [
            pl.when(pl.col(f"_{name}") > 0)
            .then(pl.format("{} {}, ", pl.lit(name), pl.col(f"_{name}")))
            .otherwise(pl.lit(""))
            for name in names
        ]
    ).str.strip_suffix(", ")
    return spans.with_columns(counts).with_columns(text.alias("mix")).drop([f"_{name}" for name in names])


def _estimated_values(context: Context, marked: BoolArray) -> FloatArray:
    """The reported value, or for a marked slot without one the mean of the nearest valid values of its
    channel before and after it."""
    grid = context.grid
    value = grid.value.copy()
    missing = np.flatnonzero(marked & ~np.isfinite(value))
    if missing.size == 0:
        return value
    valid = np.flatnonzero(np.isfinite(context.x))
    place = np.searchsorted(valid, missing)
    before = valid[np.maximum(place - 1, 0)] if valid.size else missing
    after = valid[np.minimum(place, valid.size - 1)] if valid.size else missing
    same_before = (place > 0) & (grid.sid[before] == grid.sid[missing])
    same_after = (place < valid.size) & (grid.sid[after] == grid.sid[missing])
    left = np.where(same_before, context.x[before], np.nan)
    right = np.where(same_after, context.x[after], np.nan)
    value[missing] = np.where(
        np.isfinite(left) & np.isfinite(right), (left + right) / 2.0, np.fmax(left, right)
    )
    return value


def _binomial_windows(
    buckets: Buckets, window_hours: float, trials: BoolArray, hits: BoolArray, rate: FloatArray
) -> tuple[np.ndarray, FloatArray, FloatArray, FloatArray]:
    """Over windows of whole days (``window_hours`` rounded, at least one) ending at each bucket: the
    window in buckets, the ``trials`` and ``hits`` counted (masks over slots), and the surprise of the
    hits against the channel's ``rate`` (per bucket)."""
    index = buckets.slots.index
    span = np.full(buckets.count, max(round(window_hours / 24.0), 1), dtype=np.int64)
    trial_count = buckets.rolling(buckets.counts(trials[index]), span)
    hit_count = buckets.rolling(buckets.counts(hits[index]), span)
    return span, trial_count, hit_count, upper_tail_surprise(hit_count, trial_count, rate)


def _flagged_spans(
    context: Context,
    buckets: Buckets,
    flagged: np.ndarray,
    span: np.ndarray,
    window_hours: float,
    marks: BoolArray,
) -> pl.DataFrame:
    """Spans of the ``marks`` inside the flagged windows; marks less than a window apart make one span."""
    region = buckets.to_slots(buckets.cover(flagged, span), context.grid)
    gap = int(context.features.slots_per(window_hours).max())
    return episodes(region & marks, context.grid, merge_gap=gap)


def _with_surprise(spans: pl.DataFrame, hits: str, trials: str, rate: str) -> pl.DataFrame:
    """The spans with the surprise of their own ``hits`` out of ``trials`` against ``rate`` (columns)."""
    surprise = upper_tail_surprise(
        spans.get_column(hits).to_numpy(),
        spans.get_column(trials).to_numpy(),
        spans.get_column(rate).to_numpy(),
    )
    return spans.with_columns(pl.Series("surprise", surprise))


def flag_on_exceedance(context: Context) -> pl.DataFrame:
    parameters = context.options.flag_on_exceedance
    grid = context.grid
    channels = grid.channels
    limited = np.isfinite(context.limit)
    # A factor with a limit is judged on its limited field(s); one without, on its measured field and p90.
    factor_has_limit = (
        channels.with_columns(pl.Series("limited", limited))
        .group_by("bid", "factor")
        .agg(pl.col("limited").any().alias("any"))
    )
    keyed = channels.join(factor_has_limit, on=["bid", "factor"], how="left", maintain_order="left")
    judged = np.where(
        keyed.get_column("any").to_numpy(),
        limited,
        keyed.get_column("field").is_in(MEASURED_FIELDS).to_numpy()
        & (keyed.get_column("role") == "pollutant").to_numpy(),
    )
    level_per_channel = np.where(limited, context.limit, context.column("p90"))
    level = grid.expand(level_per_channel)
    selected = grid.expand(judged)
    marked = _marked(grid)
    value = _estimated_values(context, marked & selected)
    with np.errstate(invalid="ignore"):
        high = selected & np.isfinite(value) & (value >= level)
    low = selected & np.isfinite(value) & ~high
    # The marking rate of the channel's other hours, over everything at hand.
    low_rate = (grid.count(low & marked) + 0.5) / (grid.count(low) + 1.0)
    buckets = context.features.buckets("flag_on_exceedance", judged)
    span, _, marked_high, surprise = _binomial_windows(
        buckets, parameters.window_hours, high, high & marked, low_rate[buckets.sid]
    )
    flagged = (marked_high >= parameters.min_marked_high) & (surprise >= parameters.min_surprise)
    spans = _flagged_spans(context, buckets, flagged, span, parameters.window_hours, high & marked)
    if spans.height == 0:
        return empty_findings()
    in_span_high = _count_in(spans, grid, high)
    in_span_marked = _count_in(spans, grid, high & marked)
    sids = spans.get_column("sid").to_numpy()
    spans = spans.with_columns(
        pl.Series("high", in_span_high.astype(np.float64)),
        pl.Series("marked_high", in_span_marked.astype(np.float64)),
        pl.Series("rate", low_rate[sids]),
        pl.Series("level", level_per_channel[sids]),
        pl.Series("has_limit", limited[sids]),
    )
    spans = _with_surprise(_with_flag_mix(spans, grid), "marked_high", "high", "rate")
    threshold = (
        pl.when(pl.col("has_limit"))
        .then(pl.format("the limit {}", number(pl.col("level"), 3)))
        .otherwise(pl.format("its 90th percentile {}", number(pl.col("level"), 3)))
    )
    explanation = pl.format(
        "{}: {} of {} hours above {} between {} and {} were marked invalid ({}), "
        "against {} of its other hours.",
        channel_label(),
        pl.col("marked_high").cast(pl.Int64),
        pl.col("high").cast(pl.Int64),
        threshold,
        moment(pl.col("start_ms")),
        moment(pl.col("end_ms")),
        pl.col("mix"),
        percent(pl.col("rate"), 1),
    )
    return to_findings(
        spans.filter(pl.col("surprise") >= parameters.min_surprise),
        grid,
        detector="flag_on_exceedance",
        score=surprise_score(parameters),
        explanation=explanation,
        evidence=(
            "marked_high",
            "high",
            pl.col("rate").alias("other_marked_rate"),
            "level",
            pl.col("mix").alias("marks"),
        ),
    )


def flag_share(context: Context) -> pl.DataFrame:
    parameters = context.options.flag_share
    grid = context.grid
    selected = context.channels_where(
        pl.col("field").is_in(MEASURED_FIELDS) & ~pl.col("role").is_in(["state", "auxiliary"])
    )
    present = selected & (grid.flag != 0)
    marked = present & _marked(grid)
    buckets = context.features.buckets("measured")
    usual = np.maximum(np.nan_to_num(context.column("marked_share")), parameters.floor_share)
    span, total, hits, surprise = _binomial_windows(
        buckets, parameters.window_hours, present, marked, usual[buckets.sid]
    )
    share = np.where(total > 0, hits / np.maximum(total, 1.0), 0.0)
    slots_in_window = context.features.slots_per(parameters.window_hours)[buckets.sid]
    flagged = (
        (total >= 0.5 * slots_in_window)
        & (share >= parameters.min_share)
        & (surprise >= parameters.min_surprise)
    )
    spans = _flagged_spans(context, buckets, flagged, span, parameters.window_hours, marked)
    if spans.height == 0:
        return empty_findings()
    sids = spans.get_column("sid").to_numpy()
    spans = (
        _with_flag_mix(spans, grid)
        .with_columns(
            pl.Series("present", _count_in(spans, grid, present).astype(np.float64)),
            pl.Series("marked", _count_in(spans, grid, marked).astype(np.float64)),
            pl.Series("usual", usual[sids]),
        )
        .with_columns((pl.col("marked") / pl.col("present")).alias("share"))
    )
    spans = _with_surprise(spans, "marked", "present", "usual")
    explanation = pl.format(
        "{}: {} of {} values between {} and {} were marked invalid ({}; {}), "
        "against {} usually at this outlet.",
        channel_label(),
        pl.col("marked").cast(pl.Int64),
        pl.col("present").cast(pl.Int64),
        moment(pl.col("start_ms")),
        moment(pl.col("end_ms")),
        percent(pl.col("share")),
        pl.col("mix"),
        percent(pl.col("usual"), 1),
    )
    return to_findings(
        spans.filter(pl.col("surprise") >= parameters.min_surprise),
        grid,
        detector="flag_share",
        score=surprise_score(parameters),
        explanation=explanation,
        evidence=("marked", "present", pl.col("usual").alias("usual_share"), pl.col("mix").alias("marks")),
    )


def _mark_runs(context: Context, code: int) -> pl.DataFrame:
    """Runs of one mark on the measured channels, with local start and end times."""
    grid = context.grid
    selected = context.channels_where(
        pl.col("field").is_in(MEASURED_FIELDS) & ~pl.col("role").is_in(["state", "auxiliary"])
    )
    runs = episodes(selected & (grid.flag == code), grid)
    return runs.join(
        grid.channels.select("sid", "mn", "factor", "t0", "step"), on="sid", how="left"
    ).with_columns(
        (pl.col("t0") + pl.col("first") * pl.col("step"))
        .cast(pl.Datetime("ms", "UTC"))
        .dt.convert_time_zone(ZONE)
        .alias("start"),
        (pl.col("t0") + pl.col("last") * pl.col("step"))
        .cast(pl.Datetime("ms", "UTC"))
        .dt.convert_time_zone(ZONE)
        .alias("end"),
    )


def maintenance_without_record(context: Context) -> pl.DataFrame:
    parameters = context.options.maintenance_without_record
    records = context.maintenance
    if records is None:
        return empty_findings()
    grid = context.grid
    runs = (
        _mark_runs(context, MAINTENANCE)
        .filter(pl.col("points") >= parameters.min_points)
        .with_row_index("run")
    )
    if runs.height == 0:
        return empty_findings()
    overlapping = (
        runs.select("run", "mn", "factor", "start", "end")
        .join(
            records.rename({"factor": "record_factor", "start": "record_start", "end": "record_end"}), on="mn"
        )
        .filter(
            (pl.col("record_factor").is_null() | (pl.col("record_factor") == pl.col("factor")))
            & (pl.col("record_start") <= pl.col("end") + pl.duration(hours=1))
            & (pl.col("record_end") >= pl.col("start"))
        )
        .select("run")
        .unique()
    )
    unrecorded = runs.join(overlapping, on="run", how="anti").drop(
        "run", "mn", "factor", "t0", "step", "start", "end"
    )
    hours = pl.col("points").cast(pl.Float64) * pl.col("step").cast(pl.Float64) / 3_600_000.0
    explanation = pl.format(
        "{} was marked maintenance (M) for {} from {} to {}, "
        "but no maintenance record of this outlet covers that time.",
        channel_label(),
        duration(pl.col("points"), pl.col("step")),
        moment(pl.col("start_ms")),
        moment(pl.col("end_ms")),
    )
    return to_findings(
        unrecorded,
        grid,
        detector="maintenance_without_record",
        score=ramp(hours, 0.0, parameters.full_hours),
        explanation=explanation,
        evidence=(hours.alias("hours"),),
    )


def marks_timing(context: Context) -> pl.DataFrame:
    parameters = context.options.marks_timing
    grid = context.grid
    opening, closing = parameters.working_hours
    night = (
        _mark_runs(context, MAINTENANCE)
        .filter((pl.col("start").dt.hour() < opening) | (pl.col("start").dt.hour() >= closing))
        .drop("mn", "factor", "t0", "step", "start", "end")
    )
    hours = pl.col("points").cast(pl.Float64) * pl.col("step").cast(pl.Float64) / 3_600_000.0
    off_hours = to_findings(
        night,
        grid,
        detector="marks_timing",
        score=0.55 + 0.2 * (hours / 8.0).clip(0.0, 1.0),
        explanation=pl.format(
            "{} was marked maintenance (M) from {} to {} (local time), outside working hours {}:00-{}:00.",
            channel_label(),
            moment(pl.col("start_ms")),
            moment(pl.col("end_ms")),
            pl.lit(f"{opening:02d}"),
            pl.lit(f"{closing:02d}"),
        ),
        evidence=(hours.alias("hours"),),
    )
    calibrations = _mark_runs(context, CALIBRATION).with_columns(pl.col("start").dt.date().alias("day"))
    busy = (
        calibrations.group_by("sid", "day")
        .agg(
            pl.col("first").min(),
            pl.col("last").max(),
            pl.col("points").sum(),
            pl.len().alias("calibrations"),
            pl.col("start").dt.strftime("%H:%M").sort().str.join(", ").alias("times"),
        )
        .filter(pl.col("calibrations") > parameters.max_calibrations_per_day)
        .sort("sid", "first")
    )
    repeats = to_findings(
        busy,
        grid,
        detector="marks_timing",
        score=(0.5 + 0.1 * (pl.col("calibrations") - parameters.max_calibrations_per_day)).clip(0.5, 0.9),
        explanation=pl.format(
            "{} was marked calibration (C) {} times on {} (at {}), more than {} a day.",
            channel_label(),
            pl.col("calibrations"),
            pl.col("day").cast(pl.String),
            pl.col("times"),
            pl.lit(str(parameters.max_calibrations_per_day)),
        ),
        evidence=("calibrations",),
    )
    return pl.concat([off_hours, repeats])
