"""Shared, cached computations over a grid: channel subsets, window moments, per-day buckets.

Several detectors and the baselines need the same things: the standard deviation of a channel over the
last 24, 72 or 168 hours, the mean of its compressed level before and after each slot, counts per day.
:class:`Features` computes each once, from prefix sums over the channels that need it (a window of any
length is then a difference of two prefix sums), and keeps it for the next caller.

Arrays returned are full-size (one entry per grid slot, NaN outside the subset) unless said otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import polars as pl

from envplan.screening.grid import BoolArray, FloatArray, Grid, Int32Array, IntArray
from envplan.screening.model import MEASURED_FIELDS
from envplan.screening.options import ScanOptions

SAMPLE_PER_CHANNEL: Final = 4096
PERCENTILES: Final = (0.01, 0.05, 0.10, 0.25, 0.75, 0.90, 0.95, 0.99)
MAX_DECIMALS: Final = 6
COVARIATE_ROLES: Final = ("load", "flow", "temperature")


def decimals(values: FloatArray) -> IntArray:
    """Number of decimals each value is written with (at most MAX_DECIMALS; NaN gives 0)."""
    result = np.full(values.shape, MAX_DECIMALS, dtype=np.int64)
    finite = np.isfinite(values)
    undecided = finite.copy()
    for places in range(MAX_DECIMALS + 1):
        scaled = values * 10.0**places
        exact = undecided & (np.abs(scaled - np.round(scaled)) <= 1e-6 + 1e-9 * np.abs(scaled))
        result[exact] = places
        undecided &= ~exact
    result[~finite] = 0
    return result


def last_digits(values: FloatArray, resolution: FloatArray) -> IntArray:
    """The last digit (0-9) of each value written at its resolution: ``np.mod(np.round(values /
    resolution), 10)`` for finite values. Below 2**52 the remainder is taken as q - 10 floor(q / 10),
    exact for such integers and several times cheaper than NumPy's floating-point modulo."""
    units = np.round(values / resolution)
    if units.size and float(np.max(np.abs(units))) >= 2.0**52:
        return np.mod(units, 10).astype(np.int64)
    return (units - 10.0 * np.floor(units / 10.0)).astype(np.int64)


@dataclass(frozen=True, slots=True)
class Slots:
    """The slots of some channels, in grid order: a channel's slots stay contiguous, so rolling windows
    over these arrays work as over the whole grid."""

    index: IntArray
    sid: Int32Array
    pos: Int32Array
    channels: IntArray  # the channels (sids) in the subset
    lengths: IntArray  # their lengths

    @classmethod
    def of(cls, grid: Grid, chosen_channels: BoolArray) -> Slots:
        channels = np.flatnonzero(chosen_channels)
        lengths = grid.lengths[channels]
        total = int(lengths.sum())
        # Built from the channels' extents (the slots of a channel are offset .. offset + length - 1),
        # without a pass over the whole grid.
        local_start = np.cumsum(lengths) - lengths
        local = np.arange(total, dtype=np.int64)
        pos = local - np.repeat(local_start, lengths)
        index = np.repeat(grid.offsets[channels], lengths) + pos
        sid = np.repeat(channels.astype(np.int32), lengths)
        return cls(index=index, sid=sid, pos=pos.astype(np.int32), channels=channels, lengths=lengths)

    @property
    def size(self) -> int:
        return int(self.index.size)

    def remaining(self) -> IntArray:
        """Slots after each one in its channel."""
        return np.asarray(np.repeat(self.lengths, self.lengths) - 1 - self.pos, dtype=np.int64)

    def expand(self, per_channel: np.ndarray) -> np.ndarray:
        """One entry per channel of the grid -> one per slot of the subset (``per_channel[self.sid]``)."""
        return np.repeat(per_channel[self.channels], self.lengths)

    def edge(self, slots: int, *, at_end: bool = False) -> tuple[IntArray, IntArray]:
        """The first (or with ``at_end`` the last) ``slots`` entries of each channel of the subset: their
        indices in the subset, and their distance from the channel's start (or end). Shifted windows
        and lags go wrong only there, so they are fixed there instead of testing every slot."""
        counts = np.minimum(self.lengths, max(slots, 0))
        within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        starts = np.cumsum(self.lengths) - self.lengths
        if at_end:
            return np.repeat(starts + self.lengths - 1, counts) - within, within
        return np.repeat(starts, counts) + within, within

    @property
    def stretches(self) -> list[tuple[int, int, int]]:
        """(start in the subset, start in the grid, length) of each run of adjacent channels: the subset
        is a few long stretches of the grid, copied by slices rather than slot by slot."""
        if self.channels.size == 0:
            return []
        follows = np.r_[False, self.channels[1:] == self.channels[:-1] + 1]
        firsts = np.flatnonzero(~follows)
        local = np.cumsum(self.lengths) - self.lengths
        ends = np.append(local[1:], self.size)
        lasts = np.append(firsts[1:], self.channels.size) - 1
        return [
            (int(local[a]), int(self.index[local[a]]), int(ends[b] - local[a]))
            for a, b in zip(firsts.tolist(), lasts.tolist(), strict=True)
        ]

    def gather(self, values: np.ndarray) -> np.ndarray:
        """``values[self.index]`` (full-size values -> the subset's slots)."""
        parts = [values[grid : grid + length] for _, grid, length in self.stretches]
        return np.concatenate(parts) if parts else values[:0].copy()

    def scatter(self, values: np.ndarray, grid: Grid, fill: float = np.nan) -> FloatArray:
        """The subset's values laid on the full grid, ``fill`` elsewhere."""
        result = np.full(grid.size, fill)
        for local, start, length in self.stretches:
            result[start : start + length] = values[local : local + length]
        return result


def _uniform(per_channel: IntArray, slots: Slots) -> int | None:
    """The common value of ``per_channel`` over the channels of ``slots``, or None if they differ."""
    if slots.size == 0 or slots.channels.size == 0:
        return None
    values = per_channel[slots.channels]
    return int(values[0]) if bool(np.all(values == values[0])) else None


def channel_cumsum(values: np.ndarray, slots: Slots) -> np.ndarray:
    """Cumulative sums that start again at each channel of the subset.

    Summed channel by channel (a loop over channels, not values), so that a channel's sums do not
    depend on which other channels share the grid: the same outlet gives the same findings whether it
    is screened alone or in a partition of thousands."""
    result = np.empty(slots.size, dtype=np.float64)
    starts = (
        np.flatnonzero(np.r_[True, slots.sid[1:] != slots.sid[:-1]]) if slots.size else np.empty(0, np.int64)
    )
    ends = np.append(starts[1:], slots.size)
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        np.cumsum(values[start:end], out=result[start:end])
    return result


def window_sums(prefix: np.ndarray, window: IntArray, slots: Slots) -> np.ndarray:
    """Sum over the ``window[channel]`` slots ending at each slot, from per-channel cumulative sums
    (:func:`channel_cumsum`); NaN where the window would start before the channel. Slices when all
    windows are equal."""
    common = _uniform(window, slots)
    if common is not None and common > slots.size:
        return np.full(slots.size, np.nan)
    if common is not None:
        total = np.empty(slots.size, dtype=np.float64)
        total[:common] = prefix[:common]
        np.subtract(prefix[common:], prefix[: slots.size - common], out=total[common:])
        # Where the window reaches into the previous channel, it subtracted that channel's sums: undo
        # that for the window starting at the channel's first slot, and void the shorter ones.
        index, pos = slots.edge(common)
        whole = index[pos == common - 1]
        total[whole] = prefix[whole]
        total[index[pos < common - 1]] = np.nan
        return total
    per_slot = slots.expand(window)
    pos = slots.pos.astype(np.int64)
    local = np.arange(slots.size, dtype=np.int64)
    earlier = np.where(pos >= per_slot, prefix[np.maximum(local - per_slot, 0)], 0.0)
    return np.where(pos >= per_slot - 1, prefix - earlier, np.nan)


def shifted(values: np.ndarray, steps: IntArray, slots: Slots, *, later: bool) -> np.ndarray:
    """The value ``steps[channel]`` slots later (``later``) or earlier in the same channel; NaN past the
    channel's end or before its start."""
    common = _uniform(steps, slots)
    if common is not None and common >= slots.size:
        return np.full(slots.size, np.nan)
    if common is not None:
        moved = np.empty(slots.size, dtype=np.float64)
        if later:
            moved[: slots.size - common] = values[common:]
        else:
            moved[common:] = values[: slots.size - common]
        moved[slots.edge(common, at_end=later)[0]] = np.nan
        return moved
    per_slot = slots.expand(steps)
    local = np.arange(slots.size, dtype=np.int64)
    if later:
        moved = values[np.minimum(local + per_slot, slots.size - 1)]
        room = slots.remaining()
    else:
        moved = values[np.maximum(local - per_slot, 0)]
        room = slots.pos.astype(np.int64)
    return np.where(room >= per_slot, moved, np.nan)


@dataclass(slots=True)
class Buckets:
    """Slots grouped per channel and day (bucket = a day of slots, counted from the channel's first
    slot): ``id`` per slot of the subset, and for each bucket its channel, last slot and size."""

    slots: Slots
    id: IntArray
    sid: Int32Array
    last_pos: IntArray
    count: int
    starts: IntArray  # where each bucket begins in the subset (buckets are contiguous and never empty)

    def counts(self, mask: BoolArray) -> IntArray:
        """How many slots of the subset in each bucket are True (``mask`` over the subset)."""
        if self.count == 0:
            return np.zeros(0, dtype=np.int64)
        return np.asarray(np.add.reduceat(mask, self.starts, dtype=np.int64), dtype=np.int64)

    def rolling(self, per_bucket: np.ndarray, buckets: IntArray) -> np.ndarray:
        """Sums over the last ``buckets`` buckets of the same channel (per-bucket lengths; fewer at the
        start of a channel, see :meth:`used`)."""
        prefix = np.concatenate(([0.0], np.cumsum(per_bucket, dtype=np.float64)))
        local = np.arange(self.count, dtype=np.int64)
        first = self.first_of_channel
        start = np.maximum(local + 1 - buckets, first)
        return np.asarray(prefix[local + 1] - prefix[start], dtype=np.float64)

    def used(self, buckets: IntArray) -> IntArray:
        """How many buckets each window of :meth:`rolling` really covers."""
        local = np.arange(self.count, dtype=np.int64)
        return np.asarray(local + 1 - np.maximum(local + 1 - buckets, self.first_of_channel), dtype=np.int64)

    @property
    def first_of_channel(self) -> IntArray:
        change = np.ones(self.count, dtype=bool)
        change[1:] = self.sid[1:] != self.sid[:-1]
        return np.maximum.accumulate(np.where(change, np.arange(self.count), 0)).astype(np.int64)

    def cover(self, flagged: BoolArray, buckets: IntArray) -> BoolArray:
        """Buckets inside a window of ``buckets`` buckets ending at a flagged bucket (same channel)."""
        change = np.zeros(self.count + 1, dtype=np.int32)
        last = np.flatnonzero(flagged)
        first = np.maximum(last + 1 - buckets[last], self.first_of_channel[last])
        np.add.at(change, first, 1)
        np.add.at(change, last + 1, -1)
        return np.asarray(np.cumsum(change[:-1]) > 0, dtype=np.bool_)

    def to_slots(self, per_bucket: BoolArray, grid: Grid) -> BoolArray:
        """Full-size mask of the subset's slots whose bucket is True."""
        result = np.zeros(grid.size, dtype=np.bool_)
        result[self.slots.index] = per_bucket[self.id]
        return result


@dataclass
class Features:
    """Cached computations over one grid (see the module docstring)."""

    grid: Grid
    options: ScanOptions
    x: FloatArray = field(init=False)
    sampled: BoolArray = field(init=False)
    summary: pl.DataFrame = field(init=False)
    _cache: dict[object, object] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.x = self.grid.valid()
        self.sampled = sampled_slots(self.grid)
        self.summary = self._summarise()

    # ----------------------------------------------------------------------------------- per channel

    def _summarise(self) -> pl.DataFrame:
        """Per channel (sid order): values, decimals, resolution, median, percentiles, running median."""
        grid, x = self.grid, self.x
        channels = grid.channels.select("sid")
        sample = sample_of(x, grid, self.sampled)
        per_value = pl.DataFrame({"sid": grid.sid[sample], "x": x[sample], "places": decimals(x[sample])})
        quantiles = per_value.group_by("sid").agg(
            pl.col("places").median().alias("places"),
            pl.col("x").median().alias("median"),
            *[
                pl.col("x").quantile(q, interpolation="linear").alias(f"p{round(q * 100):02d}")
                for q in PERCENTILES
            ],
            pl.col("x")
            .filter(pl.col("x") >= 0.2 * pl.col("x").quantile(0.95))
            .median()
            .alias("running_median"),
        )
        summary = channels.join(quantiles, on="sid", how="left").sort("sid")
        counts = grid.count(np.isfinite(x))
        return summary.with_columns(
            pl.Series("values", counts.astype(np.int64)),
            (10.0 ** -pl.col("places").fill_null(0)).alias("resolution"),
        )

    def channel(self, name: str) -> FloatArray:
        """A summary column per channel as floats (NaN where missing)."""
        return self.summary.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()

    def slots_per(self, hours: float) -> IntArray:
        """A duration in slots of each channel (at least 1)."""
        step = self.grid.channels.get_column("step").to_numpy().astype(np.float64)
        return np.maximum(np.round(hours * 3_600_000.0 / step), 1).astype(np.int64)

    # ----------------------------------------------------------------------------------- subsets

    def chosen(self, name: str) -> BoolArray:
        """Per channel: pollutant (measured field), covariate (load, flow, temperature, measured field),
        spread (pollutants, covariates and O2), measured (any role but state and auxiliary, measured
        field)."""
        channels = self.grid.channels
        measured = channels.get_column("field").is_in(MEASURED_FIELDS).to_numpy()
        role = channels.get_column("role").to_numpy()
        if name == "pollutant":
            return np.asarray(measured & (role == "pollutant"))
        if name == "covariate":
            return np.asarray(measured & np.isin(role, COVARIATE_ROLES))
        if name == "spread":
            return np.asarray(measured & np.isin(role, ("pollutant", "oxygen", *COVARIATE_ROLES)))
        if name == "measured":
            return np.asarray(measured & ~np.isin(role, ("state", "auxiliary")))
        raise ValueError(name)

    def slots(self, name: str, chosen: BoolArray | None = None) -> Slots:
        """The slots of subset ``name`` (one of :meth:`chosen`'s, or a named mask of channels)."""
        key = ("slots", name)
        if key not in self._cache:
            self._cache[key] = Slots.of(self.grid, self.chosen(name) if chosen is None else chosen)
        found = self._cache[key]
        assert isinstance(found, Slots)
        return found

    # ----------------------------------------------------------------------------------- moments

    def _prefix(self, name: str, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Prefix sums (count, sum, sum of squares) of the finite values over subset ``name``."""
        key = ("prefix", name)
        if key not in self._cache:
            finite = np.isfinite(values)
            clean = np.where(finite, values, 0.0)
            slots = self.slots(name if name != "compressed" else "spread")
            self._cache[key] = (
                channel_cumsum(finite.astype(np.float64), slots),
                channel_cumsum(clean, slots),
                channel_cumsum(clean * clean, slots),
            )
        found = self._cache[key]
        assert isinstance(found, tuple)
        return found

    def scaled(self) -> np.ndarray:
        """Valid values of the spread subset, centred on the channel median and scaled by its IQR (so
        that prefix sums stay small)."""
        key = ("scaled",)
        if key not in self._cache:
            slots = self.slots("spread")
            median = np.nan_to_num(self.channel("median"))
            iqr = self.channel("p75") - self.channel("p25")
            scale = np.where(np.isfinite(iqr) & (iqr > 0), iqr, np.maximum(np.abs(median), 1.0))
            self._cache[("scale",)] = scale
            self._cache[key] = (slots.gather(self.x) - slots.expand(median)) / slots.expand(scale)
        found = self._cache[key]
        assert isinstance(found, np.ndarray)
        return found

    def spread(self, hours: float, min_coverage: float, log: bool = False) -> tuple[FloatArray, IntArray]:
        """Standard deviation of the valid values over the last ``hours`` (spread subset; full-size,
        in the channel's units, or with ``log`` of the compressed level y, a relative spread) and the
        window in slots per channel; NaN below the coverage."""
        key = ("spread", hours, min_coverage, log)
        windows = self.slots_per(hours)
        if key not in self._cache:
            slots = self.slots("spread")
            if log:
                y, _ = self.compressed()
                count, total, squares = self._prefix("compressed", y)
            else:
                count, total, squares = self._prefix("spread", self.scaled())
            n = window_sums(count, windows, slots)
            s1 = window_sums(total, windows, slots)
            s2 = window_sums(squares, windows, slots)
            least = np.where(windows >= 3, np.maximum(np.ceil(min_coverage * windows), 2), np.inf)
            enough = n >= slots.expand(least)
            # fmax: a NaN count (window before the channel's start) counts as 2, as nan_to_num then max.
            safe = np.fmax(n, 2.0)
            s1 *= s1
            s1 /= safe
            s2 -= s1
            safe -= 1.0
            s2 /= safe
            np.maximum(s2, 0.0, out=s2)
            std = np.sqrt(s2, out=s2)
            std[~enough] = np.nan
            if not log:
                self.scaled()
                scale = self._cache[("scale",)]
                assert isinstance(scale, np.ndarray)
                std *= slots.expand(scale)
            self._cache[key] = slots.scatter(std, self.grid)
        found = self._cache[key]
        assert isinstance(found, np.ndarray)
        return found, windows

    def window_mean(self, hours: float, min_coverage: float) -> FloatArray:
        """Mean of the valid values over the last ``hours`` (spread subset, full-size)."""
        key = ("mean", hours, min_coverage)
        if key not in self._cache:
            slots = self.slots("spread")
            z = self.scaled()
            count, total, _ = self._prefix("spread", z)
            windows = self.slots_per(hours)
            n = window_sums(count, windows, slots)
            s1 = window_sums(total, windows, slots)
            enough = n >= slots.expand(np.maximum(np.ceil(min_coverage * windows), 1))
            scale = self._cache[("scale",)]
            assert isinstance(scale, np.ndarray)
            median = np.nan_to_num(self.channel("median"))
            s1 /= np.fmax(n, 1.0)
            s1[~enough] = np.nan
            mean = s1 * slots.expand(scale) + slots.expand(median)
            self._cache[key] = slots.scatter(mean, self.grid)
        found = self._cache[key]
        assert isinstance(found, np.ndarray)
        return found

    def spread_at(self, hours: float, index: IntArray) -> FloatArray:
        """Standard deviation (channel's units) of the valid values over the ``hours`` ending at the
        slots ``index`` (of the spread subset), computed only there (for explanations)."""
        slots = self.slots("spread")
        local = np.searchsorted(slots.index, index)
        count, total, squares = self._prefix("spread", self.scaled())
        window = self.slots_per(hours)[slots.sid[local]]
        earlier = np.where(slots.pos[local] >= window, local - window, -1)

        def summed(prefix: np.ndarray) -> np.ndarray:
            return np.asarray(prefix[local] - np.where(earlier >= 0, prefix[np.maximum(earlier, 0)], 0.0))

        n, s1, s2 = summed(count), summed(total), summed(squares)
        scale = self._cache[("scale",)]
        assert isinstance(scale, np.ndarray)
        with np.errstate(invalid="ignore", divide="ignore"):
            variance = (s2 - s1 * s1 / n) / (n - 1.0)
        return np.asarray(np.sqrt(np.maximum(variance, 0.0)) * scale[slots.sid[local]], dtype=np.float64)

    def window_mean_at(self, hours: float, index: IntArray) -> FloatArray:
        """Mean of the valid values over the ``hours`` ending at the slots ``index`` (of the spread subset),
        computed only there (for explanations)."""
        slots = self.slots("spread")
        local = np.searchsorted(slots.index, index)
        count, total, _ = self._prefix("spread", self.scaled())
        window = self.slots_per(hours)[slots.sid[local]]
        earlier = np.where(slots.pos[local] >= window, local - window, -1)
        n = count[local] - np.where(earlier >= 0, count[np.maximum(earlier, 0)], 0.0)
        s1 = total[local] - np.where(earlier >= 0, total[np.maximum(earlier, 0)], 0.0)
        scale = self._cache[("scale",)]
        assert isinstance(scale, np.ndarray)
        median = np.nan_to_num(self.channel("median"))
        sid = slots.sid[local]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.where(n > 0, s1 / n, np.nan) * scale[sid] + median[sid], dtype=np.float64)

    # ----------------------------------------------------------------------------------- levels

    def compressed(self) -> tuple[np.ndarray, FloatArray]:
        """y = log(clip(value, p01, p99) + c), c a twentieth of the median level, over the spread
        subset (subset-sized), and c per channel."""
        key = ("compressed",)
        if key not in self._cache:
            slots = self.slots("spread")
            median = np.abs(self.channel("median"))
            offset = np.where(np.isfinite(median) & (median > 0), 0.05 * median, 1e-3)
            low, high = self.channel("p01"), self.channel("p99")
            x = slots.gather(self.x)
            clipped = np.clip(x, slots.expand(low), slots.expand(high))
            clipped = np.where(np.isfinite(clipped), clipped, x)
            with np.errstate(invalid="ignore"):
                y = np.log(np.maximum(clipped, 0.0) + slots.expand(offset))
            self._cache[key] = (y, offset)
        found = self._cache[key]
        assert isinstance(found, tuple)
        return found

    def around(self, hours: float, min_coverage: float) -> tuple[FloatArray, FloatArray]:
        """Mean of y over the ``hours`` before each slot and over the ``hours`` from it on (over the
        spread subset: entry i is slot ``slots("spread").index[i]``)."""
        key = ("around", hours, min_coverage)
        if key not in self._cache:
            slots = self.slots("spread")
            y, _ = self.compressed()
            count, total, _ = self._prefix("compressed", y)
            windows = self.slots_per(hours)
            n = window_sums(count, windows, slots)
            s1 = window_sums(total, windows, slots)
            least = np.where(windows >= 2, np.maximum(np.ceil(min_coverage * windows), 1), np.inf)
            enough = n >= slots.expand(least)
            mean = s1 / np.fmax(n, 1.0)
            mean[~enough] = np.nan
            before = shifted(mean, np.ones(self.grid.channels.height, dtype=np.int64), slots, later=False)
            after = shifted(mean, windows - 1, slots, later=True)
            self._cache[key] = (before, after)
        found = self._cache[key]
        assert isinstance(found, tuple)
        return found

    def around_at(self, hours: float, min_coverage: float, index: IntArray) -> tuple[FloatArray, FloatArray]:
        """:meth:`around` at the grid slots ``index`` (slots of the spread subset)."""
        before, after = self.around(hours, min_coverage)
        local = np.searchsorted(self.slots("spread").index, index)
        return before[local], after[local]

    def step(self, hours: float, min_coverage: float) -> FloatArray:
        """Mean of y over the window from each slot on minus the mean over the window before it
        (full-size)."""
        key = ("step", hours, min_coverage)
        if key not in self._cache:
            before, after = self.around(hours, min_coverage)
            self._cache[key] = self.slots("spread").scatter(after - before, self.grid)
        found = self._cache[key]
        assert isinstance(found, np.ndarray)
        return found

    # ----------------------------------------------------------------------------------- buckets

    def buckets(self, name: str, chosen: BoolArray | None = None) -> Buckets:
        """Day buckets over subset ``name`` (as for :meth:`slots`)."""
        key = ("buckets", name)
        if key not in self._cache:
            chosen = self.chosen(name) if chosen is None else chosen
            slots = self.slots(name, chosen)
            day = self.slots_per(24.0)
            per_channel = -(-self.grid.lengths // day)  # ceil: buckets per channel
            per_channel = np.where(chosen, per_channel, 0)
            first_bucket = np.cumsum(per_channel) - per_channel
            within = slots.pos.astype(np.int64) // slots.expand(day)
            ids = slots.expand(first_bucket) + within
            count = int(per_channel.sum())
            bucket_sid = np.repeat(np.arange(self.grid.channels.height, dtype=np.int32), per_channel)
            bucket_index = np.arange(count, dtype=np.int64) - np.repeat(first_bucket, per_channel)
            last_pos = np.minimum((bucket_index + 1) * day[bucket_sid] - 1, self.grid.lengths[bucket_sid] - 1)
            channel_start = np.zeros(self.grid.channels.height, dtype=np.int64)
            channel_start[slots.channels] = np.cumsum(slots.lengths) - slots.lengths
            starts = channel_start[bucket_sid] + bucket_index * day[bucket_sid]
            self._cache[key] = Buckets(
                slots=slots, id=ids, sid=bucket_sid, last_pos=last_pos, count=count, starts=starts
            )
        found = self._cache[key]
        assert isinstance(found, Buckets)
        return found


def sample_of(values: FloatArray, grid: Grid, mask: BoolArray | None = None) -> IntArray:
    """Slots with a finite value, every k-th slot of a channel so that each channel gives at most
    SAMPLE_PER_CHANNEL of them (for statistics that need sorting: percentiles, medians). ``mask``: the
    sampled slots, when already known (:attr:`Features.sampled`)."""
    keep = np.isfinite(values)
    if mask is None:
        mask = sampled_slots(grid)
    return np.flatnonzero(keep & mask)


def sampled_slots(grid: Grid) -> BoolArray:
    """Every k-th slot of each channel (k = ceil(length / SAMPLE_PER_CHANNEL)), from its first slot on."""
    stride = np.maximum(-(-grid.lengths // SAMPLE_PER_CHANNEL), 1)
    if int(stride.max(initial=1)) == 1:
        return np.ones(grid.size, dtype=np.bool_)
    # Positions 0, k, 2k, ... of each channel, set directly rather than testing every slot.
    counts = -(-grid.lengths // stride)
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    result = np.zeros(grid.size, dtype=np.bool_)
    result[np.repeat(grid.offsets, counts) + within * np.repeat(stride, counts)] = True
    return result
