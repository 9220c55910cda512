"""Cross-factor consistency: conversion_mismatch and mass_balance.

conversion_mismatch: the converted concentration (ZsAvg) against the one recomputed from the measured
value and O2, C_zs = C x (21 - O2_ref) / (21 - O2) (HJ 212-2017 Annex D; HJ 75-2017). The "corrected vs
recomputed concentration +/- 2 %" check of the unofficial audit lists is the same idea; the default
tolerance is wider because loggers round and some use dry-basis O2.

mass_balance: the amount (Cou) of a pollutant against concentration x flow (HJ 212-2017 Annex D:
G = C x Q x 1e-6 kg for flue gas, C in mg/m3 and Q in m3; G = C x D x 1e-3 kg for water, C in mg/L and
D in m3). A mismatch means one of the three was changed after the logger computed the others, or the
logger's parameters were.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import polars as pl

from envplan.screening.detectors import Context
from envplan.screening.grid import FloatArray, Grid, IntArray
from envplan.screening.model import (
    AMOUNT_FIELD,
    CONVERTED_FIELDS,
    MEASURED_FIELDS,
    WATER_FLOW,
    channel_label,
    factor_label,
)
from envplan.screening.spans import Reduction, episodes, ramp, to_findings
from envplan.screening.wording import duration, moment, number, percent


def measured_partner(grid: Grid) -> IntArray:
    """For each channel, the measured field (Avg, else Rtd) of the same factor."""
    result = np.full(grid.channels.height, -1, dtype=np.int64)
    for name in reversed(MEASURED_FIELDS):
        partner = grid.partner(field=name, same_factor=True)
        result = np.where(partner >= 0, partner, result)
    return result


def _scatter(size: int, index: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Values at ``index`` in an array of ``size`` (NaN or False elsewhere)."""
    result = np.zeros(size, dtype=np.bool_) if values.dtype == np.bool_ else np.full(size, np.nan)
    result[index] = values
    return result


class Tolerance(Protocol):
    """What conversion_mismatch and mass_balance both set: the relative deviation allowed, the score's full
    deviation, and the shortest run that counts."""

    @property
    def tolerance(self) -> float: ...
    @property
    def full_deviation(self) -> float: ...
    @property
    def min_points(self) -> int: ...


def _mismatches(
    grid: Grid,
    index: np.ndarray,
    usable: np.ndarray,
    statistics: dict[str, FloatArray],
    parameters: Tolerance,
    *,
    detector: str,
    reported: str,
    text: str,
    before: Sequence[pl.Expr],
    after: Sequence[pl.Expr],
) -> pl.DataFrame:
    """Findings for runs of at least ``min_points`` slots (``index[usable]``) whose reported value departs
    from the recomputed one by more than the tolerance.

    ``statistics`` (given at ``index``) hold ``deviation``, ``expected`` and the ``reported`` value; the
    explanation is ``text`` formatted with ``before``, then the run's duration, start, deviation and
    direction, then ``after``."""
    deviation = statistics["deviation"]
    off = usable & (np.abs(deviation) > parameters.tolerance)
    marked = _scatter(grid.size, index, off)
    chosen: dict[str, tuple[FloatArray, Reduction]] = {
        name: (values[off], "mean") for name, values in statistics.items()
    }
    spans = episodes(marked, grid, statistics=chosen, at_marked=True)
    spans = spans.filter(pl.col("points") >= parameters.min_points)
    explanation = pl.format(
        text,
        *before,
        duration(pl.col("points"), pl.col("step")),
        moment(pl.col("start_ms")),
        percent(pl.col("deviation").abs()),
        pl.when(pl.col("deviation") < 0).then(pl.lit("below")).otherwise(pl.lit("above")),
        *after,
    )
    return to_findings(
        spans,
        grid,
        detector=detector,
        score=ramp(pl.col("deviation").abs(), parameters.tolerance, parameters.full_deviation),
        explanation=explanation,
        evidence=("deviation", reported, pl.col("expected").alias("recomputed")),
    )


def conversion_mismatch(context: Context) -> pl.DataFrame:
    parameters = context.options.conversion_mismatch
    grid = context.grid
    chosen = context.channels_where(pl.col("field").is_in(CONVERTED_FIELDS))
    index = np.flatnonzero(chosen & grid.expand(np.isfinite(context.reference_o2)) & np.isfinite(context.x))
    reference = context.reference_o2[grid.sid[index]]
    converted = context.x[index]
    measured = grid.aligned(context.x, measured_partner(grid), index)
    o2 = grid.aligned(context.x, grid.partner(role="oxygen"), index)
    with np.errstate(invalid="ignore", divide="ignore"):
        usable = np.isfinite(measured) & np.isfinite(o2) & (o2 < 20.0)
        expected = np.where(usable, measured * (21.0 - reference) / np.where(usable, 21.0 - o2, 1.0), np.nan)
        deviation = np.where(
            usable & (expected != 0), converted / np.where(expected != 0, expected, 1.0) - 1.0, np.nan
        )
    return _mismatches(
        grid,
        index,
        usable,
        {
            "deviation": deviation,
            "converted": converted,
            "expected": expected,
            "measured": measured,
            "o2": o2,
            "reference": reference,
        },
        parameters,
        detector="conversion_mismatch",
        reported="converted",
        text="{} averaged {} for {} from {}, {} {} the {} recomputed from the measured {} and O2 {} % at "
        "the reference {} % O2 (HJ 212-2017 Annex D).",
        before=(channel_label(), number(pl.col("converted"), 2)),
        after=(
            number(pl.col("expected"), 2),
            number(pl.col("measured"), 2),
            number(pl.col("o2"), 2),
            number(pl.col("reference"), 1),
        ),
    )


def mass_balance(context: Context) -> pl.DataFrame:
    parameters = context.options.mass_balance
    grid, x = context.grid, context.x
    chosen = context.channels_where((pl.col("field") == AMOUNT_FIELD) & (pl.col("role") == "pollutant"))
    index = np.flatnonzero(chosen & np.isfinite(x))
    amount = x[index]
    concentration = grid.aligned(x, measured_partner(grid), index)
    flow_partner = grid.partner(role="flow", field=AMOUNT_FIELD)
    flow = grid.aligned(x, flow_partner, index)
    flow_factor = grid.channels.get_column("factor").to_numpy()[np.maximum(flow_partner, 0)]
    water = np.isin(flow_factor, list(WATER_FLOW)) & (flow_partner >= 0)
    multiplier = np.where(water, 1e-3, 1e-6)[grid.sid[index]]
    usable = np.isfinite(concentration) & np.isfinite(flow)
    expected = np.where(usable, concentration * flow * multiplier, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        deviation = np.where(
            usable & (expected > 0), amount / np.where(expected > 0, expected, 1.0) - 1.0, np.nan
        )
    return _mismatches(
        grid,
        index,
        usable & (expected > 0),
        {
            "deviation": deviation,
            "amount": amount,
            "expected": expected,
            "concentration": concentration,
            "flow": flow,
        },
        parameters,
        detector="mass_balance",
        reported="amount",
        text="{} amount (Cou) averaged {} kg per period for {} from {}, {} {} the {} kg given by "
        "concentration {} x flow {} m3 (HJ 212-2017 Annex D).",
        before=(factor_label(pl.col("factor")), number(pl.col("amount"), 4)),
        after=(number(pl.col("expected"), 4), number(pl.col("concentration"), 2), number(pl.col("flow"), 0)),
    )
