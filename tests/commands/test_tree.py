"""The `envplan` command line is one argparse tree: every group and sub-command declared once, reachable,
with its help; usage errors are one line and exit code 2; handlers named by dotted paths resolve."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

import envplan
from envplan.commandline import HANDLER, NEEDS_DJANGO, resolve
from envplan.commands import DJANGO_COMMANDS, GROUPS, NAMES, build_parser
from tests.commandline import envplan as run

ROOT = Path(envplan.__file__).resolve().parent


def sub_commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every runnable command of the tree, as the words that reach it."""
    found: list[tuple[str, ...]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += sub_commands(child, (*path, name))
    if not found and path:
        found.append(path)
    return found


COMMANDS = sub_commands(build_parser())
IDS = [" ".join(path) for path in COMMANDS]


def declared(path: tuple[str, ...]) -> argparse.Namespace:
    """The defaults the sub-command declares (its handler and whether it needs Django)."""
    parser = build_parser()
    for word in path:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[word]
    return argparse.Namespace(**parser._defaults)


def test_tree_has_every_group_and_its_sub_commands():
    assert sorted({path[0] for path in COMMANDS}) == sorted(NAMES)
    assert set(IDS) >= {
        "air aqi", "air daily", "air annual", "air stations import", "air import", "air evaluate",
        "water classify", "water assess", "water sections import", "water import", "water evaluate",
        "hj212 check", "hj212 simulate", "hj212 serve-standalone", "hj212 serve", "hj212 rejected",
        "readings export", "sources ingest", "sources exceedances", "plan parse", "plan import",
        "ledger export", "ledger assessment", "emergency assess", "inspections draw", "inspections verify",
        "screening scan", "completion",
    }  # fmt: skip


@pytest.mark.parametrize("path", COMMANDS, ids=IDS)
def test_tree_help_of_each_sub_command_exits_0(path: tuple[str, ...]):
    code, out, err = run(*path, "--help")

    assert (code, err) == (0, "")
    assert out.startswith(f"usage: envplan {' '.join(path)} ")


@pytest.mark.parametrize("path", COMMANDS, ids=IDS)
def test_tree_usage_error_of_each_sub_command_is_one_line_and_exit_2(path: tuple[str, ...]):
    code, out, err = run(*path, "--no-such-option")

    assert (code, out) == (2, "")
    assert err.startswith(f"envplan {' '.join(path)}: error: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("group", sorted({path[0] for path in COMMANDS if len(path) > 1}))
def test_tree_group_without_a_command_and_help_of_the_group(group: str):
    missing = run(group)
    helped = run(group, "--help")
    asked = run("help", group)

    assert missing == (2, "", f"envplan {group}: error: the following arguments are required: COMMAND\n")
    assert helped[0] == 0 and helped[1].startswith(f"usage: envplan {group} ")
    assert asked == helped


def test_tree_every_handler_resolves_and_pure_ones_live_below_django():
    pure_prefixes = ("envplan.standards.", "envplan.hj212.", "envplan.plantext.", "envplan.draw.",
                     "envplan.screening.", "envplan.commands.")  # fmt: skip
    for path in COMMANDS:
        defaults = declared(path)
        handler = getattr(defaults, HANDLER)
        assert callable(resolve(handler)), path
        if not getattr(defaults, NEEDS_DJANGO):
            assert handler.startswith(pure_prefixes), path


def test_root_help_lists_our_groups_and_points_to_djangos_commands():
    code, out, err = run("--help")

    assert (code, err) == (0, "")
    for module in GROUPS:
        assert f"\n    {module.NAME} " in out
    assert "demo, serve, up, worker, static, remind, token, backup, restore" in out
    assert "`envplan help` lists every one" in out
    assert "exit codes: 0 ok; 1 findings or failures in the data; 2 bad input or usage" in out


def test_root_without_a_command_is_a_usage_error():
    assert run() == (2, "", "envplan: error: the following arguments are required: COMMAND\n")


def test_version_prints_the_installed_version():
    from importlib.metadata import version

    assert run("--version") == (0, f"envplan {version('envplan')}\n", "")


def test_tree_no_forwarding_management_command_remains():
    """Our management commands are the real Django ones; none shadows or forwards to a group of ours."""
    found = {path.stem for path in ROOT.glob("*/management/commands/*.py") if path.stem != "__init__"}

    assert found == set(DJANGO_COMMANDS)
    assert not found & NAMES


def test_tree_written_out_options_match_the_engines():
    """The spec modules write some choices out to stay light; they must be the engines' own."""
    from envplan.commands import air, emergency, hj212, readings, screening, water
    from envplan.hj212.frame import DEFAULT_MAX_SEGMENT
    from envplan.hj212.limits import RESERVE
    from envplan.problems import DEFAULT_LIMIT
    from envplan.screening.options import DETECTORS
    from envplan.sources.lake import LAKE_KINDS
    from envplan.standards.air.aqi import MissingPolicy, RealtimeRule
    from envplan.standards.emergency.rules import GUIDANCE_2024_EFFECTIVE, NATIONAL_EDITIONS

    assert tuple(rule.value for rule in RealtimeRule) == air.REALTIME_RULES
    assert tuple(policy.value for policy in MissingPolicy) == air.MISSING_POLICIES
    assert water.MAX_ERRORS == DEFAULT_LIMIT
    assert (hj212.DEFAULT_MAX_SEGMENT, hj212.RESERVE) == (DEFAULT_MAX_SEGMENT, RESERVE)
    assert tuple(LAKE_KINDS) == readings.KINDS
    assert screening.DETECTORS == DETECTORS
    assert tuple(NATIONAL_EDITIONS) == emergency.EDITIONS
    assert GUIDANCE_2024_EFFECTIVE.isoformat() == emergency.GUIDANCE_2024_EFFECTIVE


def test_tree_is_built_without_importing_a_handler_or_anything_heavy():
    script = (
        "import sys\n"
        "from envplan.commands import build_parser\n"
        "build_parser().parse_args(['air', 'aqi', 'x.csv', '--kind', 'daily'])\n"
        "light = ('envplan', 'envplan.commandline', 'envplan.commands')\n"
        "heavy = [m for m in sys.modules if m.startswith(('django', 'polars', 'numpy', 'numba'))]\n"
        "ours = [m for m in sys.modules if m.startswith('envplan.') and not m.startswith(light)]\n"
        "print(sorted(heavy + ours))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)

    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr
