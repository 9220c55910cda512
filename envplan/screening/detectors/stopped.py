"""stopped_running: the facility is declared stopped, or a pollutant reads zero or nothing, while the
load, flow or flue-gas temperature says the plant runs.

Sources: EPA ECMPS check HOUROP-32 (no load may be reported in a non-operating hour: the closest analogue
of "declared stopped but producing"); the Henan 2017-2019 evidence of strategic downtime (CEMS switched
off when an exceedance was expected, J. Environ. Manage. 314:115081); the Shanghai 2023 case of flow and
concentration that do not agree; HJ 212-2017 flag F (stopped) and facility state SBxxx-RS = 0.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from envplan.screening.detectors import Context
from envplan.screening.model import ABSENT, MEASURED_FIELDS, STATE_OFF, STOPPED, channel_label
from envplan.screening.spans import Reduction, episodes, merge_close, ramp, to_findings
from envplan.screening.wording import duration, moment, number, percent

EVIDENCE = (("load", "load"), ("flow", "flow"), ("temperature", "flue-gas temperature"))
DECLARED, STATE, ZERO, MISSING = 0.0, 1.0, 2.0, 3.0


def stopped_running(context: Context) -> pl.DataFrame:
    parameters = context.options.stopped_running
    grid = context.grid
    selected = context.channels_where(
        pl.col("field").is_in(MEASURED_FIELDS) & (pl.col("role") == "pollutant")
    )
    resolution = context.column("resolution")
    usually_positive = context.column("p05") > 4.0 * resolution
    flag, value = grid.flag, grid.value
    with np.errstate(invalid="ignore"):
        zero = (
            grid.expand(usually_positive)
            & (flag != STOPPED)
            & (np.abs(value) <= grid.expand(2.0 * resolution))
        )
    state = grid.partner(role="state")
    # A slot is a candidate when declared stopped (its flag, or a state channel), zero or missing.
    candidates = np.flatnonzero(
        selected & ((flag == STOPPED) | zero | (flag == ABSENT) | grid.expand(state >= 0))
    )
    state_off = grid.aligned(value, state, candidates) == STATE_OFF
    declared = flag[candidates] == STOPPED
    zero = zero[candidates]
    missing = flag[candidates] == ABSENT
    running = np.zeros(candidates.size, dtype=bool)
    shares: dict[str, np.ndarray] = {}
    levels: dict[str, np.ndarray] = {}
    usual_per_channel = context.column("running_median")
    for role, _ in EVIDENCE:
        partner = grid.partner(role=role)
        level = grid.aligned(value, partner, candidates)
        usual = usual_per_channel[np.maximum(partner[grid.sid[candidates]], 0)]
        usual = np.where(partner[grid.sid[candidates]] >= 0, usual, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(usual > 0, level / np.where(usual > 0, usual, 1.0), np.nan)
        least = parameters.temperature_share if role == "temperature" else parameters.running_share
        running |= np.isfinite(share) & (share >= least)
        shares[role] = share
        levels[role] = level
    suspicious = running & (declared | state_off | zero | missing)
    reason = np.select([declared, state_off, zero], [DECLARED, STATE, ZERO], default=MISSING)
    marked = np.zeros(grid.size, dtype=bool)
    marked[candidates[suspicious]] = True
    statistics: dict[str, tuple[np.ndarray, Reduction]] = {"reason": (reason[suspicious], "min")}
    for role, _ in EVIDENCE:
        statistics[f"{role}_share"] = (shares[role][suspicious], "mean")
        statistics[f"{role}_level"] = (levels[role][suspicious], "mean")
    spans = episodes(marked, grid, statistics=statistics, at_marked=True)
    merged = merge_close(
        spans,
        grid,
        hours=parameters.merge_gap_hours,
        aggregations=[pl.col(name).mean() for name in statistics if name != "reason"]
        + [pl.col("reason").min()],
    ).filter(pl.col("points") >= parameters.min_points)
    what = pl.col("reason").replace_strict(
        {
            DECLARED: "was declared stopped (flag F)",
            STATE: "was declared stopped (facility state 0)",
            ZERO: "read zero",
            MISSING: "had no value",
        },
        default="was declared stopped",
        return_dtype=pl.String,
    )
    evidence_text = [
        pl.when(pl.col(f"{role}_share").is_not_null() & pl.col(f"{role}_share").is_not_nan())
        .then(
            pl.format(
                ", {} at {} ({} of its running median)",
                pl.lit(label),
                number(pl.col(f"{role}_level"), 1),
                percent(pl.col(f"{role}_share")),
            )
        )
        .otherwise(pl.lit(""))
        for role, label in EVIDENCE
    ]
    explanation = pl.format(
        "{} {} for {} from {} while the plant was running:{}.",
        channel_label(),
        what,
        duration(pl.col("points"), pl.col("step")),
        moment(pl.col("start_ms")),
        pl.concat_str(*evidence_text).str.strip_prefix(",").str.strip_chars_start(" ").str.replace("^", " "),
    )
    hours = pl.col("points").cast(pl.Float64) * pl.col("step").cast(pl.Float64) / 3_600_000.0
    return to_findings(
        merged,
        grid,
        detector="stopped_running",
        score=ramp(hours, 0.0, parameters.full_hours),
        explanation=explanation,
        evidence=(
            what.alias("reason"),
            *(f"{role}_share" for role, _ in EVIDENCE),
        ),
    )
