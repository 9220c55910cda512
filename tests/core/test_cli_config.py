"""Bad configuration stops start-up with one clear line and an exit code, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.commandline import in_child

DATA = Path(__file__).resolve().parents[1] / "data"


def run_envplan(*args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVPLAN_")}
    return in_child(*args, env=env | env_extra)


def assert_stops_with_one_line(result: subprocess.CompletedProcess[str], start: str) -> None:
    """Exit 2 and one line on stderr, that begins with `start`: no traceback."""
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith(start)
    assert "Traceback" not in result.stderr


def test_unwritable_data_folder_stops_with_one_line(tmp_path: Path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    result = run_envplan("check", env_extra={"ENVPLAN_DATA_DIR": str(blocked / "data")})
    assert_stops_with_one_line(result, "envplan: ENVPLAN_DATA_DIR")


def test_unreachable_database_stops_with_one_line(tmp_path: Path):
    result = run_envplan(
        "migrate",
        env_extra={
            "ENVPLAN_DATA_DIR": str(tmp_path),
            "ENVPLAN_DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing?connect_timeout=3",
        },
    )
    assert_stops_with_one_line(result, "envplan: cannot reach the database")


def test_unsupported_database_scheme_stops_with_one_line(tmp_path: Path):
    result = run_envplan(
        "check", env_extra={"ENVPLAN_DATA_DIR": str(tmp_path), "ENVPLAN_DATABASE_URL": "mysql://x@y/z"}
    )
    assert (result.returncode, result.stderr.strip()) == (
        2,
        "envplan: ENVPLAN_DATABASE_URL has an unsupported scheme 'mysql': use sqlite:/// or postgres://",
    )


def test_secret_key_is_generated_once_with_mode_600(tmp_path: Path):
    first = run_envplan("check", env_extra={"ENVPLAN_DATA_DIR": str(tmp_path)})
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    run_envplan("check", env_extra={"ENVPLAN_DATA_DIR": str(tmp_path)})
    assert key_file.read_text() == key


def imported_modules(stderr: str) -> set[str]:
    """The modules a process imported, from its `python -X importtime` lines."""
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


PURE_COMMANDS = {
    "plan parse": ["plan", "parse", str(DATA / "plantext" / "plan_en.txt")],
    "air aqi": ["air", "aqi", "{air}", "--kind", "realtime"],
    "water classify": ["water", "classify", "{water}"],
    "hj212 check": ["hj212", "check", str(DATA / "hj212" / "samples.txt"), "--accept-crc-variants"],
    "emergency assess": ["emergency", "assess", "{forecast}"],
    "completion": ["completion", "bash"],
}


@pytest.mark.parametrize("name", list(PURE_COMMANDS))
def test_pure_commands_run_without_django_or_database(tmp_path: Path, name: str):
    air = tmp_path / "air.csv"
    air.write_text("station_code,time,pm25,pm10,so2,no2,co,o3\n1449A,2018-02-20T07:00:00,43,69,10,69,1.2,3\n")
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("date,aqi\n2025-01-10,120\n2025-01-11,180\n")
    water = tmp_path / "water.csv"
    water.write_text("section,time,waterbody,do,codmn,nh3n\nS1,2025-01-10,river,7.5,4,0.4\n")
    args = [word.format(air=air, forecast=forecast, water=water) for word in PURE_COMMANDS[name]]
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVPLAN_")}
    # Both would stop Django at its configuration check: a pure command never gets there.
    env.update(ENVPLAN_DATA_DIR=str(blocked / "data"), ENVPLAN_DATABASE_URL="postgres://nobody@127.0.0.1:9/x")

    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "envplan", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )

    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1: findings in the sample data
    assert result.stdout.strip()
    modules = imported_modules(result.stderr)
    assert "envplan.cli" in modules
    assert sorted(m for m in modules if m == "django" or m.startswith("django.")) == []


def test_pure_command_bad_input_is_one_line_and_exit_2(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run_envplan("plan", "parse", str(empty), env_extra={"ENVPLAN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.stderr
