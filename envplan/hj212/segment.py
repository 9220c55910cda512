"""Data segment: header fields (QN ST CN PW MN Flag PNUM PNO), Flag bits, the CP data area, edition.

HJ 212-2017 §6.3.2 Table 3 (fields), §6.3.3 and Table 4 (CP syntax and field names), Table 8 (data flags).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from envplan.hj212.codes import (
    CNS_2005_ONLY,
    CNS_2025_ONLY,
    EDITION_VERSION_BITS,
    VERSION_BITS,
    Edition,
    is_legacy_code,
)
from envplan.hj212.errors import HJ212Error

# HJ 212 times are the station's local clock; China has used UTC+8 without daylight saving since 1991.
CHINA_TIME = timezone(timedelta(hours=8), "CST")

# CP fields whose values are text, not numbers (HJ 212-2017 Table 4: Flag C1, EFlag C4, SampleTime, SN, Info).
TEXT_FIELDS: frozenset[str] = frozenset({"Flag", "EFlag", "SampleTime", "SN", "Info"})
_HEADER_KEYS = ("QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO")
# Real loggers set Flag's D bit (e.g. Flag=7) on ordinary uploads that carry no PNUM/PNO: without packet
# numbers there is nothing to reassemble, so the frame is read as a whole one and the quirk is kept as a
# warning instead of rejecting data the device will never send differently.
SPLIT_WITHOUT_NUMBERS = "split: Flag D bit set but no PNUM/PNO; decoded as a whole frame"


@dataclass(frozen=True, slots=True)
class Flag:
    """HJ 212-2017 Table 3: Flag = V5 V4 V3 V2 V1 V0 D A (bit 7 .. bit 0); decoded by bits, never by value."""

    value: int

    @property
    def version_bits(self) -> int:
        return (self.value >> 2) & 0x3F

    @property
    def split(self) -> bool:
        """D: the packet carries PNUM and PNO."""
        return bool(self.value & 0x02)

    @property
    def reply_requested(self) -> bool:
        """A: the receiver must answer."""
        return bool(self.value & 0x01)

    @property
    def edition(self) -> Edition | None:
        return VERSION_BITS.get(self.version_bits)

    @staticmethod
    def build(edition: Edition, *, split: bool = False, reply_requested: bool = False) -> Flag:
        bits = EDITION_VERSION_BITS[edition] << 2
        return Flag(bits | (2 if split else 0) | (1 if reply_requested else 0))


@dataclass(frozen=True, slots=True)
class Header:
    qn: str | None
    st: str
    cn: str
    pw: str | None
    mn: str
    flag: Flag | None
    pnum: int | None
    pno: int | None
    extra: dict[str, str] = field(default_factory=dict)
    # Deviations tolerated while decoding ("reason: message", as HJ212Error formats them).
    warnings: tuple[str, ...] = ()

    @property
    def reply_requested(self) -> bool:
        return self.flag is not None and self.flag.reply_requested

    @property
    def split(self) -> bool:
        """A sub-packet to reassemble: Flag's D bit set and PNUM/PNO present."""
        return self.flag is not None and self.flag.split and self.pnum is not None


@dataclass(frozen=True, slots=True)
class FactorValues:
    """One factor's values in a CP item group, e.g. ``a34006-Avg=2.69,a34006-Flag=N``."""

    factor: str
    values: dict[str, float]
    flag: str | None = None
    eflag: str | None = None
    sample_time: str | None = None
    text: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CpData:
    data_time: datetime | None
    factors: dict[str, FactorValues]
    params: dict[str, str]


@dataclass(frozen=True, slots=True)
class DataSegment:
    header: Header
    cp_text: str
    cp: CpData
    qns: tuple[str, ...] = ()  # all QNs of a reassembled split packet
    # names of the deviations its frame(s) came with, when a reader judged them (see tolerance.py)
    variants: tuple[str, ...] = ()

    @property
    def edition(self) -> Edition | None:
        return detect_edition(self)[0]

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.header.warnings


_REQUIRED = frozenset({"ST", "CN", "MN"})
_HEADER_KEY_SET = frozenset(_HEADER_KEYS)
# Flag values as sent -> decoded Flag ("5", and zero-padded forms such as "05").
_FLAGS: dict[str, Flag] = {f"{v:0{w}d}": Flag(v) for v in range(256) for w in (1, 2, 3)}


def decode_text(segment: bytes) -> str:
    try:
        return segment.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HJ212Error("segment", f"data segment is not UTF-8 at byte {exc.start}") from None


def parse_header(segment: bytes | str) -> tuple[Header, str]:
    """Header fields and the raw CP text (between ``CP=&&`` and the closing ``&&``)."""
    text = decode_text(segment) if isinstance(segment, bytes) else segment
    start = text.find("CP=&&")
    if start < 0:
        raise HJ212Error("segment", "no CP=&& data area")
    if not text.endswith("&&") or len(text) < start + 7:
        raise HJ212Error("segment", "CP data area is not closed with &&")
    fields: dict[str, str] = {}
    for part in text[:start].split(";"):
        if part:
            key, sep, value = part.partition("=")
            if not sep:
                raise HJ212Error("segment", f"header field without '=': {part[:20]!r}")
            fields[key] = value
    if not fields.keys() >= _REQUIRED:
        missing = sorted(_REQUIRED - fields.keys())
        raise HJ212Error("segment", f"missing {', '.join(missing)}")
    flag: Flag | None = None
    flag_text = fields.get("Flag")
    if flag_text is not None:
        flag = _FLAGS.get(flag_text)
        if flag is None:
            raise HJ212Error("flag", f"Flag={flag_text[:10]!r} is not an integer 0-255")
    pnum = pno = None
    if "PNUM" in fields or "PNO" in fields:
        pnum = _optional_int(fields, "PNUM")
        pno = _optional_int(fields, "PNO")
    warnings: tuple[str, ...] = ()
    if flag is not None and flag.split:
        if pnum is None and pno is None:
            warnings = (SPLIT_WITHOUT_NUMBERS,)
        elif pnum is None or pno is None:
            raise HJ212Error("split", f"Flag D bit set but {'PNUM' if pnum is None else 'PNO'} missing")
        elif not 1 <= pno <= pnum:
            raise HJ212Error("split", f"PNO={pno} outside 1..PNUM={pnum}")
    extra = (
        {}
        if fields.keys() <= _HEADER_KEY_SET
        else {k: v for k, v in fields.items() if k not in _HEADER_KEY_SET}
    )
    header = Header(
        qn=fields.get("QN"),
        st=fields["ST"],
        cn=fields["CN"],
        pw=fields.get("PW"),
        mn=fields["MN"],
        flag=flag,
        pnum=pnum,
        pno=pno,
        extra=extra,
        warnings=warnings,
    )
    return header, text[start + 5 : -2]


def _optional_int(fields: dict[str, str], key: str) -> int | None:
    value = fields.get(key)
    if value is None:
        return None
    if not value.isdigit() or not value.isascii():
        raise HJ212Error("split", f"{key}={value[:10]!r} is not an integer")
    return int(value)


def parse_time(text: str) -> datetime:
    """``YYYYMMDDhhmmss`` (HJ 212-2017 Table 4), or with milliseconds ``...zzz`` as real loggers send."""
    if not text.isascii() or not text.isdigit() or len(text) not in (14, 17):
        raise HJ212Error("cp", f"time {text[:20]!r} is not YYYYMMDDhhmmss[zzz]")
    try:
        moment = datetime(
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            int(text[12:14]),
            int(text[14:17] or "0") * 1000,
            tzinfo=CHINA_TIME,
        )
    except ValueError:
        raise HJ212Error("cp", f"time {text!r} is not a valid date") from None
    return moment


def parse_cp(cp_text: str) -> CpData:
    """HJ 212-2017 §6.3.3.1: ``;`` separates items, ``,`` separates fields of the same item."""
    params: dict[str, str] = {}
    numbers: dict[str, dict[str, float]] = {}
    texts: dict[str, dict[str, str]] = {}
    data_time: datetime | None = None
    for group in cp_text.split(";"):
        if not group:
            continue
        for entry in group.split(","):
            key, sep, value = entry.partition("=")
            if not sep or not key:
                raise HJ212Error("cp", f"CP entry without key=value: {entry[:30]!r}")
            factor, dash, name = key.partition("-")
            if not dash:
                if key == "DataTime":
                    data_time = parse_time(value)
                params[key] = value
                continue
            if not factor or not name:
                raise HJ212Error("cp", f"CP key {key[:30]!r} is not factor-field")
            if name in TEXT_FIELDS:
                texts.setdefault(factor, {})[name] = value
                numbers.setdefault(factor, {})
                continue
            try:
                number = float(value)
            except ValueError:
                texts.setdefault(factor, {})[name] = value
                numbers.setdefault(factor, {})
                continue
            numbers.setdefault(factor, {})[name] = number
    factors: dict[str, FactorValues] = {}
    for factor, values in numbers.items():
        text = texts.get(factor, {})
        factors[factor] = FactorValues(
            factor=factor,
            values=values,
            flag=text.pop("Flag", None),
            eflag=text.pop("EFlag", None),
            sample_time=text.pop("SampleTime", None),
            text=text,
        )
    return CpData(data_time=data_time, factors=factors, params=params)


def parse_segment(segment: bytes | str) -> DataSegment:
    header, cp_text = parse_header(segment)
    cp = parse_cp(cp_text)
    return DataSegment(header=header, cp_text=cp_text, cp=cp, qns=(header.qn,) if header.qn else ())


_HEX24 = re.compile(r"[0-9A-Fa-f]{24}")
_CODE_2017 = re.compile(r"[a-z]\d{5}")


def detect_edition(segment: DataSegment) -> tuple[Edition | None, str]:
    """The edition of a segment and how it was found.

    1. A Flag's version bits decide (HJ 212-2017 Table 3: 0 = 2005, 1 = 2017; 2 = 2025, provisional).
       Unknown version bits give ``None``.
    2. Without a Flag (2005-style packets often omit QN and Flag, as Flag is a 2017 rewrite), the shape
       decides: a 2005-only CN (alarm commands) or a legacy 2005 factor code -> 2005; a 2025-only CN ->
       2025; a 24-hex-digit MN (EPC-96, 2017 §6.3.2) with only 2017-style factor codes -> 2017; anything
       else -> 2005, because an absent Flag is itself the 2005 shape.
    """
    header = segment.header
    if header.flag is not None:
        return header.flag.edition, "flag"
    if header.cn in CNS_2005_ONLY:
        return Edition.HJT212_2005, "cn"
    if header.cn in CNS_2025_ONLY:
        return Edition.HJ212_2025, "cn"
    codes = segment.cp.factors.keys()
    if any(is_legacy_code(code) for code in codes):
        return Edition.HJT212_2005, "factor-codes"
    if _HEX24.fullmatch(header.mn) and all(_CODE_2017.fullmatch(code) for code in codes):
        return Edition.HJ212_2017, "mn"
    return Edition.HJT212_2005, "no-flag"
