"""Deviations from HJ 212 that real data loggers make, named, and the verdict on a frame.

No fully conforming device exists (reference A.14; a parser maintainer: "no fully compliant packet has
ever been seen").  A platform that refused every slip would lose whole enterprises' data, so a frame that
is otherwise intact -- its CRC is right over the data segment delimited by the header and the CRC -- is
accepted with its known deviations named, and the stored values carry the names.  A strict device (or
receiver) refuses the same frames, the first name being the reason.

==================  ===================================================================================
name                deviation
==================  ===================================================================================
length+N            the length field counts N characters more than the data segment (N = 2, 4, ... 12)
crc-lowercase       the CRC in lower-case hex digits
crc-modbus,         a CRC computed another way (accepted only from devices configured for it)
crc-modbus-swapped,
crc-arc
no-qn               no QN field (2005 style)
no-flag             no Flag field (2005 style; no reply can be asked for)
mn-length           an MN not of its edition's length (24 characters for 2017 and 2025, 14 for 2005)
split-unnumbered    Flag says "split" but there is no PNUM/PNO (read as a whole packet)
vendor-st           a system code not in HJ 212-2017 Table 5
vendor-cn           a command code of neither HJ 212-2017, HJ/T 212-2005 nor the 2025 edition
vendor-factor       a factor code of neither HJ 212-2017's shape (a letter and five digits, SB facility
                    codes) nor HJ/T 212-2005's (two or three digits, a letter and two digits)
datatime-ms         DataTime with milliseconds (17 digits instead of 14)
==================  ===================================================================================

Vendor codes are kept as sent either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from envplan.hj212.codes import STANDARD_CNS, STANDARD_STS, Edition
from envplan.hj212.crc import VARIANTS, CrcKind
from envplan.hj212.errors import HJ212Error
from envplan.hj212.frame import FIELD_MAX_SEGMENT, Frame, split_frame
from envplan.hj212.segment import SPLIT_WITHOUT_NUMBERS, CpData, DataSegment, Header, parse_segment

# The canonical order of the names (a strict reader gives the first as its reason).
ORDER: tuple[str, ...] = (
    *(f"length+{n}" for n in (2, 4, 6, 8, 10, 12)),
    "crc-lowercase",
    "crc-modbus",
    "crc-modbus-swapped",
    "crc-arc",
    "no-qn",
    "no-flag",
    "mn-length",
    "split-unnumbered",
    "vendor-st",
    "vendor-cn",
    "vendor-factor",
    "datatime-ms",
)
_RANK = {name: rank for rank, name in enumerate(ORDER)}
DESCRIPTIONS: dict[str, str] = {
    **{
        f"length+{n}": f"the length field counts {n} characters more than the data segment"
        for n in range(2, 13, 2)
    },
    "crc-lowercase": "the CRC is written in lower-case hex",
    "crc-modbus": "the CRC is CRC-16/MODBUS, not the HJ 212 CRC",
    "crc-modbus-swapped": "the CRC is CRC-16/MODBUS with its bytes swapped, not the HJ 212 CRC",
    "crc-arc": "the CRC is CRC-16/ARC, not the HJ 212 CRC",
    "no-qn": "no QN field",
    "no-flag": "no Flag field",
    "mn-length": "the MN is not of its edition's length",
    "split-unnumbered": "Flag says split but there is no PNUM/PNO",
    "vendor-st": "a system code (ST) not in HJ 212-2017 Table 5",
    "vendor-cn": "a command code (CN) not in the standard",
    "vendor-factor": "a factor code of neither the 2017 nor the 2005 shape",
    "datatime-ms": "DataTime with milliseconds",
}
_FACTOR_2017 = re.compile(r"[a-z]\d{5}|SB\w*")  # HJ 212-2017 codes (HJ 524/525), SBxxx facilities (Table 4)
_FACTOR_2005 = re.compile(r"\d{2,3}|[A-Z]\d{2}")  # HJ/T 212-2005 codes (Tables B.1/B.2: "011", "B01", "S03")
_MN_LENGTHS: dict[Edition | None, tuple[int, ...]] = {
    Edition.HJT212_2005: (14,),
    Edition.HJ212_2017: (24,),
    Edition.HJ212_2025: (24,),
}


def ordered(names: set[str] | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Names once each, in the canonical order (unknown names last, alphabetically)."""
    return tuple(sorted(set(names), key=lambda name: (_RANK.get(name, len(ORDER)), name)))


def header_variants(header: Header) -> tuple[str, ...]:
    names: list[str] = []
    if header.qn is None:
        names.append("no-qn")
    if header.flag is None:
        names.append("no-flag")
        expected: tuple[int, ...] = (14, 24)  # 2005 or 2017 shape: the MN itself tells the edition
    else:
        expected = _MN_LENGTHS.get(header.flag.edition, ())
    if expected and len(header.mn) not in expected:
        names.append("mn-length")
    if SPLIT_WITHOUT_NUMBERS in header.warnings:
        names.append("split-unnumbered")
    if header.st not in STANDARD_STS:
        names.append("vendor-st")
    if header.cn not in STANDARD_CNS:
        names.append("vendor-cn")
    return tuple(names)


def cp_variants(cp: CpData) -> tuple[str, ...]:
    names: list[str] = []
    if any(not (_FACTOR_2017.fullmatch(code) or _FACTOR_2005.fullmatch(code)) for code in cp.factors):
        names.append("vendor-factor")
    data_time = cp.params.get("DataTime")
    if data_time is not None and len(data_time) == 17:
        names.append("datatime-ms")
    return tuple(names)


def segment_variants(segment: DataSegment) -> tuple[str, ...]:
    return header_variants(segment.header) + cp_variants(segment.cp)


def strict_error(variants: tuple[str, ...]) -> HJ212Error:
    """The refusal of a strict reader: the first deviation is the reason."""
    first = variants[0]
    others = f" (also: {', '.join(variants[1:])})" if len(variants) > 1 else ""
    return HJ212Error(first, f"{DESCRIPTIONS.get(first, first)}; refused by the strict setting{others}")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a reader makes of one frame: its parts (as far as they could be read), its deviations, and the
    error that refuses it (None: accepted)."""

    frame: Frame | None
    segment: DataSegment | None
    variants: tuple[str, ...]
    error: HJ212Error | None

    @property
    def ok(self) -> bool:
        return self.error is None


def judge(
    raw: bytes,
    *,
    crc_variants: frozenset[CrcKind] = frozenset(),
    strict: bool = False,
    max_segment: int = FIELD_MAX_SEGMENT,
) -> Verdict:
    """The verdict on one whole frame, as the receiver gives it to a device configured with
    ``crc_variants`` and ``strict``: the frame and segment are read, the known deviations accepted and
    named (CRC variants only when listed), anything else refused with its reason."""
    try:
        frame = split_frame(raw, max_segment=max_segment)
    except HJ212Error as exc:
        return Verdict(None, None, (), exc)
    try:
        segment = parse_segment(frame.segment)
    except HJ212Error as exc:
        return Verdict(frame, None, frame.variants, exc)
    variants = frame.variants + segment_variants(segment)
    segment = replace(segment, variants=variants)
    if frame.crc is CrcKind.INVALID or (frame.crc in VARIANTS and frame.crc not in crc_variants):
        message = f"CRC field {frame.crc_field:04X} is {frame.crc.value}, not the HJ 212-2017 Annex A CRC"
        return Verdict(frame, segment, variants, HJ212Error("crc", message))
    if strict and variants:
        return Verdict(frame, segment, variants, strict_error(variants))
    return Verdict(frame, segment, variants, None)
