"""The receiver's per-frame fast path over bytes: header fields only, reply from a bytes template.

The common frame -- an ASCII data segment with exactly ``QN;ST;CN;PW;MN;Flag`` in the HJ 212-2017 Table 3
order, a standard CRC written as four upper-case hex digits, no split packet -- is judged here without
decoding to text, without building :class:`~envplan.hj212.segment.Header` or
:class:`~envplan.hj212.frame.Frame` objects, and without parsing the CP data area (the lake ingest
decodes CP from the landing log).  Every function returns ``None`` for anything else, and the caller then
takes the full path (:func:`~envplan.hj212.frame.split_frame`, :func:`~envplan.hj212.segment.parse_header`,
:func:`~envplan.hj212.replies.reply_for`), so the fast path never changes a verdict: the tests check that
its results equal the full decoder's under hypothesis.
"""

from __future__ import annotations

from envplan.hj212.codes import NOTIFY_CNS, UPLOAD_CNS, QnRtn
from envplan.hj212.crc import crc_hj212
from envplan.hj212.frame import FIELD_MAX_SEGMENT
from envplan.hj212.replies import REPLY_FLAGS

# Flag values as sent ("5", "05", "005") -> the integer, as segment._FLAGS accepts them.
_FLAG_VALUES: dict[bytes, int] = {b"%0*d" % (w, v): v for v in range(256) for w in (1, 2, 3)}
_UPLOAD = frozenset(cn.encode() for cn in UPLOAD_CNS)
_NOTIFY = frozenset(cn.encode() for cn in NOTIFY_CNS)
_READY_CP = b"QnRtn=%d" % int(QnRtn.READY)

# (QN=..., CN=..., PW=..., MN=..., flag): the raw ``key=value`` fields, the Flag as an integer.
HeaderFields = tuple[bytes, bytes, bytes, bytes, int]
# The same without QN: what a receiver caches per distinct header (see split_header).
KeyFields = tuple[bytes, bytes, bytes, int]


def checked_segment(raw: bytes) -> bytes | None:
    """The data segment of a whole frame (``##LLLL...CCCC`` CR LF, as the stream framer returns it) whose
    length field counts its bytes and whose CRC field is the standard CRC in upper-case hex; else None."""
    n = len(raw)
    if n < 12 or raw[:2] != b"##" or raw[n - 2 :] != b"\r\n":
        return None
    digits = raw[2:6]
    if not digits.isdigit():
        return None
    segment = raw[6 : n - 6]
    if len(segment) != int(digits):
        return None
    if b"%04X" % crc_hj212(segment) != raw[n - 6 : n - 2]:
        return None
    return segment


def split_header(segment: bytes) -> tuple[bytes, bytes] | None:
    """``(b"QN=...", key)`` for an ASCII segment starting with QN whose header ends with ';' right before
    the first ``CP=&&`` and whose data area is closed by ``&&``; ``key`` is the rest of the header from the
    ';' after QN to the ';' before CP (the part that repeats from frame to frame).  Else None."""
    if not segment.isascii():
        return None
    cp = segment.find(b"CP=&&")
    end_qn = segment.find(b";")
    if (
        not 3 <= end_qn < cp - 1
        or segment[:3] != b"QN="
        or segment[cp - 1] != 59  # ';'
        or len(segment) < cp + 7
        or segment[-2:] != b"&&"
    ):
        return None
    return segment[:end_qn], segment[end_qn:cp]


def key_fields(key: bytes) -> KeyFields | None:
    """CN, PW, MN (raw fields) and Flag of a :func:`split_header` key holding exactly ``;ST=..;CN=..;PW=..;
    MN=..;Flag=..;`` with a Flag of 0-255 that does not announce a split packet; else None."""
    parts = key.split(b";")
    if len(parts) != 7:
        return None
    empty, st, cn, pw, mn, flag_field, last = parts
    if (
        empty
        or last
        or st[:3] != b"ST="
        or cn[:3] != b"CN="
        or pw[:3] != b"PW="
        or mn[:3] != b"MN="
        or flag_field[:5] != b"Flag="
    ):
        return None
    flag = _FLAG_VALUES.get(flag_field[5:])
    if flag is None or flag & 2:  # not a Flag, or a split packet (PNUM/PNO wanted): the full path decides
        return None
    return cn, pw, mn, flag


def header_fields(segment: bytes) -> HeaderFields | None:
    """Header fields of an ASCII data segment in the standard shape (see the module docstring), or None.

    When it returns fields, :func:`~envplan.hj212.segment.parse_header` succeeds on the same segment with
    the same QN, CN, PW, MN and Flag, no PNUM/PNO and no extra fields."""
    split = split_header(segment)
    if split is None:
        return None
    fields = key_fields(split[1])
    if fields is None:
        return None
    return split[0], *fields


def reply_suffix(fields: KeyFields) -> bytes | None:
    """The reply's data segment after its QN field (``;ST=91;CN=9014;...;CP=&&&&``) for frames with these
    header fields, or None when no reply is due (Flag A=0, or a 90xx reply)."""
    cn, pw, mn, flag = fields
    if not flag & 1:
        return None
    code = cn[3:]
    if code[:2] == b"90":
        return None
    if code in _UPLOAD:
        answer, cp = b"9014", b""
    elif code in _NOTIFY:
        answer, cp = b"9013", b""
    else:
        answer, cp = b"9011", _READY_CP
    return b";ST=91;CN=%b;%b;%b;Flag=%d;CP=&&%b&&" % (
        answer,
        pw,
        mn,
        REPLY_FLAGS.get((flag >> 2) & 0x3F, 4),
        cp,
    )


def frame_reply(qn: bytes, suffix: bytes) -> bytes | None:
    """The framed reply ``qn + suffix`` (None when longer than a frame can carry)."""
    segment = qn + suffix
    if len(segment) > FIELD_MAX_SEGMENT:
        return None
    return b"##%04d%b%04X\r\n" % (len(segment), segment, crc_hj212(segment))


def reply_bytes(fields: HeaderFields) -> bytes | None:
    """The reply :func:`~envplan.hj212.replies.reply_for` gives for a frame with these header fields
    (same bytes), or None when no reply is due or it cannot be framed."""
    suffix = reply_suffix(fields[1:])
    return None if suffix is None else frame_reply(fields[0], suffix)
