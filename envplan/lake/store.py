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

The root may also be an object store (``s3://bucket/prefix``, any service speaking the S3 API). There an
object appears whole or not at all when its PUT completes, which gives the same guarantee without the
temporary file, and the compaction's commit point is the PUT of the compacted object. Objects are written
and listed through obstore and read by Polars' own object-store reader; both take the endpoint and
credentials from the usual AWS variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_REGION``, ``AWS_ENDPOINT_URL``, ``AWS_ALLOW_HTTP`` ...), as every AWS client does.
"""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

import duckdb
import polars as pl

from envplan.lake.landing import fsync_dir

if TYPE_CHECKING:
    from obstore.store import S3Store

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
    path: PurePath  # a `Path` in a local lake; the object's key under the prefix in an object store

    @property
    def partition(self) -> str:
        return self.path.parent.name

    @property
    def compacted(self) -> bool:
        return self.first != self.seq


OBJECT_STORE_SCHEMES = ("s3",)


def _root_path(root: str | os.PathLike[str]) -> Path:
    text = os.fspath(root)
    if "://" in text:
        url = urlparse(text)
        if url.scheme != "file":
            raise LakeError(
                f"unsupported lake URL scheme '{url.scheme}' (local paths, file:// and s3://bucket/prefix)"
            )
        if url.netloc not in ("", "localhost"):
            raise LakeError(f"file URL with a remote host is not supported: {text}")
        return Path(unquote(url.path))
    return Path(text)


def _write_atomic(frame: pl.DataFrame, target: Path) -> None:
    """Write `frame` to a hidden temporary file next to `target`, fsync, rename."""
    _replace_atomic(target, frame.write_parquet)


def _replace_atomic(target: Path, write: Callable[[Path], object]) -> None:
    """Let `write` fill a hidden temporary file next to `target`, fsync it, rename it over `target` and
    fsync the folder: a reader sees the old file or the whole new one, never a part."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".tmp-{uuid.uuid4().hex}.parquet"
    try:
        write(temporary)
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


def _object_store(url: str) -> tuple[S3Store, str]:
    """The obstore store of an ``s3://bucket/prefix`` URL (configured from the environment), and the
    ``s3://bucket/prefix`` that Polars reads objects under."""
    parsed = urlparse(url)
    if not parsed.netloc:
        raise LakeError(f"lake URL without a bucket: {url}")
    try:
        from obstore.store import S3Store
    except ImportError:  # pragma: no cover - obstore is a dependency; a trimmed install may lack it
        raise LakeError("an s3:// lake needs the obstore package") from None
    prefix = parsed.path.strip("/")
    store = S3Store(parsed.netloc, prefix=prefix or None)
    return store, f"s3://{parsed.netloc}" + (f"/{prefix}" if prefix else "")


class Lake:
    """A Parquet lake rooted at a local folder (or a `file://` URL), or in an object store
    (``s3://bucket/prefix``)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        text = os.fspath(root)
        self.url = text
        self._store: S3Store | None = None
        self._base = ""
        if urlparse(text).scheme in OBJECT_STORE_SCHEMES:
            self._store, self._base = _object_store(text)
            self.root: Path = Path("/")  # unused for object stores; keys are relative to the prefix
        else:
            self.root = _root_path(root)

    @property
    def remote(self) -> bool:
        """Whether the lake is in an object store."""
        return self._store is not None

    # -- layout -------------------------------------------------------------------------------------------
    def kind_path(self, kind: str) -> Path:
        if not _KIND.match(kind):
            raise LakeError(f"invalid kind name '{kind}' (lower-case letters, digits, underscores)")
        return self.root / kind

    def _kind_key(self, kind: str) -> PurePosixPath:
        if not _KIND.match(kind):
            raise LakeError(f"invalid kind name '{kind}' (lower-case letters, digits, underscores)")
        return PurePosixPath(kind)

    def location(self, part: PartFile) -> str:
        """Where a reader (Polars, DuckDB, Spark) finds the part file: a path or an ``s3://`` URL."""
        return f"{self._base}/{part.path}" if self._store is not None else str(part.path)

    def kinds(self) -> list[str]:
        """The kinds that hold at least one file, in name order."""
        if self._store is not None:
            import obstore

            listing = obstore.list_with_delimiter(self._store)
            names = {PurePosixPath(prefix).name for prefix in listing["common_prefixes"]}
            return sorted(name for name in names if _KIND.match(name) and self.files(name))
        if not self.root.is_dir():
            return []
        return sorted(
            folder.name
            for folder in self.root.iterdir()
            if folder.is_dir() and _KIND.match(folder.name) and self.files(folder.name)
        )

    def files(self, kind: str) -> list[PartFile]:
        """All part files of a kind, superseded ones included, ordered by sequence number."""
        if self._store is not None:
            return self._object_files(kind)
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

    def _object_files(self, kind: str) -> list[PartFile]:
        import obstore

        assert self._store is not None
        base = self._kind_key(kind)
        found: list[PartFile] = []
        for chunk in obstore.list(self._store, prefix=f"{base}/"):
            for meta in chunk:
                key = PurePosixPath(meta["path"])
                match = _PART.match(key.name)
                if match and key.parent.parent == base and key.parent.name.startswith(f"{PARTITION}="):
                    found.append(PartFile(int(match["seq"]), int(match["first"]), key))
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
        base = self._kind_key(kind) if self._store is not None else self.kind_path(kind)
        for (day,), part in keyed.partition_by("__lake_partition", as_dict=True, maintain_order=True).items():
            assert isinstance(day, date)
            body = part.drop("__lake_partition", *([PARTITION] if date_column == PARTITION else []))
            target = (
                base
                / f"{PARTITION}={day.isoformat()}"
                / f"part-{seq:012d}-{seq:012d}-{uuid.uuid4().hex}.parquet"
            )
            self._write(body, target)
            written.append(Path(target))
        return written

    def _write(self, frame: pl.DataFrame, target: PurePath) -> None:
        if self._store is None:
            assert isinstance(target, Path)
            _write_atomic(frame, target)
            return
        import obstore

        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        # One PUT: the object is visible whole or not at all, as the rename makes it locally.
        obstore.put(self._store, str(target), buffer.getvalue())

    def _read(self, part: PartFile) -> pl.DataFrame:
        if self._store is None:
            assert isinstance(part.path, Path)
            return pl.read_parquet(part.path)
        import obstore

        return pl.read_parquet(io.BytesIO(obstore.get(self._store, str(part.path)).bytes().to_bytes()))

    def _delete(self, part: PartFile) -> None:
        if self._store is None:
            assert isinstance(part.path, Path)
            part.path.unlink(missing_ok=True)
            return
        import obstore

        obstore.delete(self._store, str(part.path))

    def read_bytes(self, part: PartFile) -> bytes:
        """The part file's bytes as stored (for backups)."""
        if self._store is None:
            assert isinstance(part.path, Path)
            return part.path.read_bytes()
        import obstore

        data: bytes = obstore.get(self._store, str(part.path)).bytes().to_bytes()
        return data

    def put_bytes(self, kind: str, partition: str, name: str, data: bytes) -> PurePath:
        """Store a part file's bytes as they were read by :meth:`read_bytes` (for restores); the name must
        be a part file name and the partition a ``date=YYYY-MM-DD`` folder."""
        if not _PART.match(name) or not re.fullmatch(rf"{PARTITION}=\d{{4}}-\d{{2}}-\d{{2}}", partition):
            raise LakeError(f"not a part file of the lake: {kind}/{partition}/{name}")
        if self._store is not None:
            import obstore

            key = self._kind_key(kind) / partition / name
            obstore.put(self._store, str(key), data)
            return key
        target = self.kind_path(kind) / partition / name
        _replace_atomic(target, lambda temporary: temporary.write_bytes(data))
        return target

    def compact(self, kind: str, *, unique_on: Sequence[str] | None = None, min_files: int = 2) -> int:
        """Merge the live files of each partition holding at least `min_files` of them (or any partition
        when `unique_on` is given and it has duplicates to drop) into one file, keeping the last row of each
        `unique_on` key. Returns the number of partitions rewritten."""
        by_partition: dict[PurePath, list[PartFile]] = {}
        for part in self.live_files(kind):
            by_partition.setdefault(part.path.parent, []).append(part)
        rewritten = 0
        for folder, parts in sorted(by_partition.items()):
            if len(parts) < min_files and unique_on is None:
                continue
            frames = [
                self._read(p).with_columns(pl.lit(p.seq).alias(_SEQ), pl.int_range(pl.len()).alias(_ROW))
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
            self._write(deduplicated.drop(_SEQ, _ROW), target)  # commit point
            for part in parts:
                if part.path != target:
                    self._delete(part)
            if self._store is None:
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
        paths = [self.location(p) for p in live]
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
        seq_of = {self.location(p): p.seq for p in live}
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
            for kind in self.kinds():
                live = self.live_files(kind)
                if self._store is not None:
                    # DuckDB reads s3:// only through an extension it downloads; Polars reads the objects
                    # and DuckDB queries the Arrow table (a kind of a remote lake must fit in memory here).
                    con.register(kind, self.scan(kind).collect().to_arrow())
                    continue
                # The view name is a kind folder that matched _KIND, a plain identifier.
                listing = ", ".join("'" + str(p.path).replace("'", "''") + "'" for p in live)
                con.execute(
                    f"CREATE OR REPLACE TEMP VIEW {kind} AS SELECT * FROM "
                    f"read_parquet([{listing}], hive_partitioning = true, union_by_name = true)"
                )
            table = con.sql(sql).to_arrow_table()
            result = pl.from_arrow(table)
            assert isinstance(result, pl.DataFrame)
            return result
        finally:
            if connection is None:
                con.close()
