"""CRC, Flag bits, CP parsing, editions, replies and split-packet reassembly."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envplan.hj212.codes import Edition, ExeRtn, QnRtn, code_2017, data_flag_meaning
from envplan.hj212.crc import (
    CrcKind,
    classify_crc,
    crc_arc,
    crc_hj212,
    crc_hj212_bitwise,
    crc_hj212_table,
    crc_modbus,
    swap16,
    variant_from_name,
)
from envplan.hj212.errors import HJ212Error
from envplan.hj212.frame import decode_frame, decode_message, encode_frame, split_frame
from envplan.hj212.reassembly import SplitReassembler
from envplan.hj212.replies import (
    build_frame,
    data_cp,
    data_reply,
    execution_reply,
    history_request,
    qn_for,
    reply_for,
    request_reply,
    set_time_request,
)
from envplan.hj212.rows import frames_to_rows
from envplan.hj212.segment import (
    CHINA_TIME,
    SPLIT_WITHOUT_NUMBERS,
    Flag,
    detect_edition,
    parse_header,
    parse_segment,
)

# HJ 212-2017 Annex A example data segment (101 bytes, CRC 1C80)
ANNEX_SEGMENT = (
    b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&"
)
MN = "010000A8900016F000169DC0"


def test_crc_annex_a_example_is_1c80():
    assert (len(ANNEX_SEGMENT), crc_hj212(ANNEX_SEGMENT)) == (101, 0x1C80)


def test_crc_check_values_differ_from_modbus():
    assert (crc_hj212(b"123456789"), crc_modbus(b"123456789"), crc_hj212(b"")) == (0x2F80, 0x4B37, 0xFFFF)


@settings(max_examples=300, deadline=None)  # no wall-clock limit: the machine is shared
@given(st.binary(max_size=2000))
def test_crc_fast_path_equals_annex_routine(data: bytes):
    assert crc_hj212(data) == crc_hj212_bitwise(data) == crc_hj212_table(data)


@settings(deadline=None)  # no wall-clock limit: the machine is shared
@given(st.binary(min_size=1, max_size=300))
def test_crc_low_byte_is_one_of_eight_values(data: bytes):
    assert crc_hj212(data) & 0xFF in {0x00, 0x01, 0x40, 0x41, 0x80, 0x81, 0xC0, 0xC1}


def test_crc_variants_classified_and_rejected_unless_accepted():
    segment = ANNEX_SEGMENT
    fields = {
        CrcKind.MODBUS: crc_modbus(segment),
        CrcKind.MODBUS_SWAPPED: swap16(crc_modbus(segment)),
        CrcKind.ARC: crc_arc(segment),
    }
    frames = {kind: b"##0101" + segment + b"%04X\r\n" % value for kind, value in fields.items()}

    kinds = {kind: classify_crc(segment, value) for kind, value in fields.items()}
    rejected = []
    for frame in frames.values():
        with pytest.raises(HJ212Error) as info:
            decode_frame(frame)
        rejected.append(info.value.reason)
    accepted = {kind: decode_frame(frame, accept=frozenset({kind})).crc for kind, frame in frames.items()}

    assert kinds == {kind: kind for kind in fields}
    assert rejected == ["crc", "crc", "crc"]
    assert accepted == kinds
    assert [variant_from_name(n) for n in ("modbus", "variant:modbus-swapped", "arc")] == list(fields)


def test_frame_lowercase_crc_and_missing_crlf_accepted():
    frame = b"##0101" + ANNEX_SEGMENT + b"1c80"

    assert decode_frame(frame).crc is CrcKind.STANDARD


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"##0102" + ANNEX_SEGMENT + b"1C80\r\n", "length"),
        (b"##01X1" + ANNEX_SEGMENT + b"1C80\r\n", "header"),
        (b"#0101" + ANNEX_SEGMENT + b"1C80\r\n", "header"),
        (b"##0101" + ANNEX_SEGMENT + b"1C8G\r\n", "crc"),
        (b"##0101" + ANNEX_SEGMENT + b"1C81\r\n", "crc"),
    ],
)
def test_frame_errors_name_their_reason(raw: bytes, reason: str):
    with pytest.raises(HJ212Error) as info:
        decode_frame(raw)

    assert info.value.reason == reason


def test_frame_length_counted_in_characters_is_accepted():
    segment = f"QN=20240101000000000;ST=32;CN=3020;PW=123456;MN={MN};Flag=4;CP=&&i11001-Info=//设备正常//&&"
    data = segment.encode()
    raw = b"##%04d%s%04X\r\n" % (len(segment), data, crc_hj212(data))

    frame = split_frame(raw)

    assert (frame.length_basis, frame.length_field, len(frame.segment)) == ("chars", len(segment), len(data))


@settings(deadline=None)  # no wall-clock limit: the machine is shared
@given(st.binary(max_size=400))
def test_frame_decoder_fuzz_raises_only_codec_error(data: bytes):
    try:
        decode_message(data)
        decode_message(b"##" + data)
    except HJ212Error:
        pass


@pytest.mark.parametrize(
    ("value", "version", "split", "reply"),
    [
        (4, 1, False, False),
        (5, 1, False, True),
        (6, 1, True, False),
        (7, 1, True, True),
        (8, 2, False, False),
    ],
)
def test_flag_decoded_by_bits(value: int, version: int, split: bool, reply: bool):
    flag = Flag(value)

    assert (flag.version_bits, flag.split, flag.reply_requested) == (version, split, reply)


def test_flag_build_round_trips_editions():
    built = [Flag.build(e, reply_requested=True).value for e in Edition]

    assert built == [1, 5, 9]
    assert [Flag(v).edition for v in built] == list(Edition)


def test_segment_cp_typed_records_and_flags():
    segment = parse_segment(
        f"QN=20190925181031464;ST=22;CN=2061;PW=123456;MN={MN};Flag=5;"
        "CP=&&DataTime=20190924220000;a34006-Avg=2.69700,a34006-Flag=N;"
        "a21026-ZsAvg=12.5,a21026-Cou=3.2,a21026-Flag=D,a21026-EFlag=A01,a21026-SampleTime=20190924220500&&"
    )

    so2 = segment.cp.factors["a21026"]

    assert segment.cp.data_time == datetime(2019, 9, 24, 22, 0, tzinfo=CHINA_TIME)
    assert segment.cp.factors["a34006"].values == {"Avg": 2.697}
    assert (so2.values, so2.flag, so2.eflag, so2.sample_time) == (
        {"ZsAvg": 12.5, "Cou": 3.2},
        "D",
        "A01",
        "20190924220500",
    )
    assert data_flag_meaning(so2.flag or "") == "instrument fault"


def test_segment_datatime_with_milliseconds():
    segment = parse_segment(f"ST=32;CN=2011;PW=1;MN={MN};CP=&&DataTime=20160824003817250;B01-Rtd=1&&")

    assert segment.cp.data_time == datetime(2016, 8, 24, 0, 38, 17, 250000, tzinfo=CHINA_TIME)


@pytest.mark.parametrize(
    ("segment", "reason"),
    [
        (f"ST=32;CN=2011;MN={MN};Flag=x;CP=&&&&", "flag"),
        (f"ST=32;CN=2011;MN={MN};Flag=7;PNUM=2;CP=&&&&", "split"),  # PNO missing
        (f"ST=32;CN=2011;MN={MN};Flag=7;PNUM=2;PNO=3;CP=&&&&", "split"),
        (f"ST=32;MN={MN};CP=&&&&", "segment"),
        (f"ST=32;CN=2011;MN={MN};CP=&&DataTime=2016;&&", "cp"),
        (f"ST=32;CN=2011;MN={MN};CP=&&a-Rtd&&", "cp"),
        (f"ST=32;CN=2011;MN={MN}", "segment"),
    ],
)
def test_segment_errors(segment: str, reason: str):
    with pytest.raises(HJ212Error) as info:
        parse_segment(segment)

    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("segment", "edition", "basis"),
    [
        (f"ST=32;CN=2011;MN={MN};Flag=4;CP=&&&&", Edition.HJ212_2017, "flag"),
        (f"ST=32;CN=2011;MN={MN};Flag=0;CP=&&&&", Edition.HJT212_2005, "flag"),
        (f"ST=32;CN=2011;MN={MN};Flag=9;CP=&&&&", Edition.HJ212_2025, "flag"),
        (f"ST=32;CN=2011;MN={MN};Flag=12;CP=&&&&", None, "flag"),
        (
            "ST=32;CN=2011;MN=LD130133000015;CP=&&DataTime=20160824003817;011-Rtd=1&&",
            Edition.HJT212_2005,
            "factor-codes",
        ),
        (f"ST=32;CN=2072;MN={MN};CP=&&&&", Edition.HJT212_2005, "cn"),
        (f"ST=32;CN=9015;MN={MN};CP=&&&&", Edition.HJ212_2025, "cn"),
        (f"ST=32;CN=2011;MN={MN};CP=&&DataTime=20160824003817;w01018-Rtd=1&&", Edition.HJ212_2017, "mn"),
        (
            "ST=32;CN=2011;MN=LD130133000015;CP=&&DataTime=20160824003817;w01018-Rtd=1&&",
            Edition.HJT212_2005,
            "no-flag",
        ),
    ],
)
def test_edition_detection(segment: str, edition: Edition | None, basis: str):
    assert detect_edition(parse_segment(segment)) == (edition, basis)


def test_legacy_codes_map_by_system():
    assert [
        code_2017("011", "32"),
        code_2017("02", "31"),
        code_2017("023", "31"),
        code_2017("023", "32"),
    ] == [
        "w01018",
        "a21026",
        "023",
        "w20116",
    ]


def test_reply_9011_matches_reference_frame():
    header, _ = parse_header(
        f"QN=20160801085857223;ST=32;CN=1062;PW=123456;MN={MN};Flag=5;CP=&&RtdInterval=30&&"
    )

    reply = request_reply(header, QnRtn.READY)

    # hj212-and-processes.md A.13 (built with the reference checker)
    assert reply == (
        b"##0094QN=20160801085857223;ST=91;CN=9011;PW=123456;MN="
        + MN.encode()
        + b";Flag=4;CP=&&QnRtn=1&&1B00\r\n"
    )
    assert (
        execution_reply(header, ExeRtn.SUCCESS)[:6] + execution_reply(header, ExeRtn.SUCCESS)[-6:]
        == b"##00956240\r\n"
    )


def test_reply_for_upload_is_9014_echoing_qn_and_none_without_flag_a():
    with_ack, _ = parse_header(f"QN=20240101000000123;ST=22;CN=2061;PW=123456;MN={MN};Flag=5;CP=&&&&")
    without_ack, _ = parse_header(f"QN=20240101000000123;ST=22;CN=2061;PW=123456;MN={MN};Flag=4;CP=&&&&")
    notify, _ = parse_header(f"QN=20240101000000124;ST=22;CN=1013;PW=123456;MN={MN};Flag=5;CP=&&&&")

    reply = reply_for(with_ack)
    assert reply is not None
    decoded = decode_message(reply)[1].header

    assert (decoded.qn, decoded.st, decoded.cn, decoded.flag) == ("20240101000000123", "91", "9014", Flag(4))
    assert reply == data_reply(with_ack)
    assert reply_for(without_ack) is None
    assert decode_message(reply_for(notify) or b"")[1].header.cn == "9013"


def test_reply_keeps_edition_bits_of_2025_frames():
    header, _ = parse_header(f"QN=20260101000000000;ST=22;CN=2011;PW=123456;MN={MN};Flag=9;CP=&&&&")

    reply = decode_message(reply_for(header) or b"")[1].header

    assert reply.flag == Flag(8)


def _split_frames(values: dict[str, dict[str, object]], parts: int) -> list[bytes]:
    factors = list(values)
    chunk = -(-len(factors) // parts)
    frames = []
    for i in range(parts):
        subset = {f: values[f] for f in factors[i * chunk : (i + 1) * chunk]}
        frames.append(
            build_frame(
                qn=f"20240101000000{i:03d}",
                st="32",
                cn="2061",
                mn=MN,
                flag=Flag.build(Edition.HJ212_2017, split=True, reply_requested=True),
                pnum=parts,
                pno=i + 1,
                cp=data_cp("20240101000000", subset),
            )
        )
    return frames


def test_reassembly_joins_out_of_order_parts_into_the_unsplit_cp():
    values = {f"w0{n:04d}": {"Avg": float(n), "Flag": "N"} for n in range(1, 8)}
    frames = _split_frames(values, 3)
    whole = parse_segment(
        build_frame(
            qn="20240101000000000", st="32", cn="2061", mn=MN, flag=5, cp=data_cp("20240101000000", values)
        )[6:-6]
    )
    reassembler = SplitReassembler()

    outputs = [reassembler.feed(decode_message(frames[i])[1], now=float(i)) for i in (2, 0, 1)]

    merged = outputs[2]
    assert outputs[:2] == [None, None]
    assert merged is not None
    assert merged.cp == whole.cp
    assert merged.qns == ("20240101000000000", "20240101000000001", "20240101000000002")
    assert (merged.header.flag, merged.header.pnum, reassembler.pending) == (Flag(5), None, 0)


# An hourly upload with Flag=7 (2017, D=1 "split", A=1) and no PNUM/PNO, as real loggers send it.
SPLIT_FLAG_WITHOUT_NUMBERS = (
    b"##0140QN=20240101000000001;ST=31;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=7;"
    b"CP=&&DataTime=20240101000000;a21026-Avg=12.5,a21026-Flag=N&&6B80\r\n"
)


def test_split_flag_without_packet_numbers_decodes_as_a_whole_frame_with_a_warning():
    frame, segment = decode_message(SPLIT_FLAG_WITHOUT_NUMBERS)
    header = segment.header

    whole = SplitReassembler().feed(segment, now=0.0)
    rows, errors = frames_to_rows([SPLIT_FLAG_WITHOUT_NUMBERS])
    reply = decode_message(reply_for(header) or b"")[1].header

    assert (frame.crc, header.flag, header.pnum, header.pno, header.split) == (
        CrcKind.STANDARD,
        Flag(7),
        None,
        None,
        False,
    )
    assert segment.warnings == header.warnings == (SPLIT_WITHOUT_NUMBERS,)
    assert SPLIT_WITHOUT_NUMBERS.startswith("split: Flag D bit set but no PNUM/PNO")
    assert whole is segment
    assert (errors, rows.select("factor", "field", "value", "flag").rows()) == (
        [],
        [("a21026", "Avg", 12.5, "N")],
    )
    assert (reply.cn, reply.qn) == ("9014", "20240101000000001")


def test_split_flag_with_packet_numbers_has_no_warning():
    header, _ = parse_header(f"QN=1;ST=32;CN=2061;MN={MN};Flag=7;PNUM=2;PNO=1;CP=&&&&")

    assert (header.split, header.pnum, header.pno, header.warnings) == (True, 2, 1, ())


def test_reassembly_expires_incomplete_groups():
    frames = _split_frames({"w01018": {"Avg": 1.0}, "w21003": {"Avg": 2.0}}, 2)
    reassembler = SplitReassembler(max_age=60.0)

    reassembler.feed(decode_message(frames[0])[1], now=0.0)
    expired = reassembler.expire(now=61.0)
    late = reassembler.feed(decode_message(frames[1])[1], now=61.0)

    assert (expired, late, reassembler.pending) == (1, None, 1)


def test_encode_frame_round_trips_annex_example():
    assert encode_frame(ANNEX_SEGMENT.decode()) == b"##0101" + ANNEX_SEGMENT + b"1C80\r\n"


def test_reply_flag_follows_answered_edition_and_matches_builder():
    def answered(flag: str) -> bytes:
        segment = f"QN=20240101000000001;ST=32;CN=2011;PW=123456;MN={MN};{flag}CP=&&&&"
        header, _ = parse_header(segment)
        return reply_for(header) or b""

    replies = {flag: answered(flag) for flag in ("Flag=1;", "Flag=5;", "Flag=9;", "Flag=13;")}
    flags = {flag: decode_message(r)[1].header.flag for flag, r in replies.items()}
    built = build_frame(qn="20240101000000001", st="91", cn="9014", pw="123456", mn=MN, flag=4)

    assert flags == {"Flag=1;": Flag(0), "Flag=5;": Flag(4), "Flag=9;": Flag(8), "Flag=13;": Flag(4)}
    assert replies["Flag=5;"] == built
    assert answered("") == b""  # no Flag, so no A bit: 2005-style uploads are not answered


def test_frames_to_rows_reassembles_and_reports_unusable_frames():
    values = {f"w0{n:04d}": {"Avg": float(n), "Flag": "N"} for n in range(1, 7)}
    parts = _split_frames(values, 2)
    bad_time = build_frame(
        qn="20240101000000009", st="32", cn="2061", mn=MN, flag=4, cp="DataTime=2024;w01018-Avg=1"
    )
    rows, errors = frames_to_rows([parts[1], bad_time, parts[0]])

    assert rows.sort("factor")["factor"].to_list() == sorted(values)
    assert rows["value"].sort().to_list() == [float(n) for n in range(1, 7)]
    assert [(index, message.split(":")[0]) for index, message in errors] == [(1, "cp")]


def test_requests_ask_for_a_reply_and_carry_their_parameters():
    moment = datetime(2024, 1, 2, 3, 4, 5, 678000)
    qn = qn_for(moment)

    set_time = decode_message(set_time_request(st="32", mn=MN, pw="123456", qn=qn, system_time=moment))[1]
    history = decode_message(
        history_request(
            st="32", cn="2061", mn=MN, pw="123456", qn=qn, begin=moment, end=moment.replace(hour=5)
        )
    )[1]

    assert (qn, set_time.header.cn, set_time.header.flag, set_time.cp.params) == (
        "20240102030405678",
        "1012",
        Flag(5),
        {"SystemTime": "20240102030405"},
    )
    assert history.cp.params == {"BeginTime": "20240102030405", "EndTime": "20240102050405"}
    with pytest.raises(HJ212Error):
        history_request(st="32", cn="2011", mn=MN, pw="1", qn=qn, begin=moment, end=moment)
