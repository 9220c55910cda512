"""oxygen_dilution: O2 outside its usual range while the measured concentration falls.

Sources: the MEP 2017 inspection notices on Hebei (ambient air drawn in before the induced-draft fan,
nitrogen fed near the CEMS sampling point); the Henan monitoring centre's screening by the coupling of
flue temperature, O2 and the excess-air coefficient (Yang Xianfeng 2022); the CRAES patent (alarm when
O2 exceeds the outlet's 90th percentile, O2 against pollutant); EPA's control chart of the diluent at a
fixed load for probe leaks (screening reference §2.2). Air dilution by a share a gives
C' = (1 - a) C and O2' = (1 - a) O2 + 20.9 a: the measured concentration falls and O2 rises (the converted
value stays about the same, so the signature is in O2); inert-gas dilution lowers both.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from envplan.screening.baselines import slots_per
from envplan.screening.detectors import Context
from envplan.screening.grid import FloatArray, Grid
from envplan.screening.model import CONVERTED_FIELDS, MEASURED_FIELDS, factor_label
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
from envplan.screening.windows import covered, rolling_mean_std


def window_means(x: FloatArray, grid: Grid, hours: float, coverage: float) -> tuple[FloatArray, np.ndarray]:
    """Mean of the finite values over the window ending at each slot (channel windows), and the windows."""
    windows = slots_per(hours, grid)
    result = np.full(grid.size, np.nan)
    for window in np.unique(windows):
        mean, _, _ = rolling_mean_std(x, int(window), grid.pos, max(int(np.ceil(coverage * window)), 1))
        chosen = windows[grid.sid] == window
        result[chosen] = mean[chosen]
    return result, windows


def oxygen_dilution(context: Context) -> pl.DataFrame:
    parameters = context.options.oxygen_dilution
    grid, x = context.grid, context.x
    oxygen = grid.partner(role="oxygen")
    selected = context.channels_where(
        pl.col("field").is_in(MEASURED_FIELDS) & (pl.col("role") == "pollutant")
    )
    selected &= oxygen[grid.sid] >= 0
    means, windows = window_means(x, grid, parameters.window_hours, parameters.min_coverage)
    everything = np.arange(grid.size, dtype=np.int64)
    o2 = grid.aligned(means, oxygen, everything)
    low = grid.aligned(context.per_slot("p05"), oxygen, everything)
    high = grid.aligned(context.per_slot("p95"), oxygen, everything)
    spread = np.maximum(high - low, 0.1)
    above = (o2 - high) / spread
    below = (low - o2) / spread
    excursion = np.fmax(above, below)
    usual_level = context.per_slot("running_median")
    fall = 1.0 - means / usual_level
    converted = grid.partner(field=CONVERTED_FIELDS[0], same_factor=True)
    converted_fall = 1.0 - grid.aligned(means, converted, everything) / grid.aligned(
        usual_level, converted, everything
    )
    ends = selected & (excursion > parameters.margin) & (fall >= parameters.min_fall)
    spans = episodes(covered(ends, windows, grid), grid)
    index = np.flatnonzero(ends)
    spans = best_in_spans(
        spans,
        grid,
        index,
        {
            "excursion": excursion[index],
            "o2": o2[index],
            "o2_low": low[index],
            "o2_high": high[index],
            "rising": (above[index] > 0).astype(np.float64),
            "fall": fall[index],
            "level": means[index],
            "usual": usual_level[index],
            "converted_fall": converted_fall[index],
        },
        by="excursion",
        descending=True,
    )
    gas = (
        pl.when(pl.col("rising") > 0)
        .then(pl.lit("air (or a leaking probe)"))
        .otherwise(pl.lit("an inert gas such as nitrogen"))
    )
    converted_text = (
        pl.when(pl.col("converted_fall").is_not_null() & pl.col("converted_fall").is_not_nan())
        .then(
            pl.format(
                " (converted value {} {})",
                pl.when(pl.col("converted_fall") >= 0).then(pl.lit("down")).otherwise(pl.lit("up")),
                percent(pl.col("converted_fall").abs()),
            )
        )
        .otherwise(pl.lit(""))
    )
    explanation = pl.format(
        "O2 averaged {} % over {} h to {} (usually {}-{} %) while measured {} was {} below its usual {}{}, "
        "for {}: the pattern of dilution with {}.",
        number(pl.col("o2"), 2),
        number(pl.lit(parameters.window_hours), 0),
        moment(pl.col("end_ms")),
        number(pl.col("o2_low"), 2),
        number(pl.col("o2_high"), 2),
        factor_label(pl.col("factor")),
        percent(pl.col("fall")),
        number(pl.col("usual"), 2),
        converted_text,
        duration(pl.col("last") - pl.col("first") + 1, pl.col("step")),
        gas,
    )
    return to_findings(
        spans,
        grid,
        detector="oxygen_dilution",
        score=ramp(pl.col("excursion"), parameters.margin, parameters.full_excursion),
        explanation=explanation,
        evidence={
            "o2": pl.col("o2"),
            "o2_usual_low": pl.col("o2_low"),
            "o2_usual_high": pl.col("o2_high"),
            "fall": pl.col("fall"),
            "converted_fall": pl.col("converted_fall"),
        },
    )
