"""``envplan screening scan`` through main() with in-memory streams, and its dispatch by ``envplan``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import polars as pl

from envplan.commandline import HANDLER, NEEDS_DJANGO
from envplan.commands import build_parser
from tests.commandline import in_group, on_terminal, piped
from tests.pure.screening.series import load_like, noisy, readings_of

main = in_group("screening")

KEYS = ["mn", "factor", "start", "end", "detector", "score", "explanation"]


def _run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(argv, stdout=stdout, stderr=stderr, stdin=io.StringIO(stdin))
    return code, stdout.getvalue(), stderr.getvalue()


def _export(frame: pl.DataFrame, path: Path) -> Path:
    """Write readings as `envplan readings export` does (times with their offset)."""
    frame.with_columns(pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%S%:z")).write_csv(path)
    return path


def _held(tmp_path: Path) -> Path:
    nox = noisy(24 * 40, seed=1)
    nox[300:340] = nox[300]
    frame = readings_of({("a21002", "Avg"): nox, ("load", "Avg"): load_like(24 * 40, seed=2)})
    return _export(frame, tmp_path / "readings.csv")


def test_cli_scan_prints_findings_as_json_lines_highest_score_first(tmp_path: Path) -> None:
    path = _held(tmp_path)

    code, out, err = _run(["scan", str(path)])

    assert (code, err) == (1, "")
    documents = [json.loads(line) for line in out.splitlines()]
    assert documents
    assert all(list(document) == KEYS for document in documents)
    scores = [document["score"] for document in documents]
    assert scores == sorted(scores, reverse=True)
    held = [document for document in documents if document["detector"] == "flat_line"]
    assert [(d["mn"], d["factor"], d["start"], d["end"]) for d in held] == [
        ("MN001", "a21002", "2025-03-13T12:00:00+08:00", "2025-03-15T03:00:00+08:00")
    ]


def test_cli_scan_exits_zero_when_nothing_is_found(tmp_path: Path) -> None:
    frame = readings_of({("a21002", "Avg"): noisy(24 * 10, seed=3)})

    code, out, err = _run(
        ["scan", str(_export(frame, tmp_path / "clean.csv")), "--detectors", "flat_line,replay"]
    )

    assert (code, out, err) == (0, "", "")


def test_cli_scan_reads_standard_input_and_filters_by_score(tmp_path: Path) -> None:
    text = _held(tmp_path).read_text(encoding="utf-8")

    code, out, _ = _run(["scan", "-", "--min-score", "0.99", "--detectors", "flat_line"], stdin=text)

    assert code == 1
    assert [json.loads(line)["detector"] for line in out.splitlines()] == ["flat_line"]


def test_cli_scan_uses_limits_history_maintenance_and_outlets(tmp_path: Path) -> None:
    nox = noisy(24 * 40, seed=4, level=44.0, wave=6.0)
    flags = np.full(nox.size, "N")
    flags[100:103] = "M"
    frame = readings_of({("a21002", "Avg"): nox}, flags={"a21002": flags})
    (tmp_path / "limits.csv").write_text(
        "mn,factor,field,limit,reference_o2\nMN001,a21002,Avg,50,\n", encoding="utf-8"
    )
    (tmp_path / "maintenance.csv").write_text("mn,factor,start,end\n", encoding="utf-8")
    (tmp_path / "outlets.csv").write_text("mn,industry\nMN001,thermal power\n", encoding="utf-8")
    history = readings_of({("a21002", "Avg"): noisy(24 * 40, seed=5)})
    history = history.with_columns(pl.col("time") - pl.duration(days=60))

    code, out, err = _run(
        [
            "scan",
            str(_export(frame, tmp_path / "readings.csv")),
            "--limits",
            str(tmp_path / "limits.csv"),
            "--history",
            str(_export(history, tmp_path / "history.csv")),
            "--maintenance",
            str(tmp_path / "maintenance.csv"),
            "--outlets",
            str(tmp_path / "outlets.csv"),
            "--detectors",
            "maintenance_without_record",
        ]
    )

    assert (code, err) == (1, "")
    assert [json.loads(line)["detector"] for line in out.splitlines()] == ["maintenance_without_record"]


def test_cli_scan_bad_value_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "mn,kind,time,factor,field,value,flag\n"
        "MN1,hourly,2025-01-01T00:00:00+08:00,a21002,Avg,1.5,N\n"
        "MN1,hourly,2025-01-01T01:00:00+08:00,a21002,Avg,abc,N\n",
        encoding="utf-8",
    )

    code, out, err = _run(["scan", str(path)])

    assert (code, out) == (2, "")
    assert err == f"envplan screening scan: {path}:3: value: not a number: 'abc'\n"


def test_cli_scan_bad_inputs_each_give_one_line(tmp_path: Path) -> None:
    header = "mn,kind,time,factor,field,value,flag\n"
    good = "MN1,hourly,2025-01-01T00:00:00+08:00,a21002,Avg,1.5,N\n"
    cases = {
        "time.csv": (
            header + "MN1,hourly,2025-13-01 00:00,a21002,Avg,1.5,N\n",
            ":2: time: not a date-time: '2025-13-01 00:00'",
        ),
        "column.csv": ("mn,kind,time,factor,value\n", ":1: field: missing column"),
        "empty_mn.csv": (header + ",hourly,2025-01-01T00:00:00+08:00,a21002,Avg,1.5,N\n", ":2: mn: empty"),
        "twice.csv": (header + good + good, ":3: time: the same mn, kind, time, factor and field as line 2"),
        "ragged.csv": (
            header + good + "MN1,hourly,2025-01-01T01:00:00+08:00,a21002,Avg,1.5,N,extra\n",
            ":3: not a valid CSV",
        ),
        "flag.csv": (
            header + "MN1,hourly,2025-01-01T00:00:00+08:00,a21002,Avg,1.5,BROKEN\n",
            ":2: flag: not a data flag",
        ),
        "nan.csv": (
            header + "MN1,hourly,2025-01-01T00:00:00+08:00,a21002,Avg,inf,N\n",
            ":2: value: not a finite number",
        ),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")

        code, out, err = _run(["scan", str(path)])

        assert (code, out) == (2, ""), name
        assert err.count("\n") == 1, name
        assert f"{path}{expected}" in err, (name, err)


def test_cli_scan_bad_limits_and_missing_file(tmp_path: Path) -> None:
    readings = _held(tmp_path)
    limits = tmp_path / "limits.csv"
    limits.write_text(
        "mn,factor,field,limit,reference_o2\nMN001,a21002,Avg,-5,\nMN001,a21002,ZsAvg,,25\n", encoding="utf-8"
    )

    code, _, err = _run(["scan", str(readings), "--limits", str(limits)])
    missing_code, _, missing_err = _run(["scan", str(tmp_path / "nowhere.csv")])

    assert code == 2
    assert err == f"envplan screening scan: {limits}:2: limit: must be above zero: '-5'\n"
    assert missing_code == 2
    assert missing_err.startswith(f"envplan screening scan: {tmp_path / 'nowhere.csv'}: cannot read")


def test_cli_scan_usage_errors_exit_two() -> None:
    unknown_code, _, unknown_err = _run(["scan", "x.csv", "--detectors", "flat_line,psychic"])
    score_code, _, score_err = _run(["scan", "x.csv", "--min-score", "2"])

    assert (unknown_code, score_code) == (2, 2)
    assert "unknown psychic" in unknown_err
    assert "--min-score must be between 0 and 1" in score_err


def test_cli_scan_help_documents_the_input_layouts() -> None:
    code, out, _ = _run(["scan", "--help"])

    assert code == 0
    assert "mn,kind,time,factor,field,value,flag" in out
    assert "mn,factor,field,limit,reference_o2" in out
    assert "--history H.csv" in out
    assert "mn,factor,start,end" in out


def test_cli_envplan_declares_screening_scan_pure() -> None:
    args = build_parser().parse_args(["screening", "scan", "x.csv"])

    assert getattr(args, HANDLER) == "envplan.screening.cli:scan_command"
    assert getattr(args, NEEDS_DJANGO) is False


def test_cli_scan_shows_its_steps_on_a_terminal_and_nothing_when_piped(tmp_path: Path) -> None:
    path = str(_held(tmp_path))

    code, out, shown = on_terminal("screening", "scan", path, "--detectors", "flat_line,replay")
    piped_code, piped_out, piped_err = piped("screening", "scan", path, "--detectors", "flat_line,replay")

    assert code == piped_code == 1 and out == piped_out  # the bar changes nothing of the result
    assert "screening scan" in shown and "5/5" in shown and "100%" in shown
    assert piped_err == ""


def test_the_real_command_on_a_pseudo_terminal_shows_the_bar_and_piped_does_not(tmp_path: Path) -> None:
    """The installed entry point in its own process: stderr a pseudo-terminal, then a pipe."""
    import os
    import pty
    import subprocess
    import sys

    from tests.commandline import read_all

    path = str(_held(tmp_path))
    command = [sys.executable, "-m", "envplan", "screening", "scan", path, "--detectors", "flat_line"]
    leader, follower = pty.openpty()
    try:
        on_tty = subprocess.run(command, stdout=subprocess.PIPE, stderr=follower, timeout=120)
        shown = read_all(leader)
    finally:
        os.close(follower)
        os.close(leader)
    piped_run = subprocess.run(command, capture_output=True, timeout=120)

    assert on_tty.returncode == piped_run.returncode == 1
    assert on_tty.stdout == piped_run.stdout
    assert "screening scan" in shown and "4/4" in shown
    assert piped_run.stderr == b""
