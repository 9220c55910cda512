"""`envplan emergency assess` as a person runs it: a subprocess, JSON out, exit 0 or 2."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest

from tests.commandline import in_child, in_group, without_django

main = in_group("emergency")


def run_envplan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return in_child(*args, env=without_django(), cwd=cwd)


def write_forecast(folder: Path, rows: list[tuple[str, str]], name: str = "forecast.csv") -> Path:
    path = folder / name
    path.write_text("date,aqi\n" + "".join(f"{day},{aqi}\n" for day, aqi in rows), encoding="utf-8")
    return path


WINTER = [("2025-01-05", "160"), ("2025-01-06", "250"), ("2025-01-07", "320"), ("2025-01-08", "210")]


def test_cli_assess_prints_level_and_run_under_each_edition(tmp_path: Path):
    path = write_forecast(tmp_path, WINTER)

    results = {
        rules: run_envplan("emergency", "assess", str(path), "--rules", rules, cwd=tmp_path)
        for rules in ("2018", "2024")
    }

    assert [results[rules].returncode for rules in ("2018", "2024")] == [0, 0]
    assert json.loads(results["2018"].stdout) == {
        "rules": "2018",
        "level": "orange",
        "start": "2025-01-06",
        "end": "2025-01-08",
        "reason": "orange under 2018: AQI > 200 for 3 consecutive days or more, with at least 1 day > 300 "
        "(2025-01-06 to 2025-01-08: AQI 250, 320, 210)",
    }
    assert json.loads(results["2024"].stdout)["level"] == "red"
    assert results["2024"].stderr == ""


def test_cli_assess_auto_takes_the_edition_of_the_first_day(tmp_path: Path):
    early = write_forecast(tmp_path, [("2024-03-10", "160"), ("2024-03-11", "170")], "early.csv")
    late = write_forecast(tmp_path, [("2024-03-12", "160"), ("2024-03-13", "170")], "late.csv")

    outputs = [
        json.loads(run_envplan("emergency", "assess", str(p), cwd=tmp_path).stdout) for p in (early, late)
    ]

    assert [(o["rules"], o["level"]) for o in outputs] == [("2018", "none"), ("2024", "yellow")]
    assert (outputs[0]["start"], outputs[0]["end"]) == (None, None)


def test_cli_assess_with_a_regional_file(tmp_path: Path):
    rules = tmp_path / "local.toml"
    rules.write_text('name = "local"\n[[rules]]\nlevel = "orange"\nabove = 150\ndays = 2\n', encoding="utf-8")
    path = write_forecast(tmp_path, [("2025-01-01", "151"), ("2025-01-02", "151"), ("2025-01-03", "90")])

    result = run_envplan(
        "emergency", "assess", str(path), "--rules", "2024", "--rules-file", str(rules), cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert {k: v for k, v in json.loads(result.stdout).items() if k != "reason"} == {
        "rules": "2024+local",
        "level": "orange",
        "start": "2025-01-01",
        "end": "2025-01-02",
    }


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        pytest.param(
            [("2025-01-01", "100"), ("2025-01-03", "100")],
            "forecast.csv:3: date: missing day(s) 2025-01-02 before 2025-01-03",
            id="missing-day",
        ),
        pytest.param([("2025-01-01", "bad")], "forecast.csv:2: aqi: 'bad' is not a number", id="text"),
        pytest.param(
            [("2025-01-02", "100"), ("2025-01-01", "100")],
            "forecast.csv:3: date: 2025-01-01 comes after 2025-01-02: dates must be in order",
            id="out-of-order",
        ),
    ],
)
def test_cli_assess_bad_forecast_one_line_exit_2(tmp_path: Path, rows: list[tuple[str, str]], message: str):
    write_forecast(tmp_path, rows)

    result = run_envplan("emergency", "assess", "forecast.csv", "--rules", "2024", cwd=tmp_path)

    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"envplan emergency assess: {message}\n",
    )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--rules", "2019"], id="unknown-edition"),
        pytest.param(["--rules-file", "absent.toml"], id="missing-rules-file"),
        pytest.param(["--colour", "red"], id="unknown-option"),
    ],
)
def test_cli_assess_usage_errors_exit_2(tmp_path: Path, args: list[str]):
    path = write_forecast(tmp_path, WINTER)

    result = run_envplan("emergency", "assess", str(path), *args, cwd=tmp_path)

    assert (result.returncode, result.stdout, result.stderr.count("\n")) == (2, "", 1)
    assert "Traceback" not in result.stderr


def test_cli_assess_missing_file_exit_2(tmp_path: Path):
    result = run_envplan("emergency", "assess", "absent.csv", cwd=tmp_path)

    assert (result.returncode, result.stderr) == (
        2,
        "envplan emergency assess: absent.csv: cannot read: No such file or directory\n",
    )


def test_main_reads_standard_input():
    out, err = io.StringIO(), io.StringIO()

    code = main(
        ["assess", "-", "--rules", "2018"],
        stdout=out,
        stderr=err,
        stdin=io.StringIO("date,aqi\n2025-02-01,100\n2025-02-02,500\n"),
    )

    assert (code, json.loads(out.getvalue())["level"], err.getvalue()) == (0, "red", "")


def test_main_help_describes_the_rules_file_format():
    out = io.StringIO()

    code = main(["assess", "--help"], stdout=out)

    assert code == 0
    assert "lift_after_days" in out.getvalue()
    assert "at_least" in out.getvalue()
