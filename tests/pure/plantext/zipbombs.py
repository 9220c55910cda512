"""Zip archives that expand too far, built in the test run (never stored in the repository)."""

from __future__ import annotations

import io
import struct
import zipfile

MB = 1024 * 1024
GIB = 1024 * MB


def expanding(member: str, megabytes: int, *, others: dict[str, bytes] | None = None) -> bytes:
    """An archive whose `member` really inflates to `megabytes` MB of zeros (about 1 KB per MB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in (others or {}).items():
            archive.writestr(name, data)
        with archive.open(member, "w") as handle:
            zeros = bytes(MB)
            for _ in range(megabytes):
                handle.write(zeros)
    return buffer.getvalue()


def claiming(members: dict[str, bytes], *, member: str, size: int) -> bytes:
    """A few-KB archive whose directory says `member` expands to `size` bytes (its data stays small)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = bytearray(buffer.getvalue())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length].decode() == member:
            struct.pack_into("<I", data, at + 24, size)  # central directory: uncompressed size
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<I", data, local + 22, size)  # local header: the same
            return bytes(data)
        at = data.find(b"PK\x01\x02", at + 4)
    raise KeyError(member)


def word_document(text: str = "1. 一项任务。") -> dict[str, bytes]:
    """The members that make a zip look like a Word document to a first glance (not to python-docx)."""
    body = f"<w:document><w:body><w:p><w:t>{text}</w:t></w:p></w:body></w:document>"
    return {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "word/document.xml": body.encode("utf-8"),
    }
