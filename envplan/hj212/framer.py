"""Streaming framer (sans-I/O): feed bytes as TCP reads deliver them, get whole frames or errors out.

Strategy (HJ 212-2017 §6.3.1; as ``srdgame/lua-HJ212`` packet.parse): find ``##``, read 4 digits, wait for
``length + 10`` more bytes, require CR LF there.  When the segment holds UTF-8 text and the length counts
characters, the frame runs longer; the CR LF is then searched for and the character count checked.  On
any failure the framer resynchronises at the next ``##``.  It never raises: errors are returned as
:class:`HJ212Error` values, and at most ``max_segment + 10`` bytes (UTF-8: 4x) are held.
"""

from __future__ import annotations

from envplan.hj212.errors import HJ212Error
from envplan.hj212.frame import DEFAULT_MAX_SEGMENT

_CRLF = b"\r\n"
_WHITESPACE = frozenset(b"\r\n\t \x00")


class StreamFramer:
    """``feed(data)`` returns complete raw frames (``bytes``, CR LF included) and errors, in order."""

    __slots__ = ("_buffer", "max_segment")

    def __init__(self, max_segment: int = DEFAULT_MAX_SEGMENT) -> None:
        self.max_segment = max_segment
        self._buffer = b""

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes | HJ212Error]:
        buffer = self._buffer + data if self._buffer else bytes(data)
        out: list[bytes | HJ212Error] = []
        pos = 0
        size = len(buffer)
        while pos < size:
            start = buffer.find(b"##", pos)
            if start < 0:
                # keep a lone trailing '#' that may start the next header
                keep = size - 1 if buffer[-1:] == b"#" else size
                self._garbage(buffer[pos:keep], out)
                pos = keep
                break
            if start > pos:
                self._garbage(buffer[pos:start], out)
            pos = start
            if size - start < 6:
                break
            digits = buffer[start + 2 : start + 6]
            if not digits.isdigit():
                out.append(HJ212Error("header", f"length field {digits!r} is not 4 digits"))
                pos = start + 1  # "###0101..." : a stray '#' before a real header
                continue
            length = int(digits)
            if length > self.max_segment:
                out.append(HJ212Error("too-long", f"data segment length {length} exceeds {self.max_segment}"))
                pos = start + 2
                continue
            end = start + 6 + length + 4
            if size < end + 2:
                # A line that ended and a new header that began before this frame could complete means the
                # frame was cut short (ASCII frames only: char-counted UTF-8 frames run past ``end``).
                cut = buffer.find(b"\r\n##", start + 6, size)
                if cut >= 0 and buffer[start + 6 : cut].isascii():
                    out.append(HJ212Error("length", "frame shorter than its length field"))
                    pos = cut + 2
                    continue
                break
            if buffer[end : end + 2] == _CRLF:
                out.append(buffer[start : end + 2])
                pos = end + 2
                continue
            resolved = self._char_counted(buffer, start, length, size)
            if resolved is None:
                break  # need more bytes
            if resolved > 0:
                out.append(buffer[start:resolved])
                pos = resolved
                continue
            out.append(HJ212Error("trailer", "no CR LF after the CRC"))
            pos = start + 2
        self._buffer = buffer[pos:]
        return out

    def _char_counted(self, buffer: bytes, start: int, length: int, size: int) -> int | None:
        """End of a frame whose length counts UTF-8 characters; None = wait; 0 = not such a frame."""
        body_start = start + 6
        if buffer[body_start : body_start + length].isascii():
            return 0
        limit = body_start + 4 * length + 4 + 2
        crlf = buffer.find(_CRLF, body_start, min(limit, size))
        while crlf >= 0:
            segment = buffer[body_start : crlf - 4]
            try:
                count = len(segment.decode("utf-8"))
            except UnicodeDecodeError:
                count = -1
            if count == length:
                return crlf + 2
            if count > length:
                return 0
            crlf = buffer.find(_CRLF, crlf + 2, min(limit, size))
        return None if size < limit else 0

    @staticmethod
    def _garbage(chunk: bytes, out: list[bytes | HJ212Error]) -> None:
        if chunk and not all(b in _WHITESPACE for b in chunk):
            out.append(HJ212Error("garbage", f"{len(chunk)} bytes outside any frame"))
