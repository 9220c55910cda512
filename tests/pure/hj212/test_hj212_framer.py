"""The streaming framer across arbitrary read boundaries, with garbage, and fuzzed."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from envplan.hj212.crc import crc_hj212
from envplan.hj212.errors import HJ212Error
from envplan.hj212.framer import StreamFramer

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "hj212" / "samples.txt"
FRAMES = [
    line.encode() + b"\r\n"
    for line in SAMPLES.read_text(encoding="utf-8").splitlines()
    if line.startswith("##")
]
STREAM = b"".join(FRAMES)


def feed_in_pieces(framer: StreamFramer, data: bytes, cuts: list[int]) -> list[bytes | HJ212Error]:
    out: list[bytes | HJ212Error] = []
    previous = 0
    for cut in [*sorted({c % (len(data) + 1) for c in cuts}), len(data)]:
        out += framer.feed(data[previous:cut])
        previous = cut
    return out


@settings(max_examples=200, deadline=None)  # no wall-clock limit: the machine is shared
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=60))
def test_framer_yields_every_frame_whatever_the_read_boundaries(cuts: list[int]):
    framer = StreamFramer()

    out = feed_in_pieces(framer, STREAM, cuts)

    assert out == FRAMES
    assert framer.buffered == 0


def test_framer_one_byte_reads():
    framer = StreamFramer()

    out = [item for i in range(len(STREAM)) for item in framer.feed(STREAM[i : i + 1])]

    assert out == FRAMES


def test_framer_resynchronises_after_garbage_and_truncated_frames():
    framer = StreamFramer()
    data = (
        b"\x00\xffnoise" + FRAMES[0] + b"##12ab" + FRAMES[1][:40] + b"\r\n" + FRAMES[2] + b"\r\n" + FRAMES[3]
    )

    out = framer.feed(data)

    frames = [o for o in out if isinstance(o, bytes)]
    errors = [(o.reason, o.raw) for o in out if isinstance(o, HJ212Error)]
    # the frame cut short but ended by a CR LF is delimited there, for split_frame to judge its length
    assert frames == [FRAMES[0], FRAMES[1][:40] + b"\r\n", FRAMES[2], FRAMES[3]]
    assert errors == [("garbage", b"\x00\xffnoise"), ("header", b"##12ab")]


def test_framer_cut_short_frame_does_not_hold_back_the_next_one():
    framer = StreamFramer()

    ended = framer.feed(FRAMES[1][:60] + b"\r\n" + FRAMES[0])
    unended = framer.feed(FRAMES[1][:60] + FRAMES[0])

    assert ended == [FRAMES[1][:60] + b"\r\n", FRAMES[0]]
    assert [o if isinstance(o, bytes) else (o.reason, o.raw) for o in unended] == [
        ("length", FRAMES[1][:60]),
        FRAMES[0],
    ]


def test_framer_frame_whose_length_field_counts_more_ends_at_its_cr_lf_even_when_last():
    counted = b"##%04d%b\r\n" % (len(FRAMES[0]) - 12 + 6, FRAMES[0][6:-2])  # counts the ## and the digits
    framer = StreamFramer()

    followed = framer.feed(counted + FRAMES[1])
    alone = framer.feed(counted)  # nothing follows: the device waits for its reply

    assert (followed, alone, framer.buffered) == ([counted, FRAMES[1]], [counted], 0)


def test_framer_holds_a_line_of_garbage_until_it_ends_and_gives_the_rest_at_the_end():
    framer = StreamFramer()

    pieces = [framer.feed(b"AT+CSQ"), framer.feed(b"\r\nOK\r\n"), framer.feed(FRAMES[0][:50])]
    rest = framer.flush()

    assert [[(o.reason, o.raw) for o in piece if isinstance(o, HJ212Error)] for piece in pieces] == [
        [],
        [("garbage", b"AT+CSQ\r\n"), ("garbage", b"OK\r\n")],
        [],
    ]
    assert [(o.reason, o.raw) for o in rest if isinstance(o, HJ212Error)] == [("truncated", FRAMES[0][:50])]
    assert (framer.flush(), framer.buffered) == ([], 0)


def test_framer_rejects_declared_length_above_maximum():
    framer = StreamFramer(max_segment=1024)
    too_long = next(f for f in FRAMES if f.startswith(b"##1623"))

    out = framer.feed(too_long + FRAMES[0])

    assert [o if isinstance(o, bytes) else (o.reason, o.raw) for o in out] == [
        ("too-long", too_long),
        FRAMES[0],
    ]


def test_framer_char_counted_utf8_frame():
    segment = "QN=20240101000000000;ST=32;CN=3020;PW=1;MN=M;Flag=4;CP=&&i11001-Info=//运行正常//&&"
    data = segment.encode()
    frame = b"##%04d%s%04X\r\n" % (len(segment), data, crc_hj212(data))
    framer = StreamFramer()

    out = feed_in_pieces(framer, frame + FRAMES[0], [10, 95, 101])

    assert out == [frame, FRAMES[0]]


@settings(max_examples=300, deadline=None)  # no wall-clock limit: the machine is shared
@given(st.lists(st.one_of(st.binary(max_size=80), st.sampled_from(FRAMES[:4]), st.just(b"##")), max_size=12))
def test_framer_fuzz_never_raises_and_stays_bounded(chunks: list[bytes]):
    framer = StreamFramer(max_segment=1024)

    out = [item for chunk in chunks for item in framer.feed(chunk)]

    assert all(isinstance(o, bytes | HJ212Error) for o in out)
    assert framer.buffered <= 4 * (1024 + 12) + 16
    frames = [o for o in out if isinstance(o, bytes)]
    assert [(f[:2], f[2:6].isdigit(), f[-2:]) for f in frames] == [(b"##", True, b"\r\n")] * len(frames)


@settings(max_examples=300, deadline=None)  # no wall-clock limit: the machine is shared
@given(st.lists(st.one_of(st.binary(max_size=80), st.sampled_from(FRAMES[:4]), st.just(b"##")), max_size=12))
def test_framer_fuzz_loses_no_byte_but_whitespace(chunks: list[bytes]):
    framer = StreamFramer(max_segment=1024)
    data = b"".join(chunks)

    out = [item for chunk in chunks for item in framer.feed(chunk)] + framer.flush()
    items = [o if isinstance(o, bytes) else o.raw for o in out]

    # every item is a piece of the stream, in order, and what lies between them is whitespace
    position = 0
    gaps = []
    for item in items:
        found = data.find(item, position)
        assert found >= 0
        gaps.append(data[position:found])
        position = found + len(item)
    gaps.append(data[position:])
    assert all(not gap.strip(b"\r\n\t \x00") for gap in gaps)


def test_framer_stray_hash_before_a_frame_keeps_the_frame():
    framer = StreamFramer()

    out = framer.feed(b"#" + FRAMES[0] + b"#" + FRAMES[1])

    assert [o if isinstance(o, bytes) else o.reason for o in out] == [
        "header",
        FRAMES[0],
        "header",
        FRAMES[1],
    ]
