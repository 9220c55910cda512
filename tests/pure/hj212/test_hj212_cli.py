"""The hj212 commands: check, simulate against serve-standalone, bad input."""

from __future__ import annotations

import io
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

from envplan.hj212.cli import main
from envplan.hj212.crc import crc_hj212

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
    out = io.StringIO()

    code = main(["check", str(path)], stdout=out)
    verdicts = [json.loads(line) for line in out.getvalue().splitlines()]

    assert code == 0
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
    }
    assert (verdicts[1]["edition"], verdicts[1]["values"]) == ("2005", {"011": {"Rtd": 231.0, "Flag": "N"}})
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
    code = "import sys; from envplan.hj212.cli import main; sys.exit(main(sys.argv[1:]))"
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "serve-standalone",
            "--port",
            "0",
            "--landing",
            str(tmp_path / "landing"),
            "--accept-unknown-devices",
            "--stats-json",
            str(stats),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert server.stdout is not None
    port = server.stdout.readline().rsplit(":", 1)[1].strip()
    out = io.StringIO()
    try:
        result = main(
            ["simulate", "--devices", "20", "--rate", "400", "--duration", "0.5", "--port", port, "--json"],
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
