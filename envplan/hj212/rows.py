"""Decoded segments -> long rows keyed for exactly-once storage.

Each value is keyed by (mn, kind, time, factor, field) after reassembly; a frame resent after a lost
reply yields the same keys, so the lake de-duplicates on them (:func:`deduplicate`).

Schema of :func:`segments_to_rows`:

========  ===============================  =============================================================
column    type                             meaning
========  ===============================  =============================================================
mn        Utf8                             device id as sent
kind      Utf8                             realtime / minute / hourly / daily / state / runtime (by CN)
time      Datetime(ms, "Asia/Shanghai")    DataTime (start of the period for minute/hour/day data)
factor    Utf8                             factor code as sent
field     Utf8                             Rtd, Avg, Min, Max, Cou, ZsRtd, ZsAvg, ...
value     Float64                          the number
flag      Utf8 (nullable)                  the factor's data flag (HJ 212-2017 Table 8)
code2017  Utf8                             factor code mapped to 2017 (HJ/T 212-2005 codes by system)
st        Utf8                             system code
qn        Utf8 (nullable)                  QN of the (first) frame that carried the value
variants  Utf8 (nullable)                  the deviations its frame(s) came with, comma-separated in
                                           the order of envplan.hj212.tolerance.ORDER (null: none)
========  ===============================  =============================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import NamedTuple

import polars as pl

from envplan.hj212.codes import DATA_KINDS, code_2017
from envplan.hj212.errors import HJ212Error
from envplan.hj212.frame import split_frame
from envplan.hj212.reassembly import SplitReassembler
from envplan.hj212.segment import DataSegment, parse_segment
from envplan.hj212.tolerance import segment_variants

KEY: tuple[str, ...] = ("mn", "kind", "time", "factor", "field")
SCHEMA: dict[str, pl.DataType] = {
    "mn": pl.Utf8(),
    "kind": pl.Utf8(),
    "time": pl.Datetime("ms", "Asia/Shanghai"),
    "factor": pl.Utf8(),
    "field": pl.Utf8(),
    "value": pl.Float64(),
    "flag": pl.Utf8(),
    "code2017": pl.Utf8(),
    "st": pl.Utf8(),
    "qn": pl.Utf8(),
    "variants": pl.Utf8(),
}


def segments_to_rows(segments: Iterable[DataSegment]) -> pl.DataFrame:
    """Values of data uploads (CN 2011/2021/2031/2041/2051/2061) as long rows; other commands are skipped,
    as are data segments without a DataTime (they cannot be keyed)."""
    columns: dict[str, list[object]] = {name: [] for name in SCHEMA}
    for segment in segments:
        header = segment.header
        kind = DATA_KINDS.get(header.cn)
        data_time = segment.cp.data_time
        if kind is None or data_time is None:
            continue
        qn = segment.qns[0] if segment.qns else header.qn
        variants = ",".join(segment.variants) or None
        for factor, record in segment.cp.factors.items():
            mapped = code_2017(factor, header.st)
            for name, value in record.values.items():
                columns["mn"].append(header.mn)
                columns["kind"].append(kind)
                columns["time"].append(data_time)
                columns["factor"].append(factor)
                columns["field"].append(name)
                columns["value"].append(value)
                columns["flag"].append(record.flag)
                columns["code2017"].append(mapped)
                columns["st"].append(header.st)
                columns["qn"].append(qn)
                columns["variants"].append(variants)
    return pl.DataFrame(columns, schema=SCHEMA)


def deduplicate(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per key, the first one received kept (rows are in landing order)."""
    return rows.unique(subset=list(KEY), keep="first", maintain_order=True)


class FrameRead(NamedTuple):
    """What :meth:`RowBuilder.add` made of one frame: the error that makes it unusable (or None), and the
    deviations it came with."""

    error: str | None
    variants: tuple[str, ...]


class RowBuilder:
    """Landed frames (in landing order) -> rows, a frame at a time, for a reader that goes through a
    backlog in chunks: split packets are reassembled across chunks, and :meth:`take_rows` gives the rows
    of the whole segments completed since its last call.

    The receiver judged CRC and header before landing; the CP is parsed only here, so a frame can still
    be unusable (e.g. a malformed DataTime): :meth:`add` says so, and names the frame's deviations.
    ``origin`` orders the frames' sources (the ingest passes the index of the landing file):
    :meth:`oldest_pending` is the smallest origin of a split packet still waiting for parts, whose source
    must therefore be kept."""

    def __init__(self, *, max_groups: int = 10_000) -> None:
        self.reassembler = SplitReassembler(max_age=float("inf"), max_groups=max_groups)
        self._segments: list[DataSegment] = []

    def add(self, raw: bytes, *, origin: float = 0.0) -> FrameRead:
        try:
            frame = split_frame(raw)
            segment = parse_segment(frame.segment)
            variants = frame.variants + segment_variants(segment)
            whole = self.reassembler.feed(replace(segment, variants=variants), now=origin)
        except HJ212Error as exc:
            return FrameRead(str(exc), ())
        if whole is not None:
            self._segments.append(whole)
        return FrameRead(None, variants)

    def take_rows(self) -> pl.DataFrame:
        segments, self._segments = self._segments, []
        return segments_to_rows(segments)

    def oldest_pending(self) -> float | None:
        return self.reassembler.oldest_pending()


def frames_to_rows(frames: Iterable[bytes]) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
    """Landed frames (in landing order) -> rows, after reassembling split packets, and the (index, error)
    of every unusable frame (see :class:`RowBuilder`).  Split packets whose parts are not all present stay
    out of the rows."""
    builder = RowBuilder()
    errors: list[tuple[int, str]] = []
    for index, raw in enumerate(frames):
        error = builder.add(raw).error
        if error is not None:
            errors.append((index, error))
    return builder.take_rows(), errors
