"""level_shift: an abrupt and lasting change of level that the load, flow and flue-gas temperature do not
share (an analyser's slope or span changed, a probe diluted, a back-flush aimed at the sample point).

Sources: the Hebei 2017 case of a span gas of 554 mg/m3 read as 294 (k about 0.53); slope and intercept
tampering cases; step and change-point detection on the pollutant against load as the reference
detector for recipe G (screening reference §4); EPA's control-chart screening for under-reporting
compares CO2 within one load band for the same reason.

The statistic compares the mean of a compressed level y = log(value + c) over the window after a slot
with the window before it; a natural level change is usually gradual or shared with the load, so the
step must also be abrupt (most of it within LevelShift.abrupt_hours) and the covariates steady. A fall
marks the window after the change as suspicious, a rise the window before it (the level returning).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from envplan.screening.detectors import Context
from envplan.screening.grid import FloatArray
from envplan.screening.model import MEASURED_FIELDS, channel_label
from envplan.screening.spans import best_in_spans, episodes, merge_close, ramp, to_findings
from envplan.screening.wording import moment, number, percent

COVARIATES = (("load", "load"), ("flow", "flow"), ("temperature", "flue-gas temperature"))


def _changes(context: Context, hours: float, min_step: float) -> pl.DataFrame:
    """Change points at one window length: slot, step, levels and covariate steps, as spans."""
    parameters = context.options.level_shift
    grid, features = context.grid, context.features
    step = features.step(hours, parameters.min_coverage)
    abrupt = features.step(parameters.abrupt_hours, 0.5)
    selected = context.channels_where(
        pl.col("field").is_in(MEASURED_FIELDS) & (pl.col("role") == "pollutant")
    )
    scale = np.nan_to_num(context.column(f"step_scale_{hours:g}h"))
    threshold = grid.expand(np.maximum(min_step, parameters.scale_multiple * scale))
    with np.errstate(invalid="ignore"):
        # Large steps are few: the other conditions are checked on those only.
        index = np.flatnonzero(selected & (np.abs(step) >= threshold))
        large, sudden = step[index], abrupt[index]
        index = index[
            (np.sign(sudden) == np.sign(large)) & (np.abs(sudden) >= parameters.abrupt_share * np.abs(large))
        ]
    moved: dict[str, FloatArray] = {}
    keep = np.ones(index.size, dtype=bool)
    for role, _ in COVARIATES:
        covariate_step = grid.aligned(step, grid.partner(role=role), index)
        moved[role] = covariate_step
        keep &= ~(np.isfinite(covariate_step) & (np.abs(covariate_step) > parameters.covariate_step))
    index = index[keep]
    moved = {role: values[keep] for role, values in moved.items()}
    candidate = np.zeros(grid.size, dtype=bool)
    candidate[index] = True
    spans = best_in_spans(
        episodes(candidate, grid),
        grid,
        index,
        {
            "slot": index,
            "size": np.abs(step[index]),
            **{f"moved_{role}": moved[role] for role, _ in COVARIATES},
        },
        by="size",
        descending=True,
    )
    # The change point is the slot of the largest step within each run of candidates; a fall marks the
    # window after it, a rise the window before it.
    best = spans.get_column("slot").cast(pl.Int64).to_numpy()
    window = features.slots_per(hours)[grid.sid[best]]
    change = grid.pos[best].astype(np.int64)
    fall = step[best] < 0
    first = np.where(fall, change, np.maximum(change - window, 0))
    last = np.where(fall, np.minimum(change + window - 1, grid.lengths[grid.sid[best]] - 1), change - 1)
    before, after = features.around_at(hours, parameters.min_coverage, best)
    _, offset = features.compressed()
    return pl.DataFrame(
        {
            "sid": grid.sid[best],
            "first": first,
            "last": last,
            "points": last - first + 1,
            "change": change,
            "shift": step[best],
            "hours": np.full(best.size, hours),
            "before": np.exp(before) - offset[grid.sid[best]],
            "after": np.exp(after) - offset[grid.sid[best]],
            **{f"moved_{role}": spans.get_column(f"moved_{role}").to_numpy() for role, _ in COVARIATES},
        }
    )


def level_shift(context: Context) -> pl.DataFrame:
    parameters = context.options.level_shift
    grid = context.grid
    points = pl.concat(
        [
            _changes(context, hours, min_step)
            for hours, min_step in zip(parameters.window_hours, parameters.min_steps, strict=True)
        ]
    )
    merged = merge_close(
        points,
        grid,
        hours=0.0,
        aggregations=[
            pl.col(name).sort_by(pl.col("shift").abs()).last()
            for name in (
                "change",
                "shift",
                "hours",
                "before",
                "after",
                *[f"moved_{role}" for role, _ in COVARIATES],
            )
        ],
    )
    covariate_text = [
        pl.when(pl.col(f"moved_{role}").is_not_null() & pl.col(f"moved_{role}").is_not_nan())
        .then(pl.format(", {} {}", pl.lit(label), _signed_percent(pl.col(f"moved_{role}").exp() - 1.0)))
        .otherwise(pl.lit(""))
        for role, label in COVARIATES
    ]
    has_covariate = pl.any_horizontal(
        [
            pl.col(f"moved_{role}").is_not_null() & pl.col(f"moved_{role}").is_not_nan()
            for role, _ in COVARIATES
        ]
    )
    explanation = pl.format(
        "{} {} {} at {} (from about {} over the {} h before to about {} over the {} h after){}.",
        channel_label(),
        pl.when(pl.col("shift") < 0).then(pl.lit("fell")).otherwise(pl.lit("rose")),
        percent((pl.col("after") / pl.col("before") - 1.0).abs()),
        moment(pl.col("t0") + pl.col("change") * pl.col("step")),
        number(pl.col("before"), 2),
        number(pl.col("hours"), 0),
        number(pl.col("after"), 2),
        number(pl.col("hours"), 0),
        pl.when(has_covariate)
        .then(pl.concat_str(pl.lit(" while"), *covariate_text).str.replace("while, ", "while "))
        .otherwise(pl.lit(" (no load, flow or temperature channel to compare)")),
    )
    return to_findings(
        merged,
        grid,
        detector="level_shift",
        score=ramp(pl.col("shift").abs(), min(parameters.min_steps), parameters.full_step)
        * pl.when(has_covariate).then(1.0).otherwise(0.8),
        explanation=explanation,
        evidence=(
            pl.col("shift").alias("shift_log"),
            pl.col("hours").alias("window_hours"),
            "before",
            "after",
            *(pl.col(f"moved_{role}").alias(f"{role}_shift_log") for role, _ in COVARIATES),
        ),
    )


def _signed_percent(share: pl.Expr) -> pl.Expr:
    return pl.concat_str(pl.when(share >= 0).then(pl.lit("+")).otherwise(pl.lit("")), percent(share))
