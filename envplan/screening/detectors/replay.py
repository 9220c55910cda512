"""replay: a window of values that repeats an earlier window of the same channel, exactly or shifted.

Sources: the Shanghai 2023 case (the same frozen pattern every day), "preset data packets" and "the same
value at the same time every day" in the unofficial rule lists, and subsequence matching as the
reference detector for recipe C (screening reference §4). The test compares changes from one slot to
the next, not levels, so a copy that was moved up or down, scaled by a few per cent or given noise of
one resolution step is still found; flat stretches carry no information and never match.

Searching every lag would cost a pass over the data per lag. Instead, windows of ``window_slots``
changes starting every ``phase_slots`` slots get a fingerprint: which of their changes are the
``fingerprint_size`` largest, and their signs (a copy keeps both, whatever its scale or offset). Windows
of one channel with the same fingerprint, at most ``max_lag_days`` apart, are candidate pairs; a pair is
a copy when the changes match one by one (Replay: ``match_share`` of at least ``min_informative``
informative changes). Copies at lags that are a multiple of the phase (6 hours for hourly data, so any
number of days) are found; a window whose fingerprint is ambiguous (its last chosen change hardly
larger than the next) is left out on both sides alike.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from envplan.screening.detectors import Context
from envplan.screening.detectors.flat import HELD_ROLES
from envplan.screening.grid import Grid
from envplan.screening.model import MEASURED_FIELDS, channel_label, empty_findings
from envplan.screening.spans import best_in_spans, episodes, ramp, to_findings
from envplan.screening.windows import lag
from envplan.screening.wording import duration, moment, number


def replay(context: Context) -> pl.DataFrame:
    parameters = context.options.replay
    grid, x = context.grid, context.x
    size = parameters.window_slots
    chosen = parameters.fingerprint_size
    # As for held values, load and flue-gas temperature are left out: a plant run to a daily schedule
    # repeats its load honestly.
    chosen_channels = (
        grid.channels.select(
            (pl.col("field").is_in(MEASURED_FIELDS) & pl.col("role").is_in(HELD_ROLES)).fill_null(False)
        )
        .to_series()
        .to_numpy()
        .astype(bool)
    )
    change = np.where(grid.expand(chosen_channels), x - lag(x, 1, grid.pos), np.nan)
    resolution = context.column("resolution")
    least = np.maximum(
        parameters.informative_steps * resolution,
        parameters.informative_share * np.nan_to_num(context.column("median_change")),
    )
    # Window starts: every phase_slots slots, windows wholly inside their channel.
    phase = parameters.phase_slots
    counts = np.where(chosen_channels & (grid.lengths >= size), (grid.lengths - size) // phase + 1, 0)
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    starts = np.repeat(grid.offsets, counts) + within * phase
    if starts.size == 0:
        return empty_findings()
    raw = change[starts[:, None] + np.arange(size)]
    magnitude = np.abs(raw)
    magnitude[~np.isfinite(magnitude)] = -1.0
    window_least = least[grid.sid[starts]]
    # A window is clear only when its chosen-th largest change is informative, so at least that many of
    # its changes must be: the others need no sorting.
    sortable = np.flatnonzero((magnitude > window_least[:, None]).sum(axis=1) >= chosen)
    order = np.argsort(-magnitude[sortable], axis=1, kind="stable")
    top = np.take_along_axis(magnitude[sortable], order[:, : chosen + 1], axis=1)
    last, following = top[:, chosen - 1], top[:, chosen]
    clear_rows = (last > window_least[sortable]) & (last - following >= parameters.fingerprint_margin * last)
    positions = order[clear_rows, :chosen]
    signs = np.take_along_axis(raw[sortable[clear_rows]], positions, axis=1) > 0
    mask = (np.left_shift(1, positions).sum(axis=1)).astype(np.int64)
    code = mask * (1 << chosen) + (signs * (1 << np.arange(chosen))).sum(axis=1)
    clear_starts = starts[sortable[clear_rows]]
    windows = pl.DataFrame({"sid": grid.sid[clear_starts], "code": code, "start": clear_starts})
    step = grid.channels.get_column("step").to_numpy()
    max_lag = np.round(parameters.max_lag_days * 86_400_000.0 / step).astype(np.int64)
    reach = pl.DataFrame({"sid": grid.channels.get_column("sid"), "max_lag": max_lag})
    pairs = (
        windows.join(windows, on=["sid", "code"], suffix="_earlier")
        .with_columns((pl.col("start") - pl.col("start_earlier")).alias("lag"))
        .join(reach, on="sid")
        .filter((pl.col("lag") > 0) & (pl.col("lag") <= pl.col("max_lag")))
    )
    if pairs.height == 0:
        return empty_findings()
    later = pairs.get_column("start").to_numpy()[:, None] + np.arange(size)
    earlier = pairs.get_column("start_earlier").to_numpy()[:, None] + np.arange(size)
    now, before = change[later], change[earlier]
    pair_sid = grid.sid[later[:, 0]]
    informative = np.isfinite(now) & np.isfinite(before) & (np.abs(before) > least[pair_sid][:, None])
    matched = informative & (
        np.abs(now - before)
        <= parameters.tolerance_steps * resolution[pair_sid][:, None]
        + parameters.relative_tolerance * np.abs(before)
    )
    counted = informative.sum(axis=1)
    hits = matched.sum(axis=1)
    copies = (counted >= parameters.min_informative) & (hits >= parameters.match_share * counted)
    if not copies.any():
        return empty_findings()
    copied = np.zeros(grid.size, dtype=bool)
    copied[later[copies].ravel()] = True
    first_slots = later[copies][:, 0]
    spans = episodes(copied, grid, merge_gap=parameters.window_slots)
    step_per_pair = step[grid.sid[first_slots]]
    spans = best_in_spans(
        spans,
        grid,
        first_slots,
        {
            "lag_hours": pairs.get_column("lag").to_numpy()[copies] * step_per_pair / 3_600_000.0,
            "matched": hits[copies].astype(np.float64),
            "informative": counted[copies].astype(np.float64),
        },
        by="matched",
        descending=True,
    )
    totals = _pair_totals(spans, grid, first_slots, hits[copies], counted[copies])
    spans = spans.with_columns(totals)
    lag_text = (
        pl.when(pl.col("lag_hours") % 24.0 == 0.0)
        .then(pl.format("{} days", number(pl.col("lag_hours") / 24.0, 0)))
        .otherwise(pl.format("{} h", number(pl.col("lag_hours"), 0)))
    )
    explanation = pl.format(
        "{} from {} to {} ({}) repeats the values of {} earlier: {} of {} changes from one value to the "
        "next are the same within {} % (a copied, shifted or rescaled segment).",
        channel_label(),
        moment(pl.col("start_ms")),
        moment(pl.col("end_ms")),
        duration(pl.col("last") - pl.col("first") + 1, pl.col("step")),
        lag_text,
        pl.col("all_matched").cast(pl.Int64),
        pl.col("all_informative").cast(pl.Int64),
        number(pl.lit(parameters.relative_tolerance * 100.0), 0),
    )
    return to_findings(
        spans,
        grid,
        detector="replay",
        score=ramp(pl.col("all_matched"), float(parameters.min_informative), float(parameters.full_matches)),
        explanation=explanation,
        evidence=(
            "lag_hours",
            pl.col("all_matched").alias("matched"),
            pl.col("all_informative").alias("informative"),
        ),
    )


def _pair_totals(
    spans: pl.DataFrame, grid: Grid, first_slots: np.ndarray, hits: np.ndarray, counted: np.ndarray
) -> list[pl.Series]:
    """Matched and informative changes summed over the copied windows starting inside each span (windows
    overlap when copies are long, so a change may count twice; the share is what matters)."""
    starts = grid.offsets[spans.get_column("sid").to_numpy()] + spans.get_column("first").to_numpy()
    span = np.searchsorted(starts, first_slots, side="right") - 1
    matched = np.bincount(span, weights=hits, minlength=spans.height)
    informative = np.bincount(span, weights=counted, minlength=spans.height)
    return [pl.Series("all_matched", matched), pl.Series("all_informative", informative)]
