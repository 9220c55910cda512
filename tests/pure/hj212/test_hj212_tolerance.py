"""Known deviations: accepted and named by default, refused with their name when strict, and never a frame
dropped without being counted."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest

from envplan.hj212.crc import CrcKind
from envplan.hj212.frame import decode_message
from envplan.hj212.receiver import Device, ReceiverConfig, ReceiverCore, UnknownDevicePolicy
from envplan.hj212.rows import frames_to_rows
from envplan.hj212.tolerance import judge
from envplan.lake.landing import RecordBuffer, batch_records
from tests.commandline import in_group
from tests.pure.hj212.deviations import DEVIATIONS, MN, framed, good, segment

main = in_group("hj212")

VARIANT_DEVICE = frozenset({CrcKind.MODBUS_SWAPPED})


@pytest.mark.parametrize("name", list(DEVIATIONS))
def test_judge_accepts_each_deviation_with_its_name_and_strict_refuses_it(name: str):
    frame = DEVIATIONS[name](1)

    tolerant = judge(frame, crc_variants=VARIANT_DEVICE)
    strict = judge(frame, crc_variants=VARIANT_DEVICE, strict=True)

    assert (tolerant.ok, tolerant.variants, tolerant.error) == (True, (name,), None)
    assert (strict.ok, strict.variants) == (False, (name,))
    assert strict.error is not None and strict.error.reason == name


def test_judge_a_standard_frame_has_no_deviation_even_when_strict():
    verdict = judge(good(1), strict=True)

    assert (verdict.ok, verdict.variants) == (True, ())


def test_judge_length_off_by_an_unknown_amount_or_unconfirmed_by_the_crc_is_a_length_error():
    data = segment(1)
    unknown_offset = framed(data, extra_length=7)
    bad_crc = framed(data, extra_length=6, crc="0000" if framed(data)[-6:-2] != b"0000" else "0001")
    cut = framed(data)[:-20] + b"\r\n"  # cut short: its "CRC" is whatever characters came last

    verdicts = [judge(frame) for frame in (unknown_offset, bad_crc, cut)]

    assert [v.error.reason if v.error else None for v in verdicts] == ["length", "length", "crc"]


def test_judge_crc_variant_only_for_a_device_configured_for_it():
    frame = DEVIATIONS["crc-modbus-swapped"](1)

    assert judge(frame).error is not None
    assert judge(frame).error.reason == "crc"  # type: ignore[union-attr]  # checked on the line above
    assert judge(frame, crc_variants=VARIANT_DEVICE).ok


def test_judge_several_deviations_are_named_in_order_and_strict_gives_the_first():
    frame = framed(segment(1, qn=False, st="80", factor="ele01"), extra_length=6)

    tolerant, strict = judge(frame), judge(frame, strict=True)

    assert tolerant.variants == ("length+6", "no-qn", "vendor-st", "vendor-factor")
    assert strict.error is not None and strict.error.reason == "length+6"


def test_check_command_reports_the_receivers_verdicts_and_strict_flips_them(tmp_path: Path):
    names = list(DEVIATIONS)
    path = tmp_path / "frames.txt"
    path.write_bytes(b"".join(DEVIATIONS[name](i).rstrip(b"\r\n") + b"\n" for i, name in enumerate(names)))

    def verdicts(*options: str) -> tuple[int, list[dict[str, object]]]:
        out = io.StringIO()
        code = main(["check", str(path), "--accept-crc-variants", *options], stdout=out, stderr=io.StringIO())
        return code, [json.loads(line) for line in out.getvalue().splitlines()]

    (tolerant_code, tolerant), (strict_code, strict) = verdicts(), verdicts("--strict")

    assert tolerant_code == 0
    assert [(v["ok"], v["variants"], v["error"]) for v in tolerant] == [
        (True, [name], None) for name in names
    ]
    assert strict_code == 1
    assert [(v["ok"], v["variants"], str(v["error"]).split(":")[0]) for v in strict] == [
        (False, [name], name) for name in names
    ]


def test_rows_carry_the_deviations_of_their_frames():
    frames = [DEVIATIONS["length+6"](1), DEVIATIONS["no-qn"](2), good(3)]

    rows, errors = frames_to_rows(frames)

    assert errors == []
    assert rows.select("value", "variants").rows() == [(1.5, "length+6"), (2.5, "no-qn"), (3.5, None)]


# ----------------------------------------------------------------------- the receiver's core, with bytes


def feed_all(
    core: ReceiverCore, stream: bytes, *, leftover: bytes = b""
) -> tuple[list[bytes], dict[str, int]]:
    """One connection sending ``stream`` then ``leftover`` (a frame it never finished) and closing."""
    session = core.open("10.1.1.1:5000", now=0.0)
    assert session is not None
    fed = session.feed(stream + leftover, now=0.0, received_ns=7)
    session.close(received_ns=8)
    return fed.replies, dict(session.rejected)


def mixed_stream() -> tuple[bytes, int]:
    """Garbage, frames cut short, a bad CRC, every deviation and good frames: the bytes, and how many
    items (frames or pieces of bytes that are not one) they hold."""
    whole = good(90)
    bad_crc = whole[:-6] + (b"0000" if whole[-6:-2] != b"0000" else b"0001") + b"\r\n"
    items = [
        b"AT+CSQ\r\n",  # a modem's chatter: garbage
        good(80),
        whole[:60] + b"\r\n",  # cut short, ended by a line end
        whole[:70],  # cut short, the next frame follows at once
        good(81),
        bad_crc,
        *(build(i) for i, build in enumerate(DEVIATIONS.values())),
        b"\x00\xff\xfe\r\n",  # binary garbage
        good(82),
    ]
    return b"".join(items), len(items) + 1  # and the frame left unfinished at the close


@pytest.mark.parametrize("strict", [False, True])
def test_core_counts_every_item_sent_as_landed_or_refused_with_its_reason(strict: bool):
    registry = {MN: Device(MN, password="123456", crc_variants=VARIANT_DEVICE, strict=strict)}
    core = ReceiverCore(lookup=registry.get, policy=UnknownDevicePolicy.QUARANTINE, buffer=RecordBuffer())
    stream, sent = mixed_stream()

    replies, per_connection = feed_all(core, stream, leftover=good(83)[:40])
    stats = core.stats
    landed = batch_records(core.buffer.take_batch().data)

    deviations = set(DEVIATIONS)
    refused_for_deviations = {name: 1 for name in deviations} if strict else {}
    # strict only refuses the registered device's deviations; the 14-character MN is another (unknown)
    # device, quarantined and tolerated
    refused_for_deviations.pop("mn-length", None)
    assert stats.frames_received == sent
    assert stats.frames_landed + sum(stats.rejected.values()) == sent
    assert per_connection == {
        "garbage": 2,
        "length": 2,
        "crc": 1,
        "truncated": 1,
        **refused_for_deviations,
    }
    assert sum(per_connection.values()) == sum(stats.rejected.values())
    assert {reason for _, reason in stats.rejected} == set(per_connection)
    marked = {r.meta.get("variants") for r in landed} - {None}
    # deviations inside CP are named at ingest, from the frame (the receiver does not parse CP unless strict)
    assert marked == ({"mn-length"} if strict else deviations - {"datatime-ms", "vendor-factor"})
    assert stats.frames_landed == len(landed) == 3 + (1 if strict else len(deviations))
    # a reply for each landed frame that asked for one (Flag A=1): all but the frame without a Flag; the
    # vendor's command is answered as a request (9011), the uploads with 9014
    answers = Counter(decode_message(reply)[1].header.cn for reply in replies)
    assert answers == ({"9014": 4} if strict else {"9014": stats.frames_landed - 2, "9011": 1})


def test_core_samples_the_first_refused_frames_and_notices_each_device_and_reason_once():
    registry = {MN: Device(MN, strict=True)}
    core = ReceiverCore(lookup=registry.get, policy=UnknownDevicePolicy.REFUSE, buffer=RecordBuffer())
    frames = [DEVIATIONS["length+6"](i) for i in range(5)]

    feed_all(core, b"".join(frames) + b"no frame here\r\n" * 2)
    samples = core.take_samples()
    notices = core.take_notices()

    assert core.stats.rejected == {(MN, "length+6"): 5, ("?", "garbage"): 2}
    assert [(s.mn, s.reason, s.frame, s.peer, s.received_ns) for s in samples] == [
        *((MN, "length+6", frame, "10.1.1.1:5000", 7) for frame in frames[:3]),
        ("?", "garbage", b"no frame here\r\n", "10.1.1.1:5000", 7),
        ("?", "garbage", b"no frame here\r\n", "10.1.1.1:5000", 7),
    ]
    assert len(notices) == 2
    assert notices[0].startswith(f"refused a frame of MN {MN} from 10.1.1.1:5000: length+6: ")
    assert notices[1].startswith("refused a frame of a sender whose MN could not be read from 10.1.1.1:5000")
    assert (core.take_samples(), core.take_notices()) == ([], [])


def test_core_strict_receiver_refuses_the_deviations_of_every_device():
    config = ReceiverConfig(strict=True)
    core = ReceiverCore(
        lookup={}.get, policy=UnknownDevicePolicy.QUARANTINE, buffer=RecordBuffer(), config=config
    )

    replies, per_connection = feed_all(core, DEVIATIONS["length+6"](1) + DEVIATIONS["no-qn"](2) + good(3))

    assert per_connection == {"length+6": 1, "no-qn": 1}
    assert core.stats.rejected == {(MN, "length+6"): 1, (MN, "no-qn"): 1}
    assert [r.frame for r in batch_records(core.buffer.take_batch().data)] == [good(3)]
    assert len(replies) == 1
