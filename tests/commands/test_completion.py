"""Shell completion (argcomplete): `envplan` answers from its tree alone, without starting Django, as
argcomplete's own tests drive it (`_ARGCOMPLETE`, `COMP_LINE`, `COMP_POINT`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import envplan
from tests.commandline import envplan as run


def complete(line: str, tmp_path: Path) -> list[str]:
    answer = tmp_path / "completions"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVPLAN_", "DJANGO_"))}
    env.update(
        _ARGCOMPLETE="1",
        _ARGCOMPLETE_IFS="\n",
        _ARGCOMPLETE_STDOUT_FILENAME=str(answer),
        COMP_LINE=line,
        COMP_POINT=str(len(line)),
        # A data folder that is a file: Django, were it started, would stop at the configuration check.
        ENVPLAN_DATA_DIR=str(tmp_path / "not-a-folder" / "data"),
    )
    (tmp_path / "not-a-folder").write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "envplan"], env=env, capture_output=True, text=True, timeout=120
    )
    assert (result.returncode, result.stderr) == (0, "")
    return sorted(answer.read_text().split("\n")) if answer.read_text() else []


def test_completion_of_the_first_word_offers_our_groups(tmp_path: Path):
    words = complete("envplan ", tmp_path)

    assert {"air", "water", "hj212", "readings", "sources", "plan", "ledger", "completion"} <= set(words)
    assert {"--version", "--verbose", "--quiet"} <= set(words)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("envplan ai", ["air "]),
        ("envplan air s", ["stations "]),
        ("envplan hj212 re", ["rejected "]),
        ("envplan readings export --kind ", ["daily", "hourly", "minute", "realtime"]),
        ("envplan hj212 rejected --js", ["--json "]),
    ],
)
def test_completion_of_sub_commands_options_and_choices(tmp_path: Path, line: str, expected: list[str]):
    assert complete(line, tmp_path) == expected


def test_completion_script_for_bash_and_zsh():
    bash = run("completion", "bash")
    zsh = run("completion", "zsh")

    assert bash[0] == zsh[0] == 0
    assert "complete " in bash[1] and "envplan" in bash[1]
    assert zsh[1].startswith("#compdef envplan")


def test_completion_marker_is_in_the_entry_points():
    root = Path(envplan.__file__).resolve().parent

    for name in ("cli.py", "__main__.py"):
        assert "# PYTHON_ARGCOMPLETE_OK" in (root / name).read_text(encoding="utf-8")[:1024]
