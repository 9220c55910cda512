"""Replies and requests per the HJ 212-2017 handshake (§6.5, Annex C) and frame builders.

Replies echo the QN of the frame they answer, use ST=91 and Flag with A=0 (Flag=4 for 2017; Tables C.1,
C.14, C.48, C.50).  The version bits of the reply follow the frame answered (0 for 2005, 2 for the
provisional 2025 edition); a frame without a Flag (2005 style) gets a reply without a Flag.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import ParamSpec

from envplan.hj212.codes import EDITION_VERSION_BITS, NOTIFY_CNS, UPLOAD_CNS, Edition, ExeRtn, QnRtn
from envplan.hj212.errors import HJ212Error
from envplan.hj212.frame import encode_frame
from envplan.hj212.segment import Flag, Header

Params = ParamSpec("Params")

REPLY_ST = "91"  # HJ 212-2017 Table 5: 91 system interaction


def build_segment(
    *,
    st: str,
    cn: str,
    mn: str,
    pw: str | None = "123456",
    qn: str | None = None,
    flag: Flag | int | None = None,
    pnum: int | None = None,
    pno: int | None = None,
    cp: str = "",
) -> str:
    """A data segment in the Table 3 field order; ``cp`` is the text between ``CP=&&`` and ``&&``."""
    parts: list[str] = []
    if qn is not None:
        parts.append(f"QN={qn}")
    parts.append(f"ST={st}")
    parts.append(f"CN={cn}")
    if pw is not None:
        parts.append(f"PW={pw}")
    parts.append(f"MN={mn}")
    if flag is not None:
        parts.append(f"Flag={flag.value if isinstance(flag, Flag) else flag}")
    if pnum is not None and pno is not None:
        parts.append(f"PNUM={pnum}")
        parts.append(f"PNO={pno}")
    parts.append(f"CP=&&{cp}&&")
    return ";".join(parts)


def framed(build: Callable[Params, str]) -> Callable[Params, bytes]:
    """A builder of data segments made a builder of frames: its segment, framed (standard CRC, CR LF)."""

    def frame(*args: Params.args, **kwargs: Params.kwargs) -> bytes:
        return encode_frame(build(*args, **kwargs))

    frame.__name__ = build.__name__.replace("segment", "frame")
    frame.__doc__ = f"The framed bytes of :func:`{build.__name__}` (standard CRC, CR LF)."
    return frame


build_frame = framed(build_segment)


def data_cp(data_time: str, values: Mapping[str, Mapping[str, object]]) -> str:
    """CP text ``DataTime=...;f1-Rtd=1.0,f1-Flag=N;f2-...`` from ``{factor: {field: value}}``."""
    items = [f"DataTime={data_time}"]
    for factor, fields in values.items():
        items.append(",".join(f"{factor}-{name}={value}" for name, value in fields.items()))
    return ";".join(items)


# version bits of the answered frame -> Flag of the reply (A=0); unknown versions answered as 2017
REPLY_FLAGS: dict[int, int] = {
    bits: Flag.build(edition).value for edition, bits in EDITION_VERSION_BITS.items()
}


def _reply_flag(answered: Header) -> Flag | None:
    if answered.flag is None:
        return None
    edition = answered.flag.edition or Edition.HJ212_2017
    return Flag.build(edition)


def reply(answered: Header, cn: str, cp: str = "") -> bytes:
    flag = answered.flag
    if flag is not None and answered.qn is not None and answered.pw is not None:
        # the common case, built in one step (same output as build_segment)
        reply_flag = REPLY_FLAGS.get(flag.version_bits, 4)
        segment = (
            f"QN={answered.qn};ST={REPLY_ST};CN={cn};PW={answered.pw};MN={answered.mn};"
            f"Flag={reply_flag};CP=&&{cp}&&"
        )
        return encode_frame(segment)
    return build_frame(
        qn=answered.qn, st=REPLY_ST, cn=cn, pw=answered.pw, mn=answered.mn, flag=_reply_flag(answered), cp=cp
    )


def request_reply(answered: Header, code: QnRtn) -> bytes:
    """9011 with QnRtn (Table 7)."""
    return reply(answered, "9011", f"QnRtn={int(code)}")


def execution_reply(answered: Header, code: ExeRtn) -> bytes:
    """9012 with ExeRtn (Table 6)."""
    return reply(answered, "9012", f"ExeRtn={int(code)}")


def notify_reply(answered: Header) -> bytes:
    """9013 notification reply."""
    return reply(answered, "9013")


def data_reply(answered: Header) -> bytes:
    """9014 data reply, acknowledging an upload."""
    return reply(answered, "9014")


def reply_for(answered: Header) -> bytes | None:
    """The centre's reply to a field-unit frame, or None when no reply is due.

    Only frames with Flag.A=1 are answered.  Uploads get 9014, notifications 9013, other requests 9011
    with QnRtn=1 (ready); replies (90xx) are never answered.
    """
    if not answered.reply_requested or answered.cn.startswith("90"):
        return None
    if answered.cn in UPLOAD_CNS:
        return data_reply(answered)
    if answered.cn in NOTIFY_CNS:
        return notify_reply(answered)
    return request_reply(answered, QnRtn.READY)


# ------------------------------------------------------------------------------ centre -> field requests


def qn_for(moment: datetime) -> str:
    """QN for a request sent at ``moment``: ``YYYYMMDDhhmmsszzz`` (HJ 212-2017 Table 3)."""
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def request_frame(
    *,
    st: str,
    cn: str,
    mn: str,
    pw: str,
    qn: str,
    cp: str = "",
    edition: Edition = Edition.HJ212_2017,
) -> bytes:
    """A centre-to-field request (Flag.A=1: the field unit answers 9011, then 9012 after executing)."""
    return build_frame(
        qn=qn, st=st, cn=cn, pw=pw, mn=mn, flag=Flag.build(edition, reply_requested=True), cp=cp
    )


def set_time_request(*, st: str, mn: str, pw: str, qn: str, system_time: datetime) -> bytes:
    """CN 1012, set the field unit's clock (HJ 212-2017 Table 9; the first step of §6.7)."""
    return request_frame(st=st, cn="1012", mn=mn, pw=pw, qn=qn, cp=f"SystemTime={system_time:%Y%m%d%H%M%S}")


def history_request(*, st: str, cn: str, mn: str, pw: str, qn: str, begin: datetime, end: datetime) -> bytes:
    """Re-fetch stored data (CN 2031 day, 2041 run time, 2051 minute, 2061 hour) between two times."""
    if cn not in {"2031", "2041", "2051", "2061"}:
        raise HJ212Error("segment", f"CN {cn} is not a history data command")
    cp = f"BeginTime={begin:%Y%m%d%H%M%S};EndTime={end:%Y%m%d%H%M%S}"
    return request_frame(st=st, cn=cn, mn=mn, pw=pw, qn=qn, cp=cp)
