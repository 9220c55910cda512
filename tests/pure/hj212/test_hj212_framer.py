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
    reasons = [o.reason for o in out if isinstance(o, HJ212Error)]
    assert frames == [FRAMES[0], FRAMES[2], FRAMES[3]]
    assert reasons == ["garbage", "header", "garbage", "trailer", "garbage"]


def test_framer_cut_short_frame_does_not_hold_back_the_next_one():
    framer = StreamFramer()

    out = framer.feed(FRAMES[1][:60] + b"\r\n" + FRAMES[0])

    assert [o if isinstance(o, bytes) else o.reason for o in out] == ["length", FRAMES[0]]


def test_framer_rejects_declared_length_above_maximum():
    framer = StreamFramer(max_segment=1024)
    too_long = next(f for f in FRAMES if f.startswith(b"##1623"))

    out = framer.feed(too_long + FRAMES[0])

    assert [o if isinstance(o, bytes) else o.reason for o in out][:1] == ["too-long"]
    assert out[-1] == FRAMES[0]


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
    assert framer.buffered <= 4 * 1024 + 16
    frames = [o for o in out if isinstance(o, bytes)]
    assert [(f[:2], f[-2:]) for f in frames] == [(b"##", b"\r\n")] * len(frames)
    assert [len(f) for f in frames] == [int(f[2:6]) + 12 for f in frames]  # ASCII inputs: byte-counted


def test_framer_stray_hash_before_a_frame_keeps_the_frame():
    framer = StreamFramer()

    out = framer.feed(b"#" + FRAMES[0] + b"#" + FRAMES[1])

    assert [o if isinstance(o, bytes) else o.reason for o in out] == [
        "header",
        FRAMES[0],
        "header",
        FRAMES[1],
    ]
