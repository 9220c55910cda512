"""scan(): readings of one or many outlets -> findings, highest score first.

The same function runs on a laptop over a CSV file, in a worker over an outlet's series from the lake,
and per partition on Spark (group the readings by `mn` and call :func:`scan_arrow` on each group with
`applyInArrow`): it keeps no state between calls, reads no clock and no settings. For results that do not
depend on how outlets are partitioned, compute the baselines once (:func:`baselines_of`, from the
history) and pass them, with the industry baselines, to every call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import polars as pl
import pyarrow as pa

from envplan.commandline import Progress, no_progress
from envplan.screening.baselines import KEY, aligned, channel_baselines, industry_baselines
from envplan.screening.detectors import Context
from envplan.screening.detectors.consistency import conversion_mismatch, mass_balance
from envplan.screening.detectors.digits import benford, last_digit
from envplan.screening.detectors.dilution import oxygen_dilution
from envplan.screening.detectors.flags import (
    flag_on_exceedance,
    flag_share,
    maintenance_without_record,
    marks_timing,
)
from envplan.screening.detectors.flat import flat_line
from envplan.screening.detectors.level import level_shift
from envplan.screening.detectors.limits import limit_hugging
from envplan.screening.detectors.replay import replay
from envplan.screening.detectors.stopped import stopped_running
from envplan.screening.detectors.variance import variance_collapse, variance_collapse_peers
from envplan.screening.features import Features
from envplan.screening.grid import FloatArray, build_grid
from envplan.screening.model import (
    FINDINGS_SCHEMA,
    LIMITS_SCHEMA,
    MAINTENANCE_SCHEMA,
    OUTLETS_SCHEMA,
    READINGS_SCHEMA,
    TIME,
    empty_findings,
)
from envplan.screening.options import ScanOptions

Detector = Callable[[Context], pl.DataFrame]

DETECTOR_FUNCTIONS: Final[dict[str, Detector]] = {
    "flat_line": flat_line,
    "variance_collapse": variance_collapse,
    "variance_collapse_peers": variance_collapse_peers,
    "replay": replay,
    "limit_hugging": limit_hugging,
    "level_shift": level_shift,
    "oxygen_dilution": oxygen_dilution,
    "conversion_mismatch": conversion_mismatch,
    "mass_balance": mass_balance,
    "stopped_running": stopped_running,
    "flag_on_exceedance": flag_on_exceedance,
    "flag_share": flag_share,
    "maintenance_without_record": maintenance_without_record,
    "marks_timing": marks_timing,
    "last_digit": last_digit,
    "benford": benford,
}


def readings_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Readings with the columns of READINGS_SCHEMA, times in Asia/Shanghai (naive times taken as such).

    Raises ValueError naming missing columns."""
    missing = [name for name in READINGS_SCHEMA if name not in frame.columns]
    if missing:
        raise ValueError(f"readings lack column(s): {', '.join(missing)}")
    time = pl.col("time")
    dtype = frame.schema["time"]
    if isinstance(dtype, pl.Datetime):
        time = time.dt.replace_time_zone(TIME.time_zone) if dtype.time_zone is None else time
        time = time.dt.convert_time_zone(TIME.time_zone or "UTC").dt.cast_time_unit("ms")
    return frame.select(
        *[pl.col(name).cast(dtype) for name, dtype in READINGS_SCHEMA.items() if name != "time"],
        time.alias("time"),
    ).select(list(READINGS_SCHEMA))


def baselines_of(
    history: pl.DataFrame, options: ScanOptions | None = None, *, limits: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Channel baselines (see baselines.py) from readings of the past, for :func:`scan`'s ``baselines``."""
    options = options or ScanOptions()
    grid = build_grid(readings_frame(history), load_factors=options.load_factors)
    return channel_baselines(grid, options, limits=_or_empty(limits, LIMITS_SCHEMA))


def scan(
    readings: pl.DataFrame,
    *,
    limits: pl.DataFrame | None = None,
    history: pl.DataFrame | None = None,
    baselines: pl.DataFrame | None = None,
    industries: pl.DataFrame | None = None,
    outlets: pl.DataFrame | None = None,
    maintenance: pl.DataFrame | None = None,
    options: ScanOptions | None = None,
    progress: Progress = no_progress,
) -> pl.DataFrame:
    """Findings (FINDINGS_SCHEMA) over readings (READINGS_SCHEMA) of any number of outlets.

    ``limits`` (LIMITS_SCHEMA): limits per mn, factor and field, and the reference O2 of converted values.
    ``history`` (READINGS_SCHEMA): past readings, from which the usual behaviour of each channel is
    learnt; or ``baselines`` already computed by :func:`baselines_of`. Channels absent from both are
    compared with their own readings.
    ``outlets`` (OUTLETS_SCHEMA): the industry of each outlet, for the comparison with peers, whose
    baselines are taken from ``industries`` (:func:`~envplan.screening.baselines.industry_baselines`)
    or else from the outlets at hand.
    ``maintenance`` (MAINTENANCE_SCHEMA): maintenance records; without them maintenance marks are not
    checked against records.
    ``progress`` hears each step as it starts: the grid, the usual behaviour, the features, then each
    detector.
    """
    options = options or ScanOptions()
    steps = 3 + len(options.detectors)
    progress(0, steps, "grid")
    limits = _or_empty(limits, LIMITS_SCHEMA)
    grid = build_grid(readings_frame(readings), load_factors=options.load_factors)
    if grid.size == 0:
        progress(steps, steps)
        return empty_findings()
    progress(1, steps, "baselines")
    known = baselines
    if history is not None:
        learnt = baselines_of(history, options, limits=limits)
        known = (
            learnt
            if known is None
            else pl.concat([known, learnt], how="diagonal_relaxed").unique(list(KEY), keep="first")
        )
    progress(2, steps, "features")
    features = Features(grid, options)
    own = channel_baselines(grid, options, limits=limits, features=features)
    combined = own if known is None else _prefer(known, own)
    peers = (
        industries
        if industries is not None
        else industry_baselines(combined, _or_empty(outlets, OUTLETS_SCHEMA))
    )
    context = _context(features, combined, limits, peers, outlets, maintenance, options)
    found: list[pl.DataFrame] = []
    for number, name in enumerate(options.detectors):
        progress(3 + number, steps, name)
        found.append(DETECTOR_FUNCTIONS[name](context))
    progress(steps, steps)
    return rank(pl.concat([empty_findings(), *found], how="vertical"))


def rank(findings: pl.DataFrame) -> pl.DataFrame:
    """Highest score first; ties by outlet, factor, start and detector."""
    return findings.sort(
        ["score", "mn", "factor", "start", "detector"], descending=[True, False, False, False, False]
    )


def scan_arrow(
    table: pa.Table,
    *,
    limits: pl.DataFrame | None = None,
    baselines: pl.DataFrame | None = None,
    industries: pl.DataFrame | None = None,
    outlets: pl.DataFrame | None = None,
    maintenance: pl.DataFrame | None = None,
    options: ScanOptions | None = None,
) -> pa.Table:
    """:func:`scan` over an Arrow table (e.g. one group of Spark's ``applyInArrow``), findings as Arrow.

    Pass baselines and industries computed once from the history, so that every group is judged
    against the same usual behaviour."""
    frame = pl.from_arrow(table)
    if not isinstance(frame, pl.DataFrame):
        raise TypeError("scan_arrow needs a table, not a single column")
    findings = scan(
        frame,
        limits=limits,
        baselines=baselines,
        industries=industries,
        outlets=outlets,
        maintenance=maintenance,
        options=options,
    )
    return findings.to_arrow()


def _or_empty(frame: pl.DataFrame | None, schema: pl.Schema) -> pl.DataFrame:
    if frame is None:
        return pl.DataFrame(schema=schema)
    present = [name for name in schema if name in frame.columns]
    return (
        frame.select(present)
        .with_columns(
            *[pl.lit(None, dtype).alias(name) for name, dtype in schema.items() if name not in frame.columns]
        )
        .select(list(schema))
        .cast(schema)
    )


def _prefer(known: pl.DataFrame, own: pl.DataFrame) -> pl.DataFrame:
    """Known baselines where a channel has them, its own otherwise."""
    keys = own.select(KEY)
    from_known = known.join(keys, on=list(KEY), how="semi")
    from_own = own.join(from_known.select(KEY), on=list(KEY), how="anti")
    return pl.concat([from_own, from_known], how="diagonal_relaxed")


def _context(
    features: Features,
    combined: pl.DataFrame,
    limits: pl.DataFrame,
    peers: pl.DataFrame,
    outlets: pl.DataFrame | None,
    maintenance: pl.DataFrame | None,
    options: ScanOptions,
) -> Context:
    grid = features.grid
    channels = grid.channels
    keyed_limits = channels.select("sid", "mn", "factor", "field").join(
        limits.unique(["mn", "factor", "field"], keep="last").select("mn", "factor", "field", "limit"),
        on=["mn", "factor", "field"],
        how="left",
    )
    # The reference O2 belongs to the factor, whichever field its limit is written for.
    reference = (
        limits.filter(pl.col("reference_o2").is_not_null())
        .group_by("mn", "factor")
        .agg(pl.col("reference_o2").last())
    )
    keyed_limits = keyed_limits.join(reference, on=["mn", "factor"], how="left").sort("sid")
    industries = _or_empty(outlets, OUTLETS_SCHEMA).unique("mn", keep="last")
    keyed_peers = (
        channels.select("sid", "mn", "kind", "factor", "field")
        .join(industries, on="mn", how="left")
        .join(peers, on=["industry", "kind", "factor", "field"], how="left")
        .sort("sid")
    )
    return Context(
        grid=grid,
        x=features.x,
        features=features,
        base=aligned(grid, combined),
        limit=_floats(keyed_limits.get_column("limit")),
        reference_o2=_floats(keyed_limits.get_column("reference_o2")),
        peer_spread=_floats(keyed_peers.get_column("peer_relative_spread")),
        peer_count=_floats(keyed_peers.get_column("peers")),
        maintenance=None if maintenance is None else _or_empty(maintenance, MAINTENANCE_SCHEMA),
        options=options,
    )


def _floats(column: pl.Series) -> FloatArray:
    return column.cast(pl.Float64).fill_null(np.nan).to_numpy()


__all__ = ["FINDINGS_SCHEMA", "baselines_of", "rank", "readings_frame", "scan", "scan_arrow"]
