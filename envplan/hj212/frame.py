"""Framing: ``## | LLLL | data segment | CCCC | CR LF`` (HJ 212-2017 §6.3.1 Table 2) and frame builders."""

from __future__ import annotations

import re
from dataclasses import dataclass

from envplan.hj212.crc import CrcKind, classify_crc, crc_hj212
from envplan.hj212.errors import HJ212Error
from envplan.hj212.segment import DataSegment, Header, parse_header, parse_segment

# HJ 212-2017 Table 2 gives 0..1024 for the data segment, but real loggers send 1025 and 1623 bytes
# (tonyxia2016/HJ212Receiver rx.log); the 4-digit field holds at most 9999.
STANDARD_MAX_SEGMENT = 1024
FIELD_MAX_SEGMENT = 9999
DEFAULT_MAX_SEGMENT = 4096
_HEX4 = re.compile(rb"[0-9A-Fa-f]{4}")
# Length fields that count more than the data segment, as real loggers write them (reference A.14):
# characters counted too -> how many.  The Python test client of tang0-0/HJ212-Pack counts the ## and the
# four digits (+6); others count the CR LF (+2), the CRC (+4), or several of these parts.
LENGTH_OFFSETS: frozenset[int] = frozenset({2, 4, 6, 8, 10, 12})
MAX_LENGTH_OFFSET = max(LENGTH_OFFSETS)


@dataclass(frozen=True, slots=True)
class Frame:
    segment: bytes
    length_field: int
    crc_field: int
    crc: CrcKind
    length_basis: str  # "bytes" (the recommended reading) or "chars" (UTF-8 text counted in characters)
    # Tolerated slips of the frame itself: the length field counts this many characters more than the
    # segment (one of LENGTH_OFFSETS), the CRC is written in lower-case hex.
    length_offset: int = 0
    crc_lowercase: bool = False

    @property
    def variants(self) -> tuple[str, ...]:
        """The names of the frame's deviations (see ``tolerance``), in their canonical order."""
        names: list[str] = []
        if self.length_offset:
            names.append(f"length+{self.length_offset}")
        if self.crc_lowercase:
            names.append("crc-lowercase")
        if self.crc.is_variant:
            names.append("crc-" + self.crc.value.removeprefix("variant:"))
        return tuple(names)


def split_frame(raw: bytes, *, max_segment: int = FIELD_MAX_SEGMENT) -> Frame:
    """Structure and length of one frame (CRLF optional); the CRC is classified, not judged.

    The data segment is what lies between the length field and the CRC.  A length field that counts a
    known number of characters more (:data:`LENGTH_OFFSETS`) is accepted, and noted in the frame, only
    when the CRC (standard or a variant) confirms that segment."""
    if raw.endswith(b"\r\n"):
        raw = raw[:-2]
    if len(raw) < 10 or raw[:2] != b"##":
        raise HJ212Error("header", "frame does not start with ## and a 4-digit length")
    digits = raw[2:6]
    if not digits.isdigit():
        raise HJ212Error("header", f"length field {digits!r} is not 4 digits")
    length = int(digits)
    segment = raw[6:-4]
    offset = length - len(segment)
    if length > max_segment and not (len(segment) <= max_segment and offset in LENGTH_OFFSETS):
        raise HJ212Error("too-long", f"data segment length {length} exceeds the maximum {max_segment}")
    crc_text = raw[-4:]
    if _HEX4.fullmatch(crc_text) is None:
        raise HJ212Error("crc", f"CRC field {crc_text!r} is not 4 hex digits")
    basis = "bytes"
    field = int(crc_text, 16)
    crc = classify_crc(segment, field)
    if offset == 0:
        offset_taken = 0
    elif not segment.isascii() and _char_count(segment) == length:
        # Some loggers count characters, not bytes, when the segment holds UTF-8 text (HJ 212-2017 §6.3).
        basis, offset_taken = "chars", 0
    elif offset in LENGTH_OFFSETS and crc is not CrcKind.INVALID:
        offset_taken = offset
    else:
        raise HJ212Error("length", f"length field says {length}, data segment has {len(segment)} bytes")
    return Frame(
        segment=segment,
        length_field=length,
        crc_field=field,
        crc=crc,
        length_basis=basis,
        length_offset=offset_taken,
        crc_lowercase=crc_text != crc_text.upper(),
    )


def _char_count(segment: bytes) -> int:
    try:
        return len(segment.decode("utf-8"))
    except UnicodeDecodeError:
        return -1


def decode_frame(
    raw: bytes, *, accept: frozenset[CrcKind] = frozenset(), max_segment: int = FIELD_MAX_SEGMENT
) -> Frame:
    """One frame, with its CRC judged: the standard CRC, or a variant listed in ``accept``."""
    frame = split_frame(raw, max_segment=max_segment)
    if frame.crc is CrcKind.STANDARD or frame.crc in accept:
        return frame
    expected = crc_hj212(frame.segment)
    raise HJ212Error("crc", f"CRC field {frame.crc_field:04X} ({frame.crc.value}), expected {expected:04X}")


def decode_header(raw: bytes, *, accept: frozenset[CrcKind] = frozenset()) -> tuple[Frame, Header]:
    """Frame and header only (the receiver's fast path: CP is parsed later from the landing log)."""
    frame = decode_frame(raw, accept=accept)
    header, _ = parse_header(frame.segment)
    return frame, header


def decode_message(raw: bytes, *, accept: frozenset[CrcKind] = frozenset()) -> tuple[Frame, DataSegment]:
    frame = decode_frame(raw, accept=accept)
    return frame, parse_segment(frame.segment)


def encode_frame(segment: str | bytes) -> bytes:
    """Frame a data segment with its byte length and the standard CRC."""
    data = segment.encode("utf-8") if isinstance(segment, str) else segment
    if len(data) > FIELD_MAX_SEGMENT:
        raise HJ212Error("too-long", f"data segment of {len(data)} bytes cannot be framed (max 9999)")
    return b"##%04d%s%04X\r\n" % (len(data), data, crc_hj212(data))
