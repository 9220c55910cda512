"""Durable landing log: receivers append raw frames here, fsync, and only then reply.

Files
-----
A log directory holds files named ``<prefix>-<seq:012d>.part`` (the one being written, at most one per
writer) and ``<prefix>-<seq:012d>.log`` (closed, waiting to be moved into the lake).  ``rotate()`` closes
the current ``.part`` (fsync, rename to ``.log``, fsync of the directory) and opens the next sequence
number.  A file is due for rotation when it reached ``max_bytes`` or, with ``rotate_seconds``, when its
first record was written that long ago (by ``clock``, monotonic seconds by default); the owner asks
(:meth:`LandingLog.rotation_due`) and rotates between writes -- the receiver asks on a timer, so readers
of ``.log`` files see every record within about ``rotate_seconds`` even when no further frame arrives.
On start, ``.part`` files left by a crashed writer with the same prefix are renamed to ``.log`` (or
deleted when they hold no record): their complete records are valid and a torn last record is ignored by
:func:`replay`.  ``mark_moved(path)`` moves a ``.log`` file into the ``moved/`` subdirectory once its
content is in the lake (the caller deletes ``moved/`` files when it likes).  Several receivers share a
directory safely only with distinct prefixes.  Readers may also read a ``.part`` file while it is being
written: :func:`replay` gives its complete records.

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

Durability: ``append()`` only buffers in memory; ``flush_durable()`` writes the buffer with one
``write`` and one ``fsync`` -- the receiver calls it once per event-loop tick, before sending the replies
of that tick, so every answered frame is on disk.  It is also available in two halves,
``take_batch()`` (on the appending thread) and ``write_batch(batch)`` (on a worker thread), so that an
event loop keeps receiving while the previous batch is being fsynced; ``write_batch_and_rotate(batch)``
also rotates a file that is due (full or old enough) on that worker thread.  For receivers,
``record_middle`` + ``record_prefix`` + ``append_prefixed`` write the same records as ``append`` with the
peer and metadata encoded once and the receive time once per read.
"""

from __future__ import annotations

import json
import os
import re
import struct
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"HJLAND1\n"
_RECORD_HEAD = struct.Struct(">II")
_TIME = struct.Struct(">q")
_LEN16 = struct.Struct(">H")
MAX_PAYLOAD = 1 << 24
MetaValue = str | int | float | bool | None


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


def _encode_middle(peer: str, meta: Mapping[str, MetaValue]) -> bytes:
    peer_bytes = peer.encode("utf-8")[:65535]
    meta_bytes = json.dumps(dict(meta), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if len(meta_bytes) > 65535:
        raise ValueError("landing metadata longer than 65535 bytes")
    return b"".join((_LEN16.pack(len(peer_bytes)), peer_bytes, _LEN16.pack(len(meta_bytes)), meta_bytes))


def encode_record(frame: bytes, *, received_ns: int, peer: str, meta: Mapping[str, MetaValue]) -> bytes:
    """One record as written to a landing file (see the module docstring)."""
    payload = _TIME.pack(received_ns) + _encode_middle(peer, meta) + frame
    return _RECORD_HEAD.pack(len(payload), zlib.crc32(payload)) + payload


class LandingLog:
    """Append-only landing files in ``directory`` (see the module docstring for the format)."""

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
        self._buffer = bytearray()
        self._middle_cache: dict[tuple[object, ...], bytes] = {}
        self._pending_records = 0
        self.appended = 0
        self.fsyncs = 0
        for leftover in sorted(self.directory.glob(f"{prefix}-*.part")):
            if leftover.stat().st_size <= len(MAGIC):
                leftover.unlink()  # opened but never written to
            else:
                leftover.rename(leftover.with_suffix(".log"))
        self._seq = self._last_seq() + 1
        self._fd = -1
        self._size = 0
        self._current: Path | None = None
        self._open_next()

    @property
    def current_path(self) -> Path | None:
        return self._current

    def _last_seq(self) -> int:
        pattern = re.compile(rf"{re.escape(self.prefix)}-(\d{{12}})\.(?:log|part)")
        moved = self._moved_dir()
        candidates = [*self.directory.iterdir(), *(moved.iterdir() if moved.is_dir() else ())]
        found = [int(m.group(1)) for p in candidates if (m := pattern.fullmatch(p.name))]
        return max(found, default=0)

    def _moved_dir(self) -> Path:
        return self.directory / "moved"

    def _open_next(self) -> None:
        path = self.directory / f"{self.prefix}-{self._seq:012d}.part"
        self._seq += 1
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        os.write(self._fd, MAGIC)
        os.fsync(self._fd)
        self._fsync_dir()
        self._current = path
        self._size = len(MAGIC)
        self._first_write_at = None

    def _fsync_dir(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _middle(self, peer: str, meta: Mapping[str, MetaValue]) -> bytes:
        # Receivers repeat the same few (peer, metadata) pairs: encode each once.
        key = (peer, *meta.items())
        middle = self._middle_cache.get(key)
        if middle is None:
            if len(self._middle_cache) > 10_000:
                self._middle_cache.clear()
            middle = self._middle_cache[key] = _encode_middle(peer, meta)
        return middle

    def append(self, frame: bytes, *, received_ns: int, peer: str, meta: Mapping[str, MetaValue]) -> None:
        """Buffer one record; it is durable only after the next :meth:`flush_durable`."""
        payload = _TIME.pack(received_ns) + self._middle(peer, meta) + frame
        self._buffer += _RECORD_HEAD.pack(len(payload), zlib.crc32(payload))
        self._buffer += payload
        self._pending_records += 1

    def record_middle(self, peer: str, meta: Mapping[str, MetaValue]) -> bytes:
        """The peer and metadata part of a record payload, for :meth:`record_prefix` (a receiver encodes
        it once per device and kind of frame, not once per frame)."""
        return _encode_middle(peer, meta)

    def record_prefix(self, received_ns: int, middle: bytes) -> tuple[bytes, int]:
        """The payload bytes before the frame (receive time, then :meth:`record_middle`'s bytes) and their
        CRC-32, for :meth:`append_prefixed`: computed once for the frames of one read that share them."""
        prefix = _TIME.pack(received_ns) + middle
        return prefix, zlib.crc32(prefix)

    def append_prefixed(self, frame: bytes, prefix: bytes, prefix_crc: int) -> None:
        """Buffer one record from :meth:`record_prefix`'s result: the same bytes as :meth:`append` with the
        same time, peer and metadata.  Durable only after the next :meth:`flush_durable`."""
        self._buffer += _RECORD_HEAD.pack(len(prefix) + len(frame), zlib.crc32(frame, prefix_crc))
        self._buffer += prefix
        self._buffer += frame
        self._pending_records += 1

    @property
    def pending_records(self) -> int:
        return self._pending_records

    def flush_durable(self) -> int:
        """Write buffered records and fsync once; returns how many records became durable."""
        count = self.write_batch(self.take_batch())
        self.rotate_if_due()
        return count

    def take_batch(self) -> Batch:
        """Detach the buffered records (first half of :meth:`flush_durable`, on the appending thread)."""
        batch = Batch(data=self._buffer, records=self._pending_records)
        self._buffer = bytearray()  # handed over, not copied: the batch owns the old buffer
        self._pending_records = 0
        return batch

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
        os.fsync(self._fd)
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
        if self._buffer:
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
            self._fsync_dir()
            return None
        final = path.with_suffix(".log")
        path.rename(final)
        self._fsync_dir()
        return final

    def close(self) -> Path | None:
        if self._buffer:
            self.flush_durable()
        return self._close_current()

    def pending_files(self) -> list[Path]:
        """Closed landing files of this prefix not yet moved into the lake, oldest first."""
        return sorted(self.directory.glob(f"{self.prefix}-*.log"))

    def mark_moved(self, path: str | os.PathLike[str]) -> Path:
        source = Path(path)
        if source.parent.resolve() != self.directory.resolve() or source.suffix != ".log":
            raise ValueError(f"{source} is not a closed landing file of {self.directory}")
        moved = self._moved_dir()
        moved.mkdir(exist_ok=True)
        target = moved / source.name
        source.rename(target)
        self._fsync_dir()
        return target


def _records(data: bytes) -> Iterator[tuple[LandingRecord, int]]:
    if data[: len(MAGIC)] != MAGIC:
        return
    pos = len(MAGIC)
    size = len(data)
    while pos + _RECORD_HEAD.size <= size:
        length, checksum = _RECORD_HEAD.unpack_from(data, pos)
        start = pos + _RECORD_HEAD.size
        end = start + length
        if length > MAX_PAYLOAD or end > size:
            return
        payload = data[start:end]
        if zlib.crc32(payload) != checksum:
            return
        record = _decode_payload(payload, pos)
        if record is None:
            return
        yield record, end
        pos = end


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


def replay(path: str | os.PathLike[str]) -> Iterator[LandingRecord]:
    """Every valid record of a landing file, in order; stops silently at a torn or corrupt tail."""
    data = Path(path).read_bytes()
    for record, _ in _records(data):
        yield record


def verify(path: str | os.PathLike[str]) -> ReplayStatus:
    data = Path(path).read_bytes()
    count = 0
    valid = len(MAGIC) if data[: len(MAGIC)] == MAGIC else 0
    for _, end in _records(data):
        count += 1
        valid = end
    return ReplayStatus(records=count, valid_bytes=valid, torn_bytes=len(data) - valid)
