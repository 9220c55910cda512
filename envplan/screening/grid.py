"""Readings (long rows) -> one regular time grid per outlet and kind, all channels laid end to end.

Every detector works on the same arrays: for each channel (mn, kind, factor, field) a segment of
`length` slots, slot i being the DataTime `t0 + i * step` of the channel's outlet and kind. Missing
times are NaN (flag 0), so that a lag of 24 slots is a lag of 24 hours for hourly data and the channels
of one outlet line up slot by slot (slot i of the O2 channel is the same hour as slot i of NOx). Rolling
windows and lags never cross from one channel into the next: they are valid only where `pos` (the slot
within the channel) is far enough from the channel's start.

The step of an outlet's kind comes from the kind (hourly, daily) or else from the commonest gap between
its DataTimes (minute and real-time data, whose interval is set per logger).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from envplan.screening.model import (
    FLAG_CODES,
    KEPT_FIELDS,
    KIND_STEPS,
    MEASURED_FIELDS,
    NORMAL,
    OTHER_FLAG,
    STATE_FIELD,
    role_expression,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]
FlagArray = npt.NDArray[np.uint8]

# A grid may hold holes, but not an outlet whose DataTimes are so sparse that the grid would dwarf the
# data (a stray date years away): beyond this many slots per value (plus a year of hours) it is refused.
MAX_SLOTS_PER_VALUE: Final = 50
_HASH_SEED: Final = 20_260_212
_CHECK_SEED: Final = 14
SLACK_SLOTS: Final = 9000


class GridError(ValueError):
    """The readings cannot be laid on a regular grid (message names the outlet and why)."""


@dataclass(frozen=True, slots=True)
class Grid:
    """Channels laid end to end on their outlets' regular grids.

    ``channels``: one row per channel, in ``sid`` order: ``sid`` (Int32), ``bid`` (Int32, outlet and kind),
    ``mn``, ``kind``, ``factor``, ``field``, ``role`` (String), ``t0`` and ``step`` (Int64, milliseconds
    since the epoch / per slot), ``length`` and ``offset`` (Int64, where the channel's slots start).
    ``value`` (NaN where no row), ``flag`` (0 where no row, else :data:`FLAG_CODES`), ``sid`` and ``pos``
    (slot within the channel) have one entry per slot.
    """

    channels: pl.DataFrame
    value: FloatArray
    flag: FlagArray
    sid: Int32Array
    pos: Int32Array

    @property
    def size(self) -> int:
        return int(self.value.shape[0])

    @property
    def offsets(self) -> IntArray:
        return self.channels.get_column("offset").to_numpy().astype(np.int64)

    @property
    def lengths(self) -> IntArray:
        return self.channels.get_column("length").to_numpy().astype(np.int64)

    def valid(self) -> FloatArray:
        """The value where the flag is normal (N), NaN elsewhere: what compliance is judged on."""
        return np.where((self.flag == NORMAL) & np.isfinite(self.value), self.value, np.nan)

    def channel_mask(self, selected: pl.Expr) -> BoolArray:
        """Per slot: does its channel match the expression over ``channels``?"""
        chosen = self.channels.select(selected.fill_null(False)).to_series().to_numpy().astype(bool)
        return chosen[self.sid]

    def partner(
        self, *, role: str | None = None, field: str | None = None, same_factor: bool = False
    ) -> IntArray:
        """For each channel, the sid of another channel of the same outlet and kind (-1 if none).

        ``role`` picks a covariate by role (its measured field, RS for the state, or ``field`` when
        given); ``field`` with ``same_factor`` picks another field of the same factor (e.g. ZsAvg or Cou
        of an Avg channel).
        """
        channels = self.channels
        if same_factor:
            candidates = channels.filter(pl.col("field") == field).select(
                "bid", "factor", pl.col("sid").alias("partner")
            )
            keyed = channels.join(candidates, on=["bid", "factor"], how="left", maintain_order="left")
        else:
            wanted = pl.col("role") == role
            if field is not None:
                wanted = wanted & (pl.col("field") == field)
            elif role == "state":
                wanted = wanted & (pl.col("field") == STATE_FIELD)
            else:
                wanted = wanted & pl.col("field").is_in(MEASURED_FIELDS)
            candidates = channels.filter(wanted).group_by("bid").agg(pl.col("sid").min().alias("partner"))
            keyed = channels.join(candidates, on="bid", how="left", maintain_order="left")
        return keyed.get_column("partner").fill_null(-1).to_numpy().astype(np.int64)

    def aligned(self, values: FloatArray, partner: IntArray, index: IntArray) -> FloatArray:
        """``values`` of each slot's partner channel at the same time, for the slots ``index``."""
        other = partner[self.sid[index]]
        has = other >= 0
        where = np.where(has, self.offsets[np.maximum(other, 0)] + self.pos[index], 0)
        return np.where(has, values[where], np.nan)


def _flag_codes(flags: pl.Series) -> pl.Expr:
    """Flag text -> code (HJ 212 flags, case and spaces ignored; empty or missing: N; others: OTHER_FLAG).

    The few distinct texts are mapped once, then every row by a single lookup."""
    distinct = [text for text in flags.unique().to_list() if text is not None]
    mapping = {
        text: NORMAL if not text.strip() else FLAG_CODES.get(text.strip().upper(), OTHER_FLAG)
        for text in distinct
    }
    coded = pl.col("flag").replace_strict(mapping, default=OTHER_FLAG, return_dtype=pl.UInt8)
    return pl.when(pl.col("flag").is_null()).then(pl.lit(NORMAL, pl.UInt8)).otherwise(coded)


def build_grid(readings: pl.DataFrame, *, load_factors: frozenset[str] = frozenset({"load"})) -> Grid:
    """Lay typed readings (:data:`~envplan.screening.model.READINGS_SCHEMA`) on regular grids.

    Only the fields the detectors use are kept (measured, converted, amount, state). When two rows fall
    on the same slot, the later row in the input wins. Channels are found through a 64-bit hash of
    (mn, kind, factor, field), which keeps 100 million rows fast; two channels sharing a hash would be
    refused (GridError) rather than mixed up.
    """
    names = ("mn", "kind", "factor", "field")
    rows = (
        readings.lazy()
        .with_row_index("row")
        .filter(pl.col("field").is_in(KEPT_FIELDS))
        .select(
            "row",
            pl.struct(*names).hash(_HASH_SEED).alias("key"),
            # A second, independent hash: two channels sharing the first would (almost surely) not share it.
            pl.struct(*names).hash(_CHECK_SEED).alias("check"),
            pl.col("time").dt.epoch("ms").alias("ms"),
            pl.col("value").cast(pl.Float64),
            _flag_codes(readings.get_column("flag")).alias("flag"),
        )
        .collect()
    )
    if rows.height == 0:
        return _empty_grid()
    summary = rows.group_by("key").agg(
        pl.col("row").first(),
        pl.col("check").min().alias("check_low"),
        pl.col("check").max().alias("check_high"),
        pl.col("ms").min().alias("first_ms"),
        pl.col("ms").max().alias("last_ms"),
        pl.len().alias("rows"),
    )
    found = pl.concat(
        [summary, readings.select(names)[summary.get_column("row").to_numpy()]], how="horizontal"
    ).drop("row")
    clash = found.filter(pl.col("check_low") != pl.col("check_high"))
    if clash.height:
        row = clash.row(0, named=True)
        raise GridError(f"outlet {row['mn']}: two channels share a hash; rename one of them")
    blocks = _blocks(found, rows)
    channels = (
        found.join(blocks.select("mn", "kind", "bid", "t0", "step", "length"), on=["mn", "kind"])
        .sort("mn", "kind", "factor", "field")
        .with_columns(
            pl.int_range(pl.len(), dtype=pl.Int32).alias("sid"),
            role_expression(pl.col("factor"), pl.col("field"), load_factors).alias("role"),
        )
        .with_columns((pl.col("length").cum_sum() - pl.col("length")).alias("offset"))
    )
    sid = (
        rows.get_column("key")
        .replace_strict(channels.get_column("key"), channels.get_column("sid"), return_dtype=pl.Int32)
        .to_numpy()
    )
    t0 = channels.get_column("t0").to_numpy()[sid]
    step = channels.get_column("step").to_numpy()[sid]
    slot = (rows.get_column("ms").to_numpy() - t0 + step // 2) // step
    index = channels.get_column("offset").to_numpy()[sid] + slot
    channels = channels.select(
        "sid", "bid", "mn", "kind", "factor", "field", "role", "t0", "step", "length", "offset"
    )
    size = int(channels.get_column("length").sum())
    value = np.full(size, np.nan)
    flag = np.zeros(size, dtype=np.uint8)
    value[index] = rows.get_column("value").fill_null(np.nan).to_numpy()
    flag[index] = rows.get_column("flag").to_numpy()
    lengths = channels.get_column("length").to_numpy()
    slots_sid = np.repeat(np.arange(channels.height, dtype=np.int32), lengths)
    starts = np.repeat(channels.get_column("offset").to_numpy(), lengths)
    pos = (np.arange(size, dtype=np.int64) - starts).astype(np.int32)
    return Grid(channels=channels, value=value, flag=flag, sid=slots_sid, pos=pos)


def _blocks(found: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """One row per (mn, kind): bid, t0, step (ms) and grid length; refuses grids far sparser than the data.

    The step comes from the kind (hourly, daily) or else from the commonest gap between the DataTimes of
    the outlet's fullest channel."""
    blocks = (
        found.group_by("mn", "kind")
        .agg(
            pl.col("first_ms").min().alias("t0"),
            pl.col("last_ms").max().alias("t1"),
            pl.col("rows").max().alias("times"),
            pl.col("key").sort_by("rows").last().alias("fullest"),
        )
        .with_columns(
            (
                pl.col("kind")
                .str.to_lowercase()
                .replace_strict(KIND_STEPS, default=None, return_dtype=pl.Int64)
                * 1000
            ).alias("known")
        )
    )
    unknown = blocks.filter(pl.col("known").is_null())
    if unknown.height:
        gaps = (
            rows.filter(pl.col("key").is_in(unknown.get_column("fullest").implode()))
            .select("key", "ms")
            .unique()
            .sort("key", "ms")
            .with_columns(pl.col("ms").diff().over("key").alias("gap"))
            .filter(pl.col("gap") > 0)
            .group_by("key", "gap")
            .len()
            .sort("key", "len", "gap", descending=[False, True, False])
            .group_by("key", maintain_order=True)
            .agg(pl.col("gap").first().alias("common_gap"))
        )
        blocks = blocks.join(gaps, left_on="fullest", right_on="key", how="left")
    else:
        blocks = blocks.with_columns(pl.lit(None, pl.Int64).alias("common_gap"))
    blocks = (
        blocks.with_columns(pl.coalesce("known", "common_gap", pl.lit(3_600_000, pl.Int64)).alias("step"))
        .with_columns(
            ((pl.col("t1") - pl.col("t0") + pl.col("step") // 2) // pl.col("step") + 1).alias("length")
        )
        .sort("mn", "kind")
        .with_columns(pl.int_range(pl.len(), dtype=pl.Int32).alias("bid"))
    )
    too_sparse = blocks.filter(pl.col("length") > pl.col("times") * MAX_SLOTS_PER_VALUE + SLACK_SLOTS)
    if too_sparse.height:
        row = too_sparse.row(0, named=True)
        raise GridError(
            f"outlet {row['mn']} ({row['kind']}): {row['times']} DataTimes spread over {row['length']} "
            f"slots of {row['step'] // 1000} s; check for a stray date"
        )
    return blocks


def _empty_grid() -> Grid:
    channels = pl.DataFrame(
        schema={
            "sid": pl.Int32,
            "bid": pl.Int32,
            "mn": pl.String,
            "kind": pl.String,
            "factor": pl.String,
            "field": pl.String,
            "role": pl.String,
            "t0": pl.Int64,
            "step": pl.Int64,
            "length": pl.Int64,
            "offset": pl.Int64,
        }
    )
    return Grid(
        channels=channels,
        value=np.empty(0),
        flag=np.empty(0, dtype=np.uint8),
        sid=np.empty(0, dtype=np.int32),
        pos=np.empty(0, dtype=np.int32),
    )
