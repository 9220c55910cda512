"""`-v/--verbose` and `-q/--quiet` anywhere on the line; they set our loggers' level for the run only."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

import pytest

from envplan.cli import log_level
from envplan.commands import build_parser


@pytest.mark.parametrize(
    ("words", "verbose", "quiet"),
    [
        (["air", "aqi", "f.csv", "--kind", "daily"], 0, False),
        (["-q", "air", "aqi", "f.csv", "--kind", "daily"], 0, True),
        (["air", "aqi", "f.csv", "--kind", "daily", "--quiet"], 0, True),
        (["-vv", "hj212", "check", "f.txt"], 2, False),
        (["hj212", "check", "f.txt", "-v"], 1, False),
    ],
)
def test_global_options_before_or_after_the_sub_command(words: list[str], verbose: int, quiet: bool):
    parsed = build_parser().parse_args(words)

    assert (parsed.verbose, parsed.quiet) == (verbose, quiet)


def test_log_level_is_set_for_the_run_and_restored_after():
    ours = logging.getLogger("envplan")
    before = ours.level

    with log_level(2, False, io.StringIO()):
        during_verbose = ours.level
    with log_level(0, True, io.StringIO()):
        during_quiet = ours.level

    assert (during_verbose, during_quiet, ours.level) == (logging.DEBUG, logging.ERROR, before)


def test_log_level_without_any_logging_set_up_prints_information_to_stderr():
    script = (
        "import logging, sys\n"
        "from envplan.cli import log_level\n"
        "with log_level(1, False, sys.stderr):\n"
        "    logging.getLogger('envplan.test').info('shown')\n"
        "    logging.getLogger('envplan.test').debug('hidden')\n"
        "logging.getLogger('envplan.test').info('after the run: not shown')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0
    assert [line.split(" ", 2)[2] for line in result.stderr.splitlines()] == ["INFO envplan.test: shown"]
