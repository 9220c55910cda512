"""The detectors. Each takes a :class:`Context` and returns findings (FINDINGS_SCHEMA).

Every detector is vectorised over all channels of the grid at once, so that a frame holding one outlet
or a thousand gives each outlet the same findings (nothing depends on which outlets share the frame,
except the peers of `variance_collapse_peers` when no precomputed industry baselines are passed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from envplan.screening.features import Features
from envplan.screening.grid import BoolArray, FloatArray, Grid
from envplan.screening.options import ScanOptions


@dataclass(frozen=True, slots=True)
class Context:
    """What every detector may use.

    ``x``: valid values (flag N), NaN elsewhere; ``features``: cached computations over the grid.
    ``base``: the baseline row of each channel in sid order (see baselines.py). ``limit`` and
    ``reference_o2``: per channel, NaN when unknown. ``peer_spread`` and ``peer_count``: per channel, the
    median relative spread of its industry's outlets and their number (NaN without).
    ``maintenance``: records (MAINTENANCE_SCHEMA) or None when not given.
    """

    grid: Grid
    x: FloatArray
    features: Features
    base: pl.DataFrame
    limit: FloatArray
    reference_o2: FloatArray
    peer_spread: FloatArray
    peer_count: FloatArray
    maintenance: pl.DataFrame | None
    options: ScanOptions

    def column(self, name: str) -> FloatArray:
        """A baseline column per channel as floats (NaN where missing)."""
        return self.base.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()

    def per_slot(self, name: str) -> FloatArray:
        return self.column(name)[self.grid.sid]

    def channels_where(self, selected: pl.Expr) -> BoolArray:
        """Per slot: does its channel match (an expression over grid.channels)?"""
        return self.grid.channel_mask(selected)
