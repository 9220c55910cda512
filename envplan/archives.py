"""Zip-based documents (.docx, .xlsx) are checked before anything opens them.

A 1 MB .docx can claim members that expand to gigabytes; python-docx and openpyxl read whole members into
memory. `check_zip_archive` reads only the archive's directory and refuses a file whose members would
expand past a size limit, whose compression ratio no real document reaches, or that holds too many
members. The declared sizes are a safe bound: `zipfile` stops reading a member at its declared size (and
then fails its CRC), so a member cannot expand further than its directory entry says.

Pure: standard library only (no Django, no envplan app).
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from dataclasses import dataclass
from typing import IO, Final, Literal

__all__ = ["ArchiveError", "ZipLimits", "check_zip_archive"]

MB: Final = 1024 * 1024
_END: Final = b"PK\x05\x06"
_END_SIZE: Final = 22
_ZIP64_LOCATOR: Final = b"PK\x06\x07"
_ZIP64_END: Final = b"PK\x06\x06"
_LONGEST_COMMENT: Final = 0xFFFF

Reason = Literal["damaged", "members", "size", "ratio"]


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """What a genuine office document stays within (defaults measured against our own .docx/.xlsx)."""

    max_total_bytes: int = 100 * MB  # sum of the members' uncompressed sizes
    max_members: int = 10_000
    max_ratio: int = 200  # uncompressed : compressed, per member; XML rarely passes 30:1
    ratio_floor_bytes: int = MB  # members smaller than this are too small to matter, whatever their ratio


class ArchiveError(ValueError):
    """The archive is refused before opening; `reason` says why and the message names the file."""

    def __init__(self, message: str, *, name: str, reason: Reason, **params: int | str) -> None:
        super().__init__(message)
        self.name = name
        self.reason: Reason = reason
        self.params = params  # the figures of the message, for callers that word it in another language


def _member_count(handle: IO[bytes], name: str) -> int:
    """The entry count of the end-of-central-directory record, read before zipfile parses every entry."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_start = max(0, size - _END_SIZE - _LONGEST_COMMENT)
    handle.seek(tail_start)
    tail = handle.read()
    at = tail.rfind(_END)
    if at < 0 or len(tail) - at < _END_SIZE:
        raise ArchiveError(
            f"{name} is a damaged zip archive (no end-of-archive record)", name=name, reason="damaged"
        )
    entries: int = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    if entries != 0xFFFF:
        return entries
    # Zip64: the real count is in the zip64 end record, found through the locator just before.
    locator_at = tail_start + at - 20
    if locator_at < 0:
        raise ArchiveError(f"{name} is a damaged zip archive (no zip64 locator)", name=name, reason="damaged")
    handle.seek(locator_at)
    locator = handle.read(20)
    if locator[:4] != _ZIP64_LOCATOR:
        return entries
    (record_at,) = struct.unpack("<Q", locator[8:16])
    handle.seek(record_at)
    record = handle.read(56)
    if len(record) < 56 or record[:4] != _ZIP64_END:
        raise ArchiveError(f"{name} is a damaged zip archive (bad zip64 record)", name=name, reason="damaged")
    count: int = struct.unpack("<Q", record[32:40])[0]
    return count


def _check(handle: IO[bytes], name: str, limits: ZipLimits) -> None:
    members = _member_count(handle, name)
    if members > limits.max_members:
        raise ArchiveError(
            f"{name} holds {members:,} files, more than the {limits.max_members:,} a document may hold; "
            "it was refused before opening",
            name=name,
            reason="members",
            members=members,
            limit=limits.max_members,
        )
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError) as error:
        raise ArchiveError(
            f"{name} is a damaged zip archive ({error})", name=name, reason="damaged"
        ) from None
    if len(infos) > limits.max_members:  # a directory longer than its end record says
        raise ArchiveError(
            f"{name} holds {len(infos):,} files, more than the {limits.max_members:,} a document may hold; "
            "it was refused before opening",
            name=name,
            reason="members",
            members=len(infos),
            limit=limits.max_members,
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_bytes:
        raise ArchiveError(
            f"{name} would expand to {total / MB:,.1f} MB, more than the "
            f"{limits.max_total_bytes / MB:,.0f} MB allowed; it was refused before opening",
            name=name,
            reason="size",
            size=total,
            limit=limits.max_total_bytes,
        )
    for info in infos:
        if info.file_size < limits.ratio_floor_bytes:
            continue
        if info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise ArchiveError(
                f"{name}: member {info.filename} is compressed {ratio:,.0f} to 1, more than any real "
                f"document ({limits.max_ratio} to 1); it was refused before opening",
                name=name,
                reason="ratio",
                member=info.filename,
                ratio=round(ratio),
                limit=limits.max_ratio,
            )


def check_zip_archive(
    source: bytes | str | os.PathLike[str] | IO[bytes], *, name: str, limits: ZipLimits | None = None
) -> None:
    """Refuse a zip-based file (.docx, .xlsx) before it is opened: raises ArchiveError naming `name`
    when it is damaged, holds more than `limits.max_members` files, would expand past
    `limits.max_total_bytes`, or has a member compressed more than `limits.max_ratio` to 1.

    `source`: the bytes, a path, or a seekable binary file (left at the position it was at).
    Reads only the archive's end record and central directory; decompresses nothing.
    """
    chosen = limits or ZipLimits()
    if isinstance(source, (bytes, bytearray, memoryview)):
        _check(io.BytesIO(source), name, chosen)
    elif isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as handle:
                _check(handle, name, chosen)
        except OSError as error:
            raise ArchiveError(
                f"{name}: cannot read the file ({error.strerror or error})", name=name, reason="damaged"
            ) from None
    else:
        position = source.tell()
        try:
            _check(source, name, chosen)
        finally:
            source.seek(position)
