"""Suspicious slots -> spans (episodes) -> findings; scores (the wording of explanations: wording.py).

A detector marks slots (a boolean per slot of the grid), :func:`episodes` joins marked slots of one
channel into spans (runs closer than ``merge_gap`` slots become one span) with per-span statistics, and
:func:`to_findings` turns spans with their score, explanation and evidence into rows of
:data:`~envplan.screening.model.FINDINGS_SCHEMA`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Literal, Protocol

import numpy as np
import polars as pl

from envplan.screening.grid import BoolArray, FloatArray, Grid
from envplan.screening.model import FINDINGS_SCHEMA, ZONE

Reduction = Literal["min", "max", "sum", "mean", "first", "last"]

SPAN_COLUMNS: Final = ("sid", "first", "last", "points")


def episodes(
    mask: BoolArray,
    grid: Grid,
    *,
    merge_gap: int = 0,
    statistics: Mapping[str, tuple[FloatArray, Reduction]] | None = None,
    at_marked: bool = False,
) -> pl.DataFrame:
    """Runs of marked slots per channel: ``sid``, ``first`` and ``last`` slot, ``points`` marked, plus
    one column per statistic (reduced over the marked slots of the run). The statistics hold a value
    per slot of the grid, or with ``at_marked`` one per marked slot, in grid order.

    Marked slots of the same channel at most ``merge_gap`` unmarked slots apart belong to one run.
    """
    marked = np.flatnonzero(mask)
    statistics = statistics or {}
    if marked.size == 0:
        schema: dict[str, pl.DataType] = {
            "sid": pl.Int32(),
            "first": pl.Int64(),
            "last": pl.Int64(),
            "points": pl.Int64(),
        }
        schema |= {name: pl.Float64() for name in statistics}
        return pl.DataFrame(schema=schema)
    sid = grid.sid[marked]
    pos = grid.pos[marked].astype(np.int64)
    new = np.ones(marked.size, dtype=bool)
    new[1:] = (sid[1:] != sid[:-1]) | (pos[1:] - pos[:-1] > merge_gap + 1)
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:] - 1, marked.size - 1)
    columns: dict[str, object] = {
        "sid": sid[starts].astype(np.int32),
        "first": pos[starts],
        "last": pos[ends],
        "points": np.diff(np.append(starts, marked.size)).astype(np.int64),
    }
    for name, (values, how) in statistics.items():
        columns[name] = _reduce(values if at_marked else values[marked], starts, ends, how)
    return pl.DataFrame(columns)


def _reduce(values: FloatArray, starts: np.ndarray, ends: np.ndarray, how: Reduction) -> FloatArray:
    if how == "first":
        return np.asarray(values[starts], dtype=np.float64)
    if how == "last":
        return np.asarray(values[ends], dtype=np.float64)
    finite = np.isfinite(values)
    if how == "max":
        return np.asarray(np.maximum.reduceat(np.where(finite, values, -np.inf), starts), dtype=np.float64)
    if how == "min":
        return np.asarray(np.minimum.reduceat(np.where(finite, values, np.inf), starts), dtype=np.float64)
    total = np.add.reduceat(np.where(finite, values, 0.0), starts)
    if how == "sum":
        return total
    count = np.add.reduceat(finite.astype(np.float64), starts)
    return np.where(count > 0, total / np.maximum(count, 1.0), np.nan)


def ramp(statistic: pl.Expr, threshold: float | pl.Expr, full: float | pl.Expr) -> pl.Expr:
    """Score: 0.5 at the detection threshold, rising linearly to 1 at ``full`` (either direction)."""
    share = (statistic - threshold) / (full - threshold)
    return (0.5 + 0.5 * share.clip(0.0, 1.0)).fill_nan(0.5)


class SurpriseBounds(Protocol):
    """A detector's surprise (in powers of ten) at its threshold and at full score."""

    @property
    def min_surprise(self) -> float: ...
    @property
    def full_surprise(self) -> float: ...


def surprise_score(parameters: SurpriseBounds) -> pl.Expr:
    """The score of a span by its ``surprise`` column (see :func:`ramp`)."""
    return ramp(pl.col("surprise"), parameters.min_surprise, parameters.full_surprise)


def to_findings(
    spans: pl.DataFrame,
    grid: Grid,
    *,
    detector: str,
    score: pl.Expr,
    explanation: pl.Expr,
    evidence: Sequence[str | pl.Expr],
) -> pl.DataFrame:
    """Spans (with ``sid``, ``first``, ``last``, ``points`` and the columns the expressions use) -> findings.

    ``evidence``: the fields of the evidence JSON, in order: a column kept under its own name, or an
    expression aliased to the field's name.

    The expressions may use the channel's columns (``mn``, ``factor``, ``field``, ``step``, ...), and
    ``start_ms``/``end_ms`` (DataTimes of the first and last slots, ms since the epoch)."""
    if spans.height == 0:
        return pl.DataFrame(schema=FINDINGS_SCHEMA)
    located = spans.join(grid.channels, on="sid", how="left").with_columns(
        (pl.col("t0") + pl.col("first") * pl.col("step")).alias("start_ms"),
        (pl.col("t0") + pl.col("last") * pl.col("step")).alias("end_ms"),
    )
    return located.select(
        "mn",
        "kind",
        "factor",
        "field",
        pl.col("start_ms").cast(pl.Datetime("ms", "UTC")).dt.convert_time_zone(ZONE).alias("start"),
        pl.col("end_ms").cast(pl.Datetime("ms", "UTC")).dt.convert_time_zone(ZONE).alias("end"),
        pl.lit(detector).alias("detector"),
        score.clip(0.0, 1.0).cast(pl.Float64).alias("score"),
        explanation.alias("explanation"),
        pl.col("points").cast(pl.Int64),
        pl.struct(list(evidence)).struct.json_encode().alias("evidence"),
    ).cast(FINDINGS_SCHEMA)


def merge_close(
    spans: pl.DataFrame, grid: Grid, *, hours: float, aggregations: list[pl.Expr]
) -> pl.DataFrame:
    """Join spans of one channel less than ``hours`` apart; ``runs`` counts the spans joined.

    ``aggregations`` reduce the other columns over the joined spans."""
    if spans.height == 0:
        return (
            spans.with_columns(pl.lit(0, pl.Int64).alias("runs"))
            .select(*SPAN_COLUMNS, "runs", *aggregations)
            .clear()
        )
    step = grid.channels.select("sid", "step", "offset")
    gap = (pl.lit(hours * 3_600_000.0) / pl.col("step")).round(0)
    ordered = spans.join(step, on="sid", how="left").sort("sid", "first")
    # Spans may overlap: compare with the furthest end so far (slot numbers on the whole grid, so that
    # the running maximum never carries over from one channel to the next).
    reach = (pl.col("offset") + pl.col("last")).cum_max().shift()
    grouped = ordered.with_columns(
        ((pl.col("sid") != pl.col("sid").shift()) | (pl.col("offset") + pl.col("first") - reach - 1 > gap))
        .fill_null(True)
        .cum_sum()
        .alias("_group")
    )
    return (
        grouped.group_by("_group", maintain_order=True)
        .agg(
            pl.col("sid").first(),
            pl.col("first").min(),
            pl.col("last").max(),
            pl.col("points").sum(),
            pl.len().cast(pl.Int64).alias("runs"),
            *aggregations,
        )
        .drop("_group")
    )


def best_in_spans(
    spans: pl.DataFrame,
    grid: Grid,
    index: np.ndarray,
    table: Mapping[str, np.ndarray],
    *,
    by: str,
    descending: bool = False,
) -> pl.DataFrame:
    """For each span, the row of ``table`` (entries at grid slots ``index``) with the lowest (or highest)
    ``by`` among the slots inside the span; spans without such a slot get nulls."""
    if spans.height == 0:
        return spans.with_columns(*[pl.lit(None, pl.Float64).alias(name) for name in table])
    starts = grid.offsets[spans.get_column("sid").to_numpy()] + spans.get_column("first").to_numpy()
    ends = grid.offsets[spans.get_column("sid").to_numpy()] + spans.get_column("last").to_numpy()
    span = np.searchsorted(starts, index, side="right") - 1
    inside = (span >= 0) & (index <= ends[np.maximum(span, 0)])
    rows = pl.DataFrame(
        {
            "_span": span[inside],
            "_slot": index[inside],
            **{name: values[inside] for name, values in table.items()},
        }
    )
    rows = rows.with_columns(pl.col(pl.Float64).fill_nan(None))  # NaN (not computed) reads as missing
    # Ties go to the earliest slot, so that the result does not depend on how the rows were laid out.
    best = (
        rows.sort([by, "_slot"], descending=[descending, False], nulls_last=True)
        .group_by("_span", maintain_order=True)
        .first()
        .drop("_slot")
    )
    return (
        spans.with_row_index("_span")
        .with_columns(pl.col("_span").cast(pl.Int64))
        .join(best.with_columns(pl.col("_span").cast(pl.Int64)), on="_span", how="left")
        .drop("_span")
    )
