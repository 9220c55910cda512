"""flat_line: a held value, N (nearly) identical values where the factor normally varies.

Sources: the identical-run screen of Ruggles et al. 2020 (Sci. Data), as implemented in
singularity-energy/open-grid-emissions `anomaly_screening.py` (flag the 3rd and later identical value);
the QARTOD flat-line test (a run within a tolerance; a run cannot span missing values); the Chinese
on-site checklist ("small fluctuation around a fixed value for a long time"); the Shanghai 2023 case of
values frozen from 18:00 to 06:00. Here the run length that counts as suspicious is not fixed: it follows
from the channel's own rate of repeats, so that a factor reported with one decimal, which repeats
often, needs a longer run than one reported with five significant digits.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from envplan.screening.detectors import Context
from envplan.screening.model import MEASURED_FIELDS, factor_label
from envplan.screening.spans import episodes, merge_close, surprise_score, to_findings
from envplan.screening.windows import lag
from envplan.screening.wording import duration, moment, number, recurrence

# Load and flue-gas temperature are left out: a plant held at full load or at its exhaust-temperature
# set point gives long, honest plateaus.
HELD_ROLES = ("pollutant", "oxygen", "flow")


def flat_line(context: Context) -> pl.DataFrame:
    parameters = context.options.flat_line
    grid, x = context.grid, context.x
    selected = context.channels_where(
        pl.col("field").is_in(MEASURED_FIELDS) & pl.col("role").is_in(HELD_ROLES)
    )
    resolution = context.per_slot("resolution")
    tolerance_per_channel = parameters.tolerance(
        context.column("resolution"), context.column("median_change")
    )
    tolerance = grid.expand(tolerance_per_channel)
    previous = lag(x, 1, grid.pos)
    still = (
        selected
        & np.isfinite(x)
        & (np.abs(x - previous) <= tolerance)
        & (np.abs(x) > 2.0 * resolution + 1e-12)
    )
    runs = episodes(still, grid, statistics={"value": (x, "first"), "low": (x, "min"), "high": (x, "max")})
    if runs.height == 0:
        return to_findings(
            runs, grid, detector="flat_line", score=pl.lit(0.0), explanation=pl.lit(""), evidence=()
        )
    sids = runs.get_column("sid").to_numpy()
    runs = (
        runs.with_columns(
            # The run's first value is the slot before its first still step.
            (pl.col("first") - 1).alias("first"),
            (pl.col("points") + 1).alias("points"),
            pl.Series("p_still", context.column("p_still")[sids]),
            pl.Series("p_still_on", context.column("p_still_on")[sids]),
            pl.Series("tolerance", tolerance_per_channel[sids]),
        )
        .with_columns(
            # log10 of the slots between runs this long: 1 / (p q^(steps - 1)), steps = values - 1.
            (-pl.col("p_still").log10() - (pl.col("points") - 2) * pl.col("p_still_on").log10()).alias(
                "rarity"
            ),
        )
        .with_columns((pl.col("rarity") - 3.0).alias("surprise"))
    )
    flagged = runs.filter(
        (pl.col("points") >= parameters.min_points) & (pl.col("surprise") >= parameters.min_surprise)
    )
    merged = merge_close(
        flagged,
        grid,
        hours=parameters.merge_gap_hours,
        aggregations=[
            pl.col("surprise").max(),
            pl.col("rarity").max(),
            pl.col("points").max().alias("longest"),
            pl.col("value").sort_by("points").last().alias("value"),
            pl.col("p_still").first(),
            pl.col("p_still_on").first(),
            pl.col("tolerance").first(),
        ],
    )
    label = factor_label(pl.col("factor"))
    held = pl.format(
        "{} {} held at {} for {} ({} values in a row within ±{}) from {}",
        label,
        pl.col("field"),
        number(pl.col("value"), 4),
        duration(pl.col("longest"), pl.col("step")),
        pl.col("longest"),
        number(pl.col("tolerance"), 6),
        moment(pl.col("start_ms")),
    )
    many = pl.format(
        "{} {} held still in {} runs between {} and {}, the longest {} values at {} (within ±{})",
        label,
        pl.col("field"),
        pl.col("runs"),
        moment(pl.col("start_ms")),
        moment(pl.col("end_ms")),
        pl.col("longest"),
        number(pl.col("value"), 4),
        number(pl.col("tolerance"), 6),
    )
    why = pl.format(
        "; here a value stays still at {} of steps after a change and {} after a still one, so such a run "
        "is expected {}.",
        pl.format("{} %", number(pl.col("p_still") * 100.0, 3)),
        pl.format("{} %", number(pl.col("p_still_on") * 100.0, 3)),
        recurrence(pl.col("rarity"), pl.col("step")),
    )
    return to_findings(
        merged,
        grid,
        detector="flat_line",
        score=surprise_score(parameters),
        explanation=pl.concat_str(pl.when(pl.col("runs") > 1).then(many).otherwise(held), why),
        evidence=(
            "value",
            pl.col("longest").alias("longest_run"),
            "runs",
            "tolerance",
            pl.col("p_still").alias("still_rate"),
            pl.col("p_still_on").alias("still_again_rate"),
            "surprise",
        ),
    )
