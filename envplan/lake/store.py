"""The Parquet time-series lake: `<root>/<kind>/date=YYYY-MM-DD/<part>.parquet` (hive partitioning).

Files are named `part-<seq:012d>-<seq_first:012d>-<uuid>.parquet`. `seq` grows with every append to a
kind (the largest sequence number of the kind plus one), so "keep last" follows write order: rows of a
higher `seq` win, and inside one file the later row wins. A compacted file carries the range
`seq_first..seq` of the files it replaced; readers ignore any other file of the same partition whose
`seq` falls inside that range, so the rename of the compacted file is the single commit point of a
compaction and a crash before the old files are unlinked never shows a row twice.

Every write goes to a hidden temporary file in the target folder, is flushed to disk, and is renamed
into place (atomic on POSIX file systems). Concurrent appends to one kind are each atomic; their relative
order is not defined.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

import duckdb
import polars as pl

from envplan.lake.landing import fsync_dir

PARTITION = "date"
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")
_PART = re.compile(r"^part-(?P<seq>\d{12})-(?P<first>\d{12})-[0-9a-f]{32}\.parquet$")
_ROW = "__lake_row"
_SEQ = "__lake_seq"


class LakeError(ValueError):
    """Bad kind name, missing partition column or an unusable root."""


@dataclass(frozen=True, slots=True, order=True)
class PartFile:
    seq: int
    first: int
    path: Path

    @property
    def partition(self) -> str:
        return self.path.parent.name

    @property
    def compacted(self) -> bool:
        return self.first != self.seq


def _root_path(root: str | os.PathLike[str]) -> Path:
    text = os.fspath(root)
    if "://" in text:
        url = urlparse(text)
        if url.scheme != "file":
            raise LakeError(f"unsupported lake URL scheme '{url.scheme}' (only local paths and file://)")
        if url.netloc not in ("", "localhost"):
            raise LakeError(f"file URL with a remote host is not supported: {text}")
        return Path(unquote(url.path))
    return Path(text)


def _write_atomic(frame: pl.DataFrame, target: Path) -> None:
    """Write `frame` to a hidden temporary file next to `target`, fsync, rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".tmp-{uuid.uuid4().hex}.parquet"
    try:
        frame.write_parquet(temporary)
        fd = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


class Lake:
    """A local Parquet lake rooted at a folder (or a `file://` URL)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = _root_path(root)

    # -- layout -------------------------------------------------------------------------------------------
    def kind_path(self, kind: str) -> Path:
        if not _KIND.match(kind):
            raise LakeError(f"invalid kind name '{kind}' (lower-case letters, digits, underscores)")
        return self.root / kind

    def files(self, kind: str) -> list[PartFile]:
        """All part files of a kind, superseded ones included, ordered by sequence number."""
        base = self.kind_path(kind)
        if not base.is_dir():
            return []
        found: list[PartFile] = []
        for partition in base.iterdir():
            if not partition.is_dir() or not partition.name.startswith(f"{PARTITION}="):
                continue
            for file in partition.iterdir():
                match = _PART.match(file.name)
                if match:
                    found.append(PartFile(int(match["seq"]), int(match["first"]), file))
        return sorted(found)

    def live_files(self, kind: str) -> list[PartFile]:
        """Part files that readers see: those not replaced by a compacted file of their partition."""
        files = self.files(kind)
        ranges: dict[str, list[tuple[int, int]]] = {}
        for part in files:
            if part.compacted:
                ranges.setdefault(part.partition, []).append((part.first, part.seq))
        live = []
        for part in files:
            covered = any(
                first <= part.seq <= last and (part.first, part.seq) != (first, last)
                for first, last in ranges.get(part.partition, [])
            )
            if not covered:
                live.append(part)
        return live

    def _next_seq(self, kind: str) -> int:
        files = self.files(kind)
        return (files[-1].seq if files else 0) + 1

    # -- writing ------------------------------------------------------------------------------------------
    def append(self, kind: str, frame: pl.DataFrame, *, date_column: str = PARTITION) -> list[Path]:
        """Append rows, one new file per date partition; returns the files written.

        `date_column` (Date or Datetime) gives the partition. A column named `date` is stored in the path
        only (hive), any other partition source column stays in the file.
        """
        if frame.height == 0:
            return []
        if date_column not in frame.columns:
            raise LakeError(f"the frame has no column '{date_column}' to partition by")
        if date_column != PARTITION and PARTITION in frame.columns:
            raise LakeError(f"a column named '{PARTITION}' is reserved for the partition")
        dtype = frame.schema[date_column]
        if dtype == pl.Date:
            key = pl.col(date_column)
        elif isinstance(dtype, pl.Datetime):
            key = pl.col(date_column).dt.date()
        else:
            raise LakeError(f"column '{date_column}' must be a Date or Datetime, not {dtype}")
        keyed = frame.with_columns(key.alias("__lake_partition"))
        if keyed.get_column("__lake_partition").null_count():
            raise LakeError(f"column '{date_column}' has null values")
        seq = self._next_seq(kind)
        written: list[Path] = []
        base = self.kind_path(kind)
        for (day,), part in keyed.partition_by("__lake_partition", as_dict=True, maintain_order=True).items():
            assert isinstance(day, date)
            body = part.drop("__lake_partition", *([PARTITION] if date_column == PARTITION else []))
            target = (
                base
                / f"{PARTITION}={day.isoformat()}"
                / f"part-{seq:012d}-{seq:012d}-{uuid.uuid4().hex}.parquet"
            )
            _write_atomic(body, target)
            written.append(target)
        return written

    def compact(self, kind: str, *, unique_on: Sequence[str] | None = None, min_files: int = 2) -> int:
        """Merge the live files of each partition holding at least `min_files` of them (or any partition
        when `unique_on` is given and it has duplicates to drop) into one file, keeping the last row of each
        `unique_on` key. Returns the number of partitions rewritten."""
        by_partition: dict[Path, list[PartFile]] = {}
        for part in self.live_files(kind):
            by_partition.setdefault(part.path.parent, []).append(part)
        rewritten = 0
        for folder, parts in sorted(by_partition.items()):
            if len(parts) < min_files and unique_on is None:
                continue
            frames = [
                pl.read_parquet(p.path).with_columns(
                    pl.lit(p.seq).alias(_SEQ), pl.int_range(pl.len()).alias(_ROW)
                )
                for p in parts
            ]
            merged = pl.concat(frames, how="diagonal_relaxed").sort(_SEQ, _ROW)
            if unique_on:
                deduplicated = merged.unique(list(unique_on), keep="last", maintain_order=True)
            else:
                deduplicated = merged
            if len(parts) < min_files and deduplicated.height == merged.height:
                continue
            first, last = parts[0].first, parts[-1].seq
            target = folder / f"part-{last:012d}-{first:012d}-{uuid.uuid4().hex}.parquet"
            if first == last:  # one file being de-duplicated: a range that marks the new file as compacted
                first = last - 1
                target = folder / f"part-{last:012d}-{first:012d}-{uuid.uuid4().hex}.parquet"
            _write_atomic(deduplicated.drop(_SEQ, _ROW), target)  # commit point
            for part in parts:
                if part.path != target:
                    part.path.unlink(missing_ok=True)
            fsync_dir(folder)
            rewritten += 1
        return rewritten

    # -- reading ------------------------------------------------------------------------------------------
    def scan(
        self,
        kind: str,
        *,
        unique_on: Sequence[str] | None = None,
        schema: Mapping[str, pl.DataType] | None = None,
    ) -> pl.LazyFrame:
        """Lazy frame over a kind with the hive column `date`; `unique_on` keeps the last row per key.

        Without `schema` the columns are those of the first file; with it, files written before a column
        was added read it as nulls (and columns not in it are left out)."""
        live = self.live_files(kind)
        if not live:
            return pl.LazyFrame()
        paths = [str(p.path) for p in live]
        lazy = pl.scan_parquet(
            paths,
            schema=None if schema is None else dict(schema),
            hive_partitioning=True,
            hive_schema={PARTITION: pl.Date},
            missing_columns="insert",
            extra_columns="ignore",
            include_file_paths=None if not unique_on else "__lake_file",
            row_index_name=None if not unique_on else _ROW,
        )
        if not unique_on:
            return lazy
        seq_of = {str(p.path): p.seq for p in live}
        return (
            lazy.with_columns(pl.col("__lake_file").replace_strict(seq_of, return_dtype=pl.Int64).alias(_SEQ))
            .sort(_SEQ, _ROW)
            .unique(list(unique_on), keep="last", maintain_order=True)
            .drop("__lake_file", _SEQ, _ROW)
        )

    def query(self, sql: str, *, connection: duckdb.DuckDBPyConnection | None = None) -> pl.DataFrame:
        """Run DuckDB SQL where every kind of the lake is a view of the same name (live files only)."""
        con = connection if connection is not None else duckdb.connect()
        try:
            if self.root.is_dir():
                for folder in sorted(self.root.iterdir()):
                    if not folder.is_dir() or not _KIND.match(folder.name):
                        continue
                    live = self.live_files(folder.name)
                    if not live:
                        continue
                    # The view name is a kind folder that matched _KIND, a plain identifier.
                    listing = ", ".join("'" + str(p.path).replace("'", "''") + "'" for p in live)
                    con.execute(
                        f"CREATE OR REPLACE TEMP VIEW {folder.name} AS SELECT * FROM "
                        f"read_parquet([{listing}], hive_partitioning = true, union_by_name = true)"
                    )
            table = con.sql(sql).to_arrow_table()
            result = pl.from_arrow(table)
            assert isinstance(result, pl.DataFrame)
            return result
        finally:
            if connection is None:
                con.close()
