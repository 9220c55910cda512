"""Streaming framer (sans-I/O): feed bytes as TCP reads deliver them, get frames and errors out, in order.

Strategy (HJ 212-2017 §6.3.1; as ``srdgame/lua-HJ212`` packet.parse): find ``##``, read 4 digits, wait for
``length + 10`` more bytes, require CR LF there.  That is the common case, and the only one that costs
nothing more.  When the length field does not lead to a CR LF -- real loggers count characters instead
of bytes for UTF-8 text, count the header or the CR LF too, or cut frames short -- the frame is taken to
end at its first CR LF (unless the next ``##`` and four digits come first: then it was cut short), and
the candidate is handed on: judging its length is :func:`~envplan.hj212.frame.split_frame`'s job, which
accepts known slips when the CRC confirms them.

The length field is trusted first, so a frame whose length field counts more characters than it holds,
followed by a line of exactly that many characters, is read together with that line (and refused: its
CRC field is then text); every other case of a slipped length field comes apart at its CR LF.

Nothing is dropped without a trace: every byte that is not whitespace ends up in exactly one item, a
frame (``bytes``) or an :class:`HJ212Error` carrying the bytes it covers (``raw``).  Bytes outside frames
are reported a line at a time ("garbage", up to a CR LF or the next ``##``); :meth:`StreamFramer.flush`
gives what is left when the connection ends ("truncated" for a frame cut short).  The framer never
raises, and holds at most about four times ``max_segment`` bytes.
"""

from __future__ import annotations

from envplan.hj212.errors import HJ212Error
from envplan.hj212.frame import DEFAULT_MAX_SEGMENT, MAX_LENGTH_OFFSET

_CRLF = b"\r\n"
_WHITESPACE = frozenset(b"\r\n\t \x00")

Item = bytes | HJ212Error


def _blank(chunk: bytes) -> bool:
    return all(b in _WHITESPACE for b in chunk)


class StreamFramer:
    """``feed(data)`` returns complete raw frames (``bytes``, CR LF included) and errors, in order."""

    __slots__ = ("_buffer", "_limit", "max_segment")

    def __init__(self, max_segment: int = DEFAULT_MAX_SEGMENT) -> None:
        self.max_segment = max_segment
        # the most one item may span: a UTF-8 segment counted in characters takes up to 4 bytes each
        self._limit = 4 * (max_segment + MAX_LENGTH_OFFSET) + 16
        self._buffer = b""

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Item]:
        buffer = self._buffer + data if self._buffer else bytes(data)
        out: list[Item] = []
        pos = 0
        size = len(buffer)
        max_segment = self.max_segment
        while pos < size:
            if buffer.startswith(b"##", pos):
                # the common frame: its length field leads to its CR LF
                digits = buffer[pos + 2 : pos + 6]
                if len(digits) == 4 and digits.isdigit():
                    length = int(digits)
                    end = pos + 10 + length
                    if length <= max_segment and buffer[end : end + 2] == _CRLF:
                        out.append(buffer[pos : end + 2])
                        pos = end + 2
                        continue
                step = self._frame(buffer, pos, size, out)
            else:
                step = self._between(buffer, pos, size, out)
            if step is None:
                break  # need more bytes
            pos = step
        self._buffer = buffer[pos:]
        return out

    def flush(self) -> list[Item]:
        """What is left at the end of the connection, as one item: a frame cut short, or garbage."""
        rest, self._buffer = self._buffer, b""
        if _blank(rest):
            return []
        if rest.startswith(b"##"):
            return [HJ212Error("truncated", f"connection ended {len(rest)} bytes into a frame", raw=rest)]
        return [HJ212Error("garbage", f"{len(rest)} bytes outside any frame", raw=rest)]

    # -- the uncommon cases -------------------------------------------------------------------------

    def _between(self, buffer: bytes, pos: int, size: int, out: list[Item]) -> int | None:
        """Bytes before a ``##``: up to and with the next CR LF, or up to the next ``##``."""
        header = buffer.find(b"##", pos)
        crlf = buffer.find(_CRLF, pos, header + 1 if header >= 0 else size)
        if crlf >= 0:
            end = crlf + 2
        elif header >= 0:
            end = header
        elif size - pos <= self._limit:
            return None  # the line may go on
        else:
            end = size - 1 if buffer.endswith(b"#") else size  # a '#' may start the next header
        chunk = buffer[pos:end]
        if not _blank(chunk):
            out.append(HJ212Error("garbage", f"{len(chunk)} bytes outside any frame", raw=chunk))
        return end

    def _frame(self, buffer: bytes, start: int, size: int, out: list[Item]) -> int | None:
        """A ``##`` whose length field does not lead to a CR LF (yet)."""
        if size - start < 6:
            return None
        digits = buffer[start + 2 : start + 6]
        if not digits.isdigit():
            # "###0101...": a stray '#' before a real header is an item of its own
            end = self._span(buffer, start, size, start + 1)
            if end is not None:
                out.append(
                    HJ212Error("header", f"length field {digits!r} is not 4 digits", raw=buffer[start:end])
                )
            return end
        length = int(digits)
        if length > self.max_segment + MAX_LENGTH_OFFSET:
            end = self._span(buffer, start, size, start + 2)
            if end is not None:
                message = f"data segment length {length} exceeds {self.max_segment}"
                out.append(HJ212Error("too-long", message, raw=buffer[start:end]))
            return end
        frame_end = start + 10 + length  # where its CRC ends, if the length field is right
        body = start + 6
        if size >= frame_end + 2 and buffer[frame_end : frame_end + 2] == _CRLF:
            out.append(buffer[start : frame_end + 2])  # right length, above max_segment: split_frame says so
            return frame_end + 2
        if not buffer[body : min(size, frame_end)].isascii():
            resolved = self._char_counted(buffer, start, length, size)
            if resolved is None:
                return None
            if resolved > 0:
                out.append(buffer[start:resolved])
                return resolved
        header = self._next_header(buffer, start + 2, min(size, start + self._limit))
        crlf = buffer.find(_CRLF, body, header if header >= 0 else min(size, start + self._limit))
        if crlf >= 0:
            if size < frame_end + 2 and buffer[crlf + 2 : crlf + 4] not in (b"", b"##"):
                # Shorter than its length field says, and more bytes follow that do not start a frame: the
                # CR LF may belong to the segment, so wait until the announced length has arrived.
                return None
            out.append(buffer[start : crlf + 2])  # split_frame judges the length
            return crlf + 2
        if header >= 0:
            message = "frame cut short: the next frame began before its CR LF"
            out.append(HJ212Error("length", message, raw=buffer[start:header]))
            return header
        if size - start < self._limit:
            return None
        out.append(HJ212Error("trailer", "no CR LF after the CRC", raw=buffer[start : start + self._limit]))
        return start + self._limit

    def _span(self, buffer: bytes, start: int, size: int, search_from: int) -> int | None:
        """The end of an unreadable item at ``start``: just before the next ``##`` (searched from
        ``search_from``), or after the next CR LF, whichever comes first; None to wait for more bytes."""
        header = buffer.find(b"##", search_from)
        crlf = buffer.find(_CRLF, start, header if header >= 0 else size)
        if crlf >= 0:
            return crlf + 2
        if header >= 0:
            return header
        if size - start < self._limit:
            return None
        return size

    @staticmethod
    def _next_header(buffer: bytes, start: int, stop: int) -> int:
        """The next ``##`` followed by digits (a frame's header) in ``buffer[start:stop]``, or -1."""
        found = buffer.find(b"##", start, stop)
        while found >= 0:
            digits = buffer[found + 2 : found + 6]
            if digits and digits.isdigit():
                return found
            found = buffer.find(b"##", found + 1, stop)
        return -1

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
