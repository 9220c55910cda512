"""Bad configuration stops start-up with one clear line and an exit code, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_envplan(*args: str, env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVPLAN_")}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "envplan", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_unwritable_data_folder_stops_with_one_line(tmp_path: Path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    result = run_envplan("check", env_extra={"ENVPLAN_DATA_DIR": str(blocked / "data")})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("envplan: ENVPLAN_DATA_DIR")
    assert "Traceback" not in result.stderr


def test_unreachable_database_stops_with_one_line(tmp_path: Path):
    result = run_envplan(
        "migrate",
        env_extra={
            "ENVPLAN_DATA_DIR": str(tmp_path),
            "ENVPLAN_DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing?connect_timeout=3",
        },
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("envplan: cannot reach the database")
    assert "Traceback" not in result.stderr


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


def test_pure_commands_run_without_django_or_database(tmp_path: Path):
    plan = Path(__file__).resolve().parents[1] / "data" / "plantext" / "plan_en.txt"
    result = run_envplan(
        "plan", "parse", str(plan), env_extra={"ENVPLAN_DATABASE_URL": "postgres://nobody@127.0.0.1:9/x"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.lstrip().startswith("{")


def test_pure_command_bad_input_is_one_line_and_exit_2(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run_envplan("plan", "parse", str(empty), env_extra={"ENVPLAN_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.stderr
