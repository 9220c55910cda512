"""Every frame of the reference samples file is judged as its comments say."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from envplan.hj212.crc import CrcKind, crc_hj212, crc_modbus, swap16
from envplan.hj212.frame import decode_frame, split_frame
from tests.commandline import in_group

main = in_group("hj212")

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "hj212" / "samples.txt"


@dataclass
class Sample:
    line: int
    frame: bytes
    expected: CrcKind
    length_bytes: int | None  # from "(len field 0285 = 285 bytes; ...)"
    crc_would_be: int | None  # section B: "HJ212 CRC would be 0440"


@dataclass
class BadFixture:
    length: int
    crc_field: str
    expected_hj212: str
    prefix: str


def read_samples() -> tuple[list[Sample], list[BadFixture]]:
    samples: list[Sample] = []
    bad: list[BadFixture] = []
    section: CrcKind | None = None
    comment = ""
    for number, line in enumerate(SAMPLES.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("# ====="):
            if "Section A" in line and "Annex A CRC16" in line:
                section = CrcKind.STANDARD
            elif "Section B" in line and "byte-swapped CRC-16/MODBUS" in line:
                section = CrcKind.MODBUS_SWAPPED
            else:
                section = None
        elif line.startswith("# BAD"):
            m = re.search(r"len=(\d{4}) .*crc_field=(\w{4}) expected_hj212=(\w{4})\s+(##.*)\.\.\.", line)
            assert m is not None, line
            bad.append(BadFixture(int(m.group(1)), m.group(2), m.group(3), m.group(4)))
        elif line.startswith("# "):
            comment = line
        elif line.startswith("##"):
            assert section is not None, f"frame outside a section at line {number}"
            length = re.search(r"\(len(?: field)? (\d{4})", comment)
            would_be = re.search(r"HJ212 CRC would be ([0-9A-F]{4})", comment)
            samples.append(
                Sample(
                    line=number,
                    frame=line.encode("utf-8") + b"\r\n",
                    expected=section,
                    length_bytes=int(length.group(1)) if length else None,
                    crc_would_be=int(would_be.group(1), 16) if would_be else None,
                )
            )
    return samples, bad


def test_samples_file_has_the_frames_the_digest_lists():
    samples, bad = read_samples()

    standard = [s for s in samples if s.expected is CrcKind.STANDARD]
    swapped = [s for s in samples if s.expected is CrcKind.MODBUS_SWAPPED]

    # hj212-and-processes.md: 19 checked packets, 3 byte-swapped MODBUS captures, 5 wrong-CRC fixtures
    assert (len(standard), len(swapped), len(bad)) == (19, 3, 5)


def test_samples_standard_section_frames_decode_with_stated_length_and_crc():
    samples, _ = read_samples()

    frames = [split_frame(s.frame) for s in samples]
    judged = [(s.line, f.crc, f.length_field) for s, f in zip(samples, frames, strict=True)]

    # the Annex A example's comment states no length: its segment's byte count is the reference
    stated = [
        s.length_bytes if s.length_bytes is not None else len(f.segment)
        for s, f in zip(samples, frames, strict=True)
    ]
    assert judged == [(s.line, s.expected, n) for s, n in zip(samples, stated, strict=True)]
    assert [f.length_basis for f in frames] == ["bytes"] * len(samples)


def test_samples_modbus_swapped_frames_rejected_by_default_and_accepted_per_device():
    samples, _ = read_samples()
    swapped = [s for s in samples if s.expected is CrcKind.MODBUS_SWAPPED]

    rejected = 0
    for sample in swapped:
        try:
            decode_frame(sample.frame)
        except ValueError as exc:
            rejected += "crc" in str(exc)
    accepted = [decode_frame(s.frame, accept=frozenset({CrcKind.MODBUS_SWAPPED})).crc for s in swapped]
    standard_crcs = [crc_hj212(split_frame(s.frame).segment) for s in swapped]
    modbus_fields = [swap16(crc_modbus(split_frame(s.frame).segment)) for s in swapped]

    assert rejected == 3
    assert accepted == [CrcKind.MODBUS_SWAPPED] * 3
    assert standard_crcs == [s.crc_would_be for s in swapped]
    assert modbus_fields == [split_frame(s.frame).crc_field for s in swapped]


def test_samples_bad_fixtures_rebuilt_from_a_known_frame_are_rejected():
    samples, bad = read_samples()
    rebuilt = []
    for fixture in bad:
        for sample in samples:
            text = sample.frame.decode("utf-8").rstrip("\r\n")
            if text.startswith(fixture.prefix) and text[-4:].upper() == fixture.expected_hj212.upper():
                rebuilt.append((text[:-4] + fixture.crc_field).encode())

    verdicts = [split_frame(frame).crc for frame in rebuilt]

    # only the 0139 fixture (CRC 4981 instead of 4980) has its full frame in the file
    assert verdicts == [CrcKind.INVALID]


def test_samples_check_command_judges_every_frame():
    samples, _ = read_samples()
    out = io.StringIO()

    code = main(["check", str(SAMPLES)], stdout=out, stderr=io.StringIO())
    verdicts = [json.loads(line) for line in out.getvalue().splitlines()]

    assert code == 1  # the byte-swapped MODBUS captures fail without --accept-crc-variants
    assert [(v["line"], v["ok"], v["crc"]) for v in verdicts] == [
        (s.line, s.expected is CrcKind.STANDARD, s.expected.value) for s in samples
    ]


def test_samples_check_command_accepts_variants_when_asked():
    samples, _ = read_samples()
    out = io.StringIO()

    code = main(["check", str(SAMPLES), "--accept-crc-variants"], stdout=out)
    verdicts = [json.loads(line) for line in out.getvalue().splitlines()]

    assert code == 0
    assert [v["ok"] for v in verdicts] == [True] * len(samples)
    assert [v["error"] for v in verdicts] == [None] * len(samples)
