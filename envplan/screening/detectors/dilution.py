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

from envplan.screening.detectors import Context
from envplan.screening.model import CONVERTED_FIELDS, MEASURED_FIELDS, factor_label
from envplan.screening.spans import best_in_spans, episodes, ramp, to_findings
from envplan.screening.windows import covered
from envplan.screening.wording import duration, moment, number, percent


def oxygen_dilution(context: Context) -> pl.DataFrame:
    parameters = context.options.oxygen_dilution
    grid = context.grid
    oxygen = grid.partner(role="oxygen")
    selected = context.channels_where(
        pl.col("field").is_in(MEASURED_FIELDS) & (pl.col("role") == "pollutant")
    )
    selected &= grid.expand(oxygen >= 0)
    means = context.features.window_mean(parameters.window_hours, parameters.min_coverage)
    windows = context.features.slots_per(parameters.window_hours)
    # The measured concentration must have fallen first: only those slots are compared with O2.
    usual_per_channel = context.column("running_median")
    with np.errstate(invalid="ignore", divide="ignore"):
        fall_all = 1.0 - means / grid.expand(usual_per_channel)
    candidates = np.flatnonzero(selected & (fall_all >= parameters.min_fall))
    fall = fall_all[candidates]
    o2 = grid.aligned(means, oxygen, candidates)
    low = context.column("p05")[oxygen[grid.sid[candidates]]]
    high = context.column("p95")[oxygen[grid.sid[candidates]]]
    spread = np.maximum(high - low, 0.1)
    above = (o2 - high) / spread
    below = (low - o2) / spread
    excursion = np.fmax(above, below)
    keep = excursion > parameters.margin
    index = candidates[keep]
    converted = grid.partner(field=CONVERTED_FIELDS[0], same_factor=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        converted_fall = (
            1.0
            - grid.aligned(means, converted, index)
            / usual_per_channel[np.maximum(converted[grid.sid[index]], 0)]
        )
    ends = np.zeros(grid.size, dtype=bool)
    ends[index] = True
    spans = episodes(covered(ends, windows, grid), grid)
    excursion, o2, low, high, above, fall = (part[keep] for part in (excursion, o2, low, high, above, fall))
    spans = best_in_spans(
        spans,
        grid,
        index,
        {
            "excursion": excursion,
            "o2": o2,
            "o2_low": low,
            "o2_high": high,
            "rising": (above > 0).astype(np.float64),
            "fall": fall,
            "level": means[index],
            "usual": usual_per_channel[grid.sid[index]],
            "converted_fall": converted_fall,
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
        evidence=(
            "o2",
            pl.col("o2_low").alias("o2_usual_low"),
            pl.col("o2_high").alias("o2_usual_high"),
            "fall",
            "converted_fall",
        ),
    )
