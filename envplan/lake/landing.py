"""The landing log: every frame a receiver answers, from its first byte on disk to its move into the lake.

A receiver appends each accepted frame here, makes the batch durable (one ``write`` and one ``fsync``),
and only then replies; ``envplan sources ingest`` later reads the closed files into the lake and moves
them aside.  This module holds the whole life of those files, so that the receiver, the ingest and the
export share one implementation of each step:

1. encoding records in memory (:class:`RecordBuffer`, no I/O: what a receiver's core appends to);
2. writing them durably, batch by batch, and rotating files by size or age (:class:`LandingLog`, typed for
   receivers by :class:`LandingWriter`);
3. housekeeping of a landing folder shared by several receivers: names (:func:`landing_prefix`), the
   ``.part`` files of dead receivers (:func:`recover_orphans`), the closed files waiting for ingest
   (:func:`closed_files`) and their move once ingested (:func:`mark_moved`);
4. reading: every valid record of a file, streamed (:func:`replay`, :func:`verify`), and the frames not
   yet ingested, ``.part`` files included (:func:`unmoved_records`, for ``readings export``).

Files
-----
A folder holds files named ``<prefix>-<seq:012d>.part`` (the one being written, at most one per writer)
and ``<prefix>-<seq:012d>.log`` (closed, waiting to be moved into the lake).  Rotation closes the current
``.part`` (fsync, rename to ``.log``, fsync of the folder) and opens the next sequence number.  A file is
due for rotation when it reached ``max_bytes`` or, with ``rotate_seconds``, when its first record was
written that long ago (by ``clock``, monotonic seconds by default); the receiver asks on a timer, so
readers of ``.log`` files see every record within about ``rotate_seconds`` even when no further frame
arrives.  On start, ``.part`` files left by a crashed writer with the same prefix are renamed to ``.log``
(or deleted when they hold no record): their complete records are valid and a torn last record is
ignored by :func:`replay`.  Once its content is in the lake a ``.log`` file is moved into the ``moved/``
subfolder (the operator deletes ``moved/`` files when they like).  Several receivers share a folder
safely only with distinct prefixes (:func:`landing_prefix`: host and process id).

Format
------
File header: the 8 bytes ``HJLAND1\\n``.  Then records, each::

    u32 big-endian  payload length P
    u32 big-endian  CRC-32 (zlib) of the payload
    payload (P bytes):
        i64 big-endian  receive time, nanoseconds since the Unix epoch (UTC), as passed by the caller
        u16 big-endian  peer length, then the peer text (UTF-8, e.g. "10.0.0.5:40312")
        u16 big-endian  metadata length, then the metadata (UTF-8 JSON object, per-frame facts such as
                        {"mn": ..., "crc": "standard", "status": "accepted"})
        the frame bytes as received (the rest of the payload)

A record is valid only if its whole payload is present and its CRC-32 matches; :func:`replay` stops at
the first invalid record (a torn tail after a crash) and :func:`verify` reports how many bytes that left.

Durability
----------
Appending only encodes into memory.  :meth:`LandingLog.take_batch` detaches what was appended (on the
appending thread) and :meth:`LandingLog.write_batch` writes it with one ``write`` and one ``fsync`` (on a
worker thread, batches one at a time and in order), so that an event loop keeps receiving while the
previous batch is synced; :meth:`LandingLog.write_batch_and_rotate` also rotates a due file on that
thread.  :meth:`LandingLog.flush_durable` does both halves at once.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import struct
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

MAGIC = b"HJLAND1\n"
_RECORD_HEAD = struct.Struct(">II")
_TIME = struct.Struct(">q")
_LEN16 = struct.Struct(">H")
MAX_PAYLOAD = 1 << 24
MetaValue = str | int | float | bool | None
MOVED = "moved"
_READ_BUFFER = 1 << 20


@dataclass(frozen=True, slots=True)
class LandingRecord:
    frame: bytes
    received_ns: int
    peer: str
    meta: dict[str, MetaValue]
    offset: int  # byte offset of the record in its file


@dataclass(frozen=True, slots=True)
class Batch:
    data: bytearray
    records: int


@dataclass(frozen=True, slots=True)
class ReplayStatus:
    records: int
    valid_bytes: int
    torn_bytes: int  # bytes after the last valid record (0 for a cleanly written file)


# ------------------------------------------------------------------------------------------ encoding


def encode_middle(peer: str, meta: Mapping[str, MetaValue]) -> bytes:
    """The peer and metadata part of a record payload (see the module docstring)."""
    peer_bytes = peer.encode("utf-8")[:65535]
    meta_bytes = json.dumps(dict(meta), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if len(meta_bytes) > 65535:
        raise ValueError("landing metadata longer than 65535 bytes")
    return b"".join((_LEN16.pack(len(peer_bytes)), peer_bytes, _LEN16.pack(len(meta_bytes)), meta_bytes))


def encode_record(frame: bytes, *, received_ns: int, peer: str, meta: Mapping[str, MetaValue]) -> bytes:
    """One record as written to a landing file (see the module docstring)."""
    payload = _TIME.pack(received_ns) + encode_middle(peer, meta) + frame
    return _RECORD_HEAD.pack(len(payload), zlib.crc32(payload)) + payload


class RecordBuffer:
    """Records encoded in memory until their batch is taken (:meth:`take_batch`); no I/O.

    A receiver's core appends here.  :meth:`append` encodes one record; :meth:`record_prefix` and
    :meth:`append_prefixed` write the same bytes with the peer and metadata encoded once per kind of frame
    and the receive time once per read, for the receiver's fast path."""

    __slots__ = ("_data", "_middle_cache", "_records")

    def __init__(self) -> None:
        self._data = bytearray()
        self._records = 0
        self._middle_cache: dict[tuple[object, ...], bytes] = {}

    @property
    def pending_records(self) -> int:
        return self._records

    def append(self, frame: bytes, *, received_ns: int, peer: str, meta: Mapping[str, MetaValue]) -> None:
        payload = _TIME.pack(received_ns) + self._middle(peer, meta) + frame
        self._data += _RECORD_HEAD.pack(len(payload), zlib.crc32(payload))
        self._data += payload
        self._records += 1

    def _middle(self, peer: str, meta: Mapping[str, MetaValue]) -> bytes:
        # Receivers repeat the same few (peer, metadata) pairs: encode each once.
        key = (peer, *meta.items())
        middle = self._middle_cache.get(key)
        if middle is None:
            if len(self._middle_cache) > 10_000:
                self._middle_cache.clear()
            middle = self._middle_cache[key] = encode_middle(peer, meta)
        return middle

    @staticmethod
    def record_prefix(received_ns: int, middle: bytes) -> tuple[bytes, int]:
        """The payload bytes before the frame (receive time, then :func:`encode_middle`'s bytes) and their
        CRC-32, for :meth:`append_prefixed`: computed once for the frames of one read that share them."""
        prefix = _TIME.pack(received_ns) + middle
        return prefix, zlib.crc32(prefix)

    def append_prefixed(self, frame: bytes, prefix: bytes, prefix_crc: int) -> None:
        """The record :meth:`append` writes for the time, peer and metadata of :meth:`record_prefix`."""
        self._data += _RECORD_HEAD.pack(len(prefix) + len(frame), zlib.crc32(frame, prefix_crc))
        self._data += prefix
        self._data += frame
        self._records += 1

    def take_batch(self) -> Batch:
        """Detach the records appended so far (handed over, not copied: the batch owns the old buffer)."""
        batch = Batch(data=self._data, records=self._records)
        self._data = bytearray()
        self._records = 0
        return batch


# ------------------------------------------------------------------------------------------- writing


class LandingWriter(Protocol):
    """What a receiver needs of a landing log: a buffer its core appends to, and batches written on a
    worker thread (:class:`LandingLog` is the implementation; tests subclass it to fail the disk)."""

    @property
    def buffer(self) -> RecordBuffer: ...

    def take_batch(self) -> Batch: ...

    def write_batch(self, batch: Batch) -> int: ...

    def write_batch_and_rotate(self, batch: Batch) -> int: ...

    def rotation_due(self) -> bool: ...

    def rotate_if_due(self) -> Path | None: ...


class LandingLog:
    """Append-only landing files of one writer in ``directory`` (see the module docstring)."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        prefix: str = "landing",
        max_bytes: int = 64 << 20,
        rotate_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_.]+", prefix):
            raise ValueError(f"landing prefix {prefix!r} must be letters, digits, '_' or '.'")
        if rotate_seconds is not None and not rotate_seconds > 0:
            raise ValueError(f"landing rotation period {rotate_seconds} must be positive")
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.rotate_seconds = rotate_seconds
        self.clock = clock
        self._first_write_at: float | None = None  # clock() when the current file got its first record
        self.directory.mkdir(parents=True, exist_ok=True)
        self._buffer = RecordBuffer()
        self.appended = 0
        self.fsyncs = 0
        # Told the seconds each batch's fsync took (the receiver's metrics: envplan.hj212.receiver.metrics).
        self.fsync_observer: Callable[[float], None] | None = None
        for leftover in sorted(self.directory.glob(f"{prefix}-*.part")):
            _close_part(leftover)
        self._seq = self._last_seq() + 1
        self._fd = -1
        self._size = 0
        self._current: Path | None = None
        self._open_next()

    @property
    def buffer(self) -> RecordBuffer:
        return self._buffer

    @property
    def current_path(self) -> Path | None:
        return self._current

    @property
    def pending_records(self) -> int:
        return self._buffer.pending_records

    def _last_seq(self) -> int:
        pattern = re.compile(rf"{re.escape(self.prefix)}-(\d{{12}})\.(?:log|part)")
        moved = self.directory / MOVED
        candidates = [*self.directory.iterdir(), *(moved.iterdir() if moved.is_dir() else ())]
        found = [int(m.group(1)) for p in candidates if (m := pattern.fullmatch(p.name))]
        return max(found, default=0)

    def _open_next(self) -> None:
        path = self.directory / f"{self.prefix}-{self._seq:012d}.part"
        self._seq += 1
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        os.write(self._fd, MAGIC)
        os.fsync(self._fd)
        fsync_dir(self.directory)
        self._current = path
        self._size = len(MAGIC)
        self._first_write_at = None

    def append(self, frame: bytes, *, received_ns: int, peer: str, meta: Mapping[str, MetaValue]) -> None:
        """Buffer one record; it is durable only after the next :meth:`flush_durable`."""
        self._buffer.append(frame, received_ns=received_ns, peer=peer, meta=meta)

    def flush_durable(self) -> int:
        """Write buffered records and fsync once; returns how many records became durable."""
        count = self.write_batch(self.take_batch())
        self.rotate_if_due()
        return count

    def take_batch(self) -> Batch:
        """Detach the buffered records (first half of :meth:`flush_durable`, on the appending thread)."""
        return self._buffer.take_batch()

    def write_batch(self, batch: Batch) -> int:
        """Write and fsync a detached batch (second half; may run on a worker thread while the owner keeps
        appending, provided batches are written one at a time and in order)."""
        if self._fd < 0:
            raise ValueError("landing log is closed")
        if not batch.data:
            return 0
        view = memoryview(batch.data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        view.release()
        started = time.perf_counter()
        os.fsync(self._fd)
        if self.fsync_observer is not None:
            self.fsync_observer(time.perf_counter() - started)
        self.fsyncs += 1
        if self._first_write_at is None:
            self._first_write_at = self.clock()
        self._size += len(batch.data)
        self.appended += batch.records
        return batch.records

    def write_batch_and_rotate(self, batch: Batch) -> int:
        """:meth:`write_batch` (the batch may be empty), then, when the file is due (:meth:`rotation_due`),
        close it and open the next one, on the same (worker) thread: an event loop never waits for the
        rotation's fsyncs.  Records appended meanwhile are not touched; their batch goes to the next file."""
        count = self.write_batch(batch)
        if self.rotation_due():
            self._close_current()
            self._open_next()
        return count

    def rotation_due(self) -> bool:
        """The current file reached ``max_bytes``, or holds records and its first was written at least
        ``rotate_seconds`` ago.  Safe to call from another thread than the writer's (a stale answer only
        moves the rotation to the next call)."""
        if self._size >= self.max_bytes:
            return True
        first = self._first_write_at
        return (
            self.rotate_seconds is not None
            and first is not None
            and self.clock() - first >= self.rotate_seconds
        )

    def rotate_if_due(self) -> Path | None:
        """Rotate when :meth:`rotation_due` (call with no batch being written)."""
        if self.rotation_due():
            return self.rotate()
        return None

    def rotate(self) -> Path | None:
        """Close the current file (after making its records durable) and start the next one.

        Returns the closed ``.log`` file, or None when the current file held no record."""
        if self._buffer.pending_records:
            self.flush_durable()
            if self._size == len(MAGIC):  # flush_durable rotated already
                return None
        closed = self._close_current()
        self._open_next()
        return closed

    def _close_current(self) -> Path | None:
        if self._fd < 0 or self._current is None:
            return None
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = -1
        path = self._current
        self._current = None
        if self._size == len(MAGIC):
            path.unlink()
            fsync_dir(self.directory)
            return None
        final = path.with_suffix(".log")
        path.rename(final)
        fsync_dir(self.directory)
        return final

    def close(self) -> Path | None:
        if self._buffer.pending_records:
            self.flush_durable()
        return self._close_current()

    def pending_files(self) -> list[Path]:
        """Closed landing files of this prefix not yet moved into the lake, oldest first."""
        return closed_files(self.directory, prefix=self.prefix)

    def mark_moved(self, path: str | os.PathLike[str]) -> Path:
        source = Path(path)
        if source.parent.resolve() != self.directory.resolve():
            raise ValueError(f"{source} is not a closed landing file of {self.directory}")
        return mark_moved(source)


# ------------------------------------------------------------------------------------- housekeeping


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    """Make a folder's entries (a created, renamed or removed file) durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def host_label() -> str:
    """This machine's name as used in landing prefixes (letters, digits and dots only)."""
    return re.sub(r"[^A-Za-z0-9.]", ".", socket.gethostname()) or "host"


def landing_prefix(pid: int | None = None) -> str:
    """``<host>_<pid>``: unique per receiver process, so several receivers share one landing folder."""
    return f"{host_label()}_{os.getpid() if pid is None else pid}"


_ORPHAN = re.compile(r"^(?P<host>[A-Za-z0-9.]+)_(?P<pid>\d+)-\d{12}\.part$")


def process_exists(pid: int) -> bool:
    """Whether this machine has a process `pid` (one of another user's counts; a zombie too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie."""
    if not process_exists(pid):
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(")")[-1].split()[0] != "Z"  # a zombie has stopped writing
    except (OSError, IndexError):
        return True


def _close_part(path: Path) -> Path | None:
    """A ``.part`` file nobody writes any more: renamed to ``.log`` (None and deleted when it holds no
    record)."""
    if path.stat().st_size <= len(MAGIC):
        path.unlink()  # opened but never written to
        return None
    target = path.with_suffix(".log")
    path.rename(target)
    return target


def recover_orphans(directory: str | os.PathLike[str]) -> list[Path]:
    """Close the ``.part`` files of receivers of this host that died (kill -9, power loss): they are
    renamed to ``.log`` (their complete records are valid; a torn last record is skipped when read), as
    :class:`LandingLog` does for its own prefix on start.  Returns the files recovered."""
    folder = Path(directory)
    recovered: list[Path] = []
    me = host_label()
    touched = False
    for path in sorted(folder.glob("*.part")):
        match = _ORPHAN.match(path.name)
        if not match or match["host"] != me or process_alive(int(match["pid"])):
            continue
        closed = _close_part(path)
        touched = True
        if closed is not None:
            recovered.append(closed)
    if touched:
        fsync_dir(folder)
    return recovered


def closed_files(directory: str | os.PathLike[str], *, prefix: str | None = None) -> list[Path]:
    """Closed landing files (``.log``) of the folder not yet moved into the lake, of every writer or of
    one ``prefix``, in name order (each writer's in the order written)."""
    pattern = f"{prefix}-*.log" if prefix is not None else "*.log"
    return sorted(Path(directory).glob(pattern))


def backlog(directory: str | os.PathLike[str]) -> tuple[int, int]:
    """The closed landing files waiting for ingest: how many, and their bytes (a file ingested meanwhile
    counts for nothing)."""
    files = 0
    size = 0
    for path in closed_files(directory):
        try:
            size += path.stat().st_size
        except FileNotFoundError:
            continue
        files += 1
    return files, size


def mark_moved(path: str | os.PathLike[str]) -> Path:
    """Move a closed landing file, once its content is in the lake, into the ``moved/`` subfolder."""
    source = Path(path)
    if source.suffix != ".log":
        raise ValueError(f"{source} is not a closed landing file")
    moved = source.parent / MOVED
    moved.mkdir(exist_ok=True)
    target = moved / source.name
    source.rename(target)
    fsync_dir(source.parent)
    return target


# ------------------------------------------------------------------------------------------- reading


def _read_records(handle: BinaryIO) -> Iterator[tuple[LandingRecord, int]]:
    """(record, end offset) of every valid record, reading one record at a time."""
    if handle.read(len(MAGIC)) != MAGIC:
        return
    position = len(MAGIC)
    head_size = _RECORD_HEAD.size
    while True:
        head = handle.read(head_size)
        if len(head) < head_size:
            return
        length, checksum = _RECORD_HEAD.unpack(head)
        if length > MAX_PAYLOAD:
            return
        payload = handle.read(length)
        if len(payload) < length or zlib.crc32(payload) != checksum:
            return
        record = _decode_payload(payload, position)
        if record is None:
            return
        position += head_size + length
        yield record, position


def _decode_payload(payload: bytes, offset: int) -> LandingRecord | None:
    try:
        (received_ns,) = _TIME.unpack_from(payload, 0)
        pos = _TIME.size
        (peer_len,) = _LEN16.unpack_from(payload, pos)
        pos += 2
        peer = payload[pos : pos + peer_len].decode("utf-8")
        pos += peer_len
        (meta_len,) = _LEN16.unpack_from(payload, pos)
        pos += 2
        meta = json.loads(payload[pos : pos + meta_len])
        pos += meta_len
    except (struct.error, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(meta, dict):
        return None
    return LandingRecord(frame=payload[pos:], received_ns=received_ns, peer=peer, meta=meta, offset=offset)


def batch_records(data: bytes | bytearray) -> list[LandingRecord]:
    """The records of a batch (:meth:`RecordBuffer.take_batch`'s data, which has no file header), as
    :func:`replay` would read them once written: what a receiver's core landed, seen without a disk."""
    handle = io.BytesIO(MAGIC + bytes(data))
    return [record for record, _ in _read_records(handle)]


def replay(path: str | os.PathLike[str]) -> Iterator[LandingRecord]:
    """Every valid record of a landing file, in order, read as it goes (memory of one record, not of
    the file); stops silently at a torn or corrupt tail.  Also reads a ``.part`` file being written, up
    to its last complete record."""
    with open(path, "rb", buffering=_READ_BUFFER) as handle:
        for record, _ in _read_records(handle):
            yield record


def verify(path: str | os.PathLike[str]) -> ReplayStatus:
    with open(path, "rb", buffering=_READ_BUFFER) as handle:
        size = os.fstat(handle.fileno()).st_size
        count = 0
        valid = 0
        for _, end in _read_records(handle):
            count += 1
            valid = end
        if count == 0:
            handle.seek(0)
            valid = len(MAGIC) if handle.read(len(MAGIC)) == MAGIC else 0
    return ReplayStatus(records=count, valid_bytes=valid, torn_bytes=size - valid)


def unmoved_records(directory: str | os.PathLike[str]) -> Iterator[LandingRecord]:
    """The records of the landing files not yet moved into the lake, in landing order: closed ``.log``
    files and the ``.part`` files receivers are writing (up to their last complete record).

    Safe while a receiver rotates and an ingest runs: a ``.part`` renamed meanwhile is read under its
    ``.log`` name, and a ``.log`` moved meanwhile is skipped, its values being in the lake already (ingest
    writes the lake before it moves the file; callers that also read the lake read it after this)."""
    folder = Path(directory)
    if not folder.is_dir():
        return
    stems = sorted({path.stem for pattern in ("*.log", "*.part") for path in folder.glob(pattern)})
    for stem in stems:
        for suffix in (".part", ".log"):
            try:
                records = list(replay(folder / f"{stem}{suffix}"))
            except FileNotFoundError:
                continue
            yield from records
            break
