"""The hj212 commands: check, simulate against serve-standalone, bad input."""

from __future__ import annotations

import io
import json
import resource
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from envplan.hj212.crc import crc_hj212
from tests.commandline import ENTRY, in_child, in_group, standalone_receiver

main = in_group("hj212")

REPO = Path(__file__).resolve().parents[3]
ANNEX = (
    "##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&RtdInterval=30&&1C80"
)


def test_check_reports_fields_values_and_errors(tmp_path: Path):
    segment = (
        "ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817;011-Rtd=231.0,011-Flag=N&&"
    )
    frame = f"##{len(segment):04d}{segment}{crc_hj212(segment.encode()):04X}"
    path = tmp_path / "frames.txt"
    path.write_bytes(f"# comment\n\n{ANNEX}\r\n{frame}\n##0100{'A' * 20}1C80\n".encode())
    out, err = io.StringIO(), io.StringIO()

    code = main(["check", str(path)], stdout=out, stderr=err)
    verdicts = [json.loads(line) for line in out.getvalue().splitlines()]

    assert (code, err.getvalue()) == (1, f"envplan hj212 check: {path}: 1 of 3 frames failed (lines 5)\n")
    assert [v["line"] for v in verdicts] == [3, 4, 5]
    assert verdicts[0] == {
        "line": 3,
        "ok": True,
        "error": None,
        "crc": "standard",
        "edition": "2017",
        "qn": "20160801085857223",
        "st": "32",
        "cn": "1062",
        "mn": "010000A8900016F000169DC0",
        "flag": 5,
        "datatime": None,
        "values": {},
        "warnings": [],
        "variants": [],
    }
    assert (verdicts[1]["edition"], verdicts[1]["values"]) == ("2005", {"011": {"Rtd": 231.0, "Flag": "N"}})
    assert (verdicts[1]["ok"], verdicts[1]["variants"]) == (True, ["no-qn", "no-flag"])
    assert (verdicts[2]["ok"], verdicts[2]["crc"], verdicts[2]["error"].split(":")[0]) == (
        False,
        "invalid",
        "length",
    )


def test_check_missing_file_returns_2_with_message(tmp_path: Path):
    err = io.StringIO()

    code = main(["check", str(tmp_path / "absent.txt")], stdout=io.StringIO(), stderr=err)

    assert code == 2
    assert str(tmp_path / "absent.txt") in err.getvalue()


def test_usage_errors_return_2():
    err = io.StringIO()

    codes = [main([], stderr=err), main(["simulate", "--port", "x"], stderr=err), main(["nope"], stderr=err)]

    assert codes == [2, 2, 2]


def test_serve_standalone_bad_registry_names_the_field(tmp_path: Path):
    registry = tmp_path / "devices.json"
    registry.write_text(json.dumps({"M1": {"password": 5}}))
    err = io.StringIO()

    code = main(
        [
            "serve-standalone",
            "--port",
            "0",
            "--landing",
            str(tmp_path / "l"),
            "--devices-json",
            str(registry),
        ],
        stderr=err,
    )

    assert code == 2
    assert "M1" in err.getvalue() and "password" in err.getvalue()


def test_simulate_against_serve_standalone_all_answered(tmp_path: Path):
    stats = tmp_path / "stats.json"
    server, port = standalone_receiver(tmp_path / "landing", "--stats-json", str(stats))
    out = io.StringIO()
    try:
        result = main(
            [
                "simulate",
                "--devices",
                "20",
                "--rate",
                "400",
                "--duration",
                "0.5",
                "--port",
                str(port),
                "--json",
            ],
            stdout=out,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    report = json.loads(out.getvalue())
    counters = json.loads(stats.read_text())

    assert result == 0
    assert (report["sent"], report["answered"], report["unanswered"], report["bad_replies"]) == (
        200,
        200,
        0,
        0,
    )
    assert (counters["frames_landed"], counters["replies_sent"], counters["frames_quarantined"]) == (
        200,
        200,
        200,
    )


def test_simulate_without_a_receiver_reports_and_fails():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    err = io.StringIO()

    code = main(
        [
            "simulate",
            "--devices",
            "2",
            "--rate",
            "10",
            "--duration",
            "0.2",
            "--port",
            str(port),
            "--grace",
            "0",
        ],
        stdout=io.StringIO(),
        stderr=err,
    )

    assert code == 1
    assert f"only 0 of 2 devices could connect to 127.0.0.1:{port}" in err.getvalue()


# ------------------------------------------------------------------------- check, as the real command


def envplan(*args: str, preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    return in_child(*args, cwd=REPO, timeout=60, preexec=preexec)


def frame_of(segment: str) -> str:
    return f"##{len(segment):04d}{segment}{crc_hj212(segment.encode()):04X}"


HEADER = f"ST=31;CN=2011;PW=123456;MN={'A' * 24}"
GOOD = frame_of(f"QN=20240101000000001;{HEADER};Flag=5;CP=&&DataTime=20240101000000&&")
BAD_CRC = GOOD[:-4] + ("0000" if GOOD[-4:] != "0000" else "0001")


def check(folder: Path, *lines: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """`envplan hj212 check` of a file of these lines: its run and the file."""
    path = folder / "frames.txt"
    path.write_text("".join(f"{line}\n" for line in lines))
    return envplan("hj212", "check", str(path)), path


def test_check_command_exits_0_when_every_frame_is_ok(tmp_path: Path):
    result, _ = check(tmp_path, ANNEX, "# a comment", GOOD)

    assert (result.returncode, result.stderr) == (0, "")
    assert [json.loads(line)["ok"] for line in result.stdout.splitlines()] == [True, True]


def test_check_command_exits_1_when_any_frame_fails(tmp_path: Path):
    result, path = check(tmp_path, GOOD, BAD_CRC)

    assert result.returncode == 1
    assert result.stderr == f"envplan hj212 check: {path}: 1 of 2 frames failed (lines 2)\n"
    assert [json.loads(line)["ok"] for line in result.stdout.splitlines()] == [True, False]


def test_check_command_exits_1_when_every_frame_fails(tmp_path: Path):
    result, path = check(tmp_path, BAD_CRC, f"##0100{'A' * 20}1C80", "not a frame")

    assert result.returncode == 1
    assert result.stderr == f"envplan hj212 check: {path}: 3 of 3 frames failed (lines 1, 2, 3)\n"
    assert [json.loads(line)["error"].split(":")[0] for line in result.stdout.splitlines()] == [
        "crc",
        "length",
        "header",
    ]


def test_check_command_exits_2_with_one_line_when_the_input_cannot_be_read(tmp_path: Path):
    binary = tmp_path / "landing-000000000001.log"
    binary.write_bytes(f"{GOOD}\n".encode() + b"HJLAND1\n\x00\x00\x00\x2a")

    missing = envplan("hj212", "check", str(tmp_path / "absent.txt"))
    folder = envplan("hj212", "check", str(tmp_path))
    not_text = envplan("hj212", "check", str(binary))

    assert [(r.returncode, r.stdout) for r in (missing, folder, not_text)] == [(2, "")] * 3
    assert missing.stderr == (
        f"envplan hj212 check: cannot read {tmp_path / 'absent.txt'}: No such file or directory\n"
    )
    assert folder.stderr == f"envplan hj212 check: cannot read {tmp_path}: Is a directory\n"
    assert not_text.stderr == (
        f"envplan hj212 check: {binary}: line 3: binary data (NUL byte), not frames one per line\n"
    )


def test_check_command_accepts_split_flag_without_packet_numbers_with_a_warning(tmp_path: Path):
    segment = f"QN=20240101000000002;{HEADER};Flag=7;CP=&&DataTime=20240101000000&&"

    result, _ = check(tmp_path, frame_of(segment))
    verdict = json.loads(result.stdout)

    assert (result.returncode, verdict["ok"], verdict["error"], verdict["flag"]) == (0, True, None, 7)
    assert verdict["warnings"] == ["split: Flag D bit set but no PNUM/PNO; decoded as a whole frame"]


def test_serve_standalone_raises_its_open_file_limit_and_keeps_a_reserve_below_it(tmp_path: Path):
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)

    def lowered() -> None:  # in the child, before exec: start below the hard limit
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))

    code = ENTRY.format(group="hj212")
    server = subprocess.Popen(
        [sys.executable, "-c", code, "serve-standalone", "--port", "0", "--landing", str(tmp_path / "l")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        preexec_fn=lowered,
    )
    assert server.stdout is not None
    try:
        lines = [server.stdout.readline().strip(), server.stdout.readline().strip()]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)

    ceiling = hard if hard != resource.RLIM_INFINITY else 1 << 20
    unlimited = "unlimited" if hard == resource.RLIM_INFINITY else str(hard)
    assert lines[0].startswith("listening on 127.0.0.1:")
    assert lines[1] == (
        f"open-file limit {ceiling} (hard limit {unlimited}, raised from 256); "
        f"at most {ceiling - 100} connections"
    )


def test_serve_options_out_of_range_are_usage_errors(tmp_path: Path):
    err = io.StringIO()
    landing = ["--port", "0", "--landing", str(tmp_path / "l")]

    codes = [
        main(["serve-standalone", *landing, "--rotate-seconds", "0"], stderr=err),
        main(["serve-standalone", *landing, "--max-connections", "0"], stderr=err),
    ]

    assert codes == [2, 2]
    assert err.getvalue().splitlines() == [
        "envplan hj212 serve-standalone: --rotate-seconds must be positive, not 0.0",
        "envplan hj212 serve-standalone: --max-connections must be at least 1, not 0",
    ]
