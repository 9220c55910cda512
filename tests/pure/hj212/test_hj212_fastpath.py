"""The receiver's fast path gives the full decoder's verdicts: header fields, replies, landed records."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from envplan.hj212.codes import QnRtn
from envplan.hj212.crc import CrcKind, crc_hj212, crc_hj212_table, crc_modbus
from envplan.hj212.errors import HJ212Error
from envplan.hj212.fastpath import checked_segment, header_fields, reply_bytes
from envplan.hj212.frame import FIELD_MAX_SEGMENT, encode_frame, split_frame
from envplan.hj212.receiver import Device, Receiver, ReceiverConfig, UnknownDevicePolicy
from envplan.hj212.replies import build_segment, data_cp, reply_for
from envplan.hj212.segment import parse_header
from envplan.lake.landing import LandingLog, replay

MN_OK = "010000A8900016F000169DC0"  # the HJ 212-2017 Annex A example MN
MN_VARIANT = "010000A8900016F000169DC1"
MN_UNKNOWN = "010000A8900016F000169DC2"
MN_STRICT = "010000A8900016F000169DC3"

# ------------------------------------------------------------------------------ header-only decoder

_VALUE = st.text(alphabet="0123456789ABaz-=;&,.é", max_size=6)
_KEYS = st.sampled_from(["QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO", "XX", ""])
_FLAGS = st.sampled_from(["5", "05", "005", "4", "7", "9", "253", "256", "x", "-1", " 5"])


@st.composite
def standard_segments(draw: st.DrawFn) -> str:
    """Segments in the shape the fast path takes (plus the odd value that makes it decline)."""
    values = {
        "QN": draw(st.text(alphabet="0123456789", min_size=0, max_size=17)),
        "ST": draw(st.sampled_from(["31", "32", "91", "1"])),
        "CN": draw(st.sampled_from(["2011", "2051", "2061", "1013", "1011", "1012", "9014", "3020", "20=1"])),
        "PW": draw(st.sampled_from(["123456", "", "pw;x", "pé"])),
        "MN": draw(st.sampled_from([MN_OK, "", "A=B", "CP=&&"])),
        "Flag": draw(_FLAGS),
    }
    header = ";".join(f"{key}={value}" for key, value in values.items())
    cp = draw(st.sampled_from(["", "DataTime=20240101000000;a21026-Rtd=1.5,a21026-Flag=N", "x&&y", "é"]))
    return f"{header};CP=&&{cp}&&"


@st.composite
def arbitrary_segments(draw: st.DrawFn) -> str:
    """Headers with fields in any order, repeated, missing or malformed, and odd data areas."""
    pairs = draw(st.lists(st.tuples(_KEYS, st.one_of(_VALUE, _FLAGS)), max_size=8))
    header = ";".join(f"{key}={value}" if key else value for key, value in pairs)
    separator = draw(st.sampled_from([";", ";;", "", ";CP=&&;"]))
    tail = draw(st.sampled_from(["CP=&&x=1&&", "CP=&&&&", "CP=&&", "CP=&&x", "CP=&&&", "CP=x&&"]))
    return header + separator + tail


def full_header_fields(segment: bytes) -> tuple[bytes, bytes, bytes, bytes, int] | None:
    """What header_fields must return, computed with the full decoder."""
    try:
        header, _ = parse_header(segment)
    except HJ212Error:
        return None
    return (
        f"QN={header.qn}".encode(),
        f"CN={header.cn}".encode(),
        f"PW={header.pw}".encode(),
        f"MN={header.mn}".encode(),
        header.flag.value if header.flag else -1,
    )


@settings(max_examples=400, deadline=None)  # no wall-clock limit: the machine is shared
@given(st.one_of(standard_segments(), arbitrary_segments()))
def test_header_fields_equal_the_full_decoders_header(text: str):
    segment = text.encode("utf-8")

    fast = header_fields(segment)

    if fast is not None:  # whenever the fast path decides, it decides as the full decoder does
        header, _ = parse_header(segment)
        assert (header.pnum, header.pno, header.extra) == (None, None, {})
        assert fast == full_header_fields(segment)


def test_header_fields_take_the_standard_shape_and_decline_the_rest():
    standard = build_segment(qn="20240101000000001", st="31", cn="2011", mn=MN_OK, flag=5, cp="a=1").encode()
    cases = {
        "standard": standard,
        "zero-padded flag": standard.replace(b"Flag=5", b"Flag=05"),
        "split packet": build_segment(st="31", cn="2011", mn=MN_OK, qn="1", flag=7, pnum=2, pno=1).encode(),
        "no QN (2005 style)": build_segment(st="31", cn="2011", mn=MN_OK, flag=5).encode(),
        "extra field": standard.replace(b";Flag=5", b";XX=1;Flag=5"),
        "non-ASCII": standard.replace(b"a=1", "a=é".encode()),
        "bad flag": standard.replace(b"Flag=5", b"Flag=256"),
    }

    taken = {name: header_fields(segment) is not None for name, segment in cases.items()}

    assert taken == {
        "standard": True,
        "zero-padded flag": True,
        "split packet": False,
        "no QN (2005 style)": False,
        "extra field": False,
        "non-ASCII": False,
        "bad flag": False,
    }


def full_reply(segment: bytes) -> bytes | None:
    header, _ = parse_header(segment)
    try:
        return reply_for(header)
    except HJ212Error:
        return None


@settings(max_examples=300, deadline=None)  # no wall-clock limit: the machine is shared
@given(standard_segments())
def test_reply_bytes_equal_reply_for(text: str):
    segment = text.encode("utf-8")
    fields = header_fields(segment)

    fast = reply_bytes(fields) if fields is not None else None

    assert fast == (full_reply(segment) if fields is not None else None)


def test_reply_bytes_for_each_kind_of_frame():
    def reply_cn(cn: str, flag: int) -> tuple[str, str] | None:
        fields = header_fields(
            build_segment(qn="20240101000000001", st="31", cn=cn, mn=MN_OK, flag=flag).encode()
        )
        assert fields is not None
        reply = reply_bytes(fields)
        if reply is None:
            return None
        header, cp = parse_header(split_frame(reply).segment)
        return header.cn, cp

    kinds = {
        "upload": reply_cn("2011", 5),
        "notification": reply_cn("1013", 5),
        "request": reply_cn("1012", 5),
        "no reply requested": reply_cn("2011", 4),
        "a reply": reply_cn("9014", 5),
    }

    assert kinds == {
        "upload": ("9014", ""),
        "notification": ("9013", ""),
        "request": ("9011", f"QnRtn={int(QnRtn.READY)}"),
        "no reply requested": None,
        "a reply": None,
    }


@settings(max_examples=300, deadline=None)  # no wall-clock limit: the machine is shared
@given(
    st.one_of(standard_segments(), arbitrary_segments()),
    st.sampled_from(["standard", "lower", "wrong", "modbus", "chars"]),
)
def test_checked_segment_only_for_byte_counted_standard_crc_frames(text: str, crc_form: str):
    data = text.encode("utf-8")
    crc = crc_hj212(data)
    if crc_form == "wrong":
        crc ^= 0x0101
    elif crc_form == "modbus":
        crc = crc_modbus(data)
    length = len(text) if crc_form == "chars" else len(data)
    field = b"%04x" % crc if crc_form == "lower" else b"%04X" % crc
    raw = b"##%04d%b%b\r\n" % (length, data, field)

    segment = checked_segment(raw)

    if segment is not None:
        frame = split_frame(raw)
        assert (frame.segment, frame.crc, frame.length_basis) == (data, CrcKind.STANDARD, "bytes")
        assert field == b"%04X" % crc_hj212(data)
    if crc_form == "standard" and len(data) <= FIELD_MAX_SEGMENT:
        assert segment == data


def test_crc_fold_past_the_cached_plans_equals_the_table_loop():
    data = bytes(range(256)) * 80  # 20,480 bytes: more words than the cached folding plans cover

    assert [crc_hj212(data[:n]) for n in (16_383, 16_384, 16_385, 20_480)] == [
        crc_hj212_table(data[:n]) for n in (16_383, 16_384, 16_385, 20_480)
    ]


# --------------------------------------------------------------------- receiver: fast = full path


def mixed_stream() -> list[bytes]:
    """Frames of every kind the receiver meets, good and bad, in one connection's byte stream."""
    cp = data_cp("20240101000000", {"a21026": {"Rtd": 1.5, "Flag": "N"}})

    def frame(
        qn: int, *, mn: str = MN_OK, cn: str = "2011", flag: int | str | None = 5, pw: str = "123456"
    ) -> bytes:
        qn_text = f"20240101000000{qn:03d}"
        segment = build_segment(qn=qn_text, st="31", cn=cn, pw=pw, mn=mn, flag=None, cp=cp)
        if flag is not None:
            segment = segment.replace(";CP=&&", f";Flag={flag};CP=&&")
        return encode_frame(segment)

    good = frame(1)
    bad_crc = good[:-6] + (b"0000" if good[-6:-2] != b"0000" else b"0001") + b"\r\n"
    lower = good[:-6] + good[-6:-2].lower() + b"\r\n"
    variant_segment = split_frame(frame(12, mn=MN_VARIANT)).segment
    modbus = b"##%04d%b%04X\r\n" % (len(variant_segment), variant_segment, crc_modbus(variant_segment))
    chinese = f"QN=20240101000000013;ST=31;CN=2011;PW=123456;MN={MN_OK};Flag=5;CP=&&Info=测试&&"
    char_counted = b"##%04d%b%04X\r\n" % (len(chinese), chinese.encode(), crc_hj212(chinese.encode()))
    split = encode_frame(
        build_segment(qn="20240101000000014", st="31", cn="2011", mn=MN_OK, flag=7, pnum=2, pno=1, cp=cp)
    )
    return [
        good,
        frame(2, flag=4),
        frame(3, flag="05"),
        encode_frame(build_segment(st="31", cn="2011", mn=MN_OK, pw="123456", cp=cp)),  # 2005 style
        frame(4, pw="654321"),
        frame(5, mn=MN_UNKNOWN),
        frame(6, mn=MN_UNKNOWN, flag=4),
        bad_crc,
        lower,
        b"garbage\r\n",
        modbus,
        split,
        frame(7, cn="9014"),
        frame(8, cn="1013"),
        frame(9, cn="1012"),
        frame(10, flag=9),  # HJ 212-2025 version bits
        frame(11, flag=253),  # unknown version bits
        char_counted,
        frame(15, cn="2061"),
        frame(16, mn=MN_VARIANT),
        frame(18, flag=7),  # Flag says split, no PNUM/PNO: landed whole, with a warning
        frame(19, mn="88888880000001"),  # an MN of 2005's length with a 2017 Flag: a tolerated deviation
        b"##%04d%b" % (len(good) - 12 + 6, good[6:]),  # a length field counting the ## and its digits
        frame(20, mn=MN_STRICT),
        frame(21, mn=MN_STRICT, flag=7),  # refused: the device is strict
        frame(17),
    ]


def run_receiver(
    tmp_path: Path, *, fast: bool, policy: UnknownDevicePolicy
) -> tuple[bytes, list[object], dict[str, object]]:
    registry = {
        MN_OK: Device(MN_OK, password="123456"),
        MN_VARIANT: Device(MN_VARIANT, crc_variants=frozenset({CrcKind.MODBUS})),
        MN_STRICT: Device(MN_STRICT, strict=True),
    }
    stream = b"".join(mixed_stream())
    last_reply_qn = b"QN=20240101000000017"

    async def run() -> tuple[bytes, dict[str, object]]:
        log = LandingLog(tmp_path)
        receiver = Receiver(
            lookup=registry.get,
            policy=policy,
            landing=log,
            config=ReceiverConfig(fast_path=fast),
            clock=lambda: 1_700_000_000,
        )
        _host, port = await receiver.start("127.0.0.1", 0)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in range(0, len(stream), 101):  # reads that cut frames anywhere
            writer.write(stream[i : i + 101])
            await writer.drain()
        replies = b""
        while last_reply_qn not in replies:
            replies += await asyncio.wait_for(reader.read(65536), 5)
        writer.close()
        await receiver.stop()
        log.close()
        stats = receiver.stats.as_dict()
        # how frames fall into batches, and whether the client's close or stop() ends the connection first,
        # depend on timing
        for key in ("fsyncs", "closed", "connections_open"):
            del stats[key]
        return replies, stats

    replies, stats = asyncio.run(run())
    records = [
        (record.frame, record.received_ns, record.meta)
        for path in sorted(tmp_path.glob("*.log"))
        for record in replay(path)
    ]
    return replies, records, stats


def test_receiver_fast_path_lands_answers_and_counts_as_the_full_path(tmp_path: Path):
    for policy in UnknownDevicePolicy:
        fast = run_receiver(tmp_path / f"fast-{policy.value}", fast=True, policy=policy)
        full = run_receiver(tmp_path / f"full-{policy.value}", fast=False, policy=policy)

        assert fast == full
        assert len(fast[1]) >= 12  # most of the mix is landed, so the comparison covers the fast path
