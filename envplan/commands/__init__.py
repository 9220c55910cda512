"""The `envplan` command line, declared once: one argparse tree of our groups and their sub-commands.

Each module here declares one group (`NAME`, `HELP`, `add_commands(group)`) and imports nothing heavy:
no Django, no Polars, no handler. A sub-command names its handler by a dotted path, imported only when it
runs (`envplan.cli`). Django's own commands and ours that are Django management commands (`migrate`,
`demo`, `serve`, ...) are not in this tree: `envplan.cli` hands any other first word to Django.
"""

from __future__ import annotations

import argparse
from typing import Any

from envplan.commandline import Group, RaisingParser, global_options
from envplan.commands import (
    air,
    emergency,
    hj212,
    inspections,
    ledger,
    plan,
    readings,
    screening,
    sources,
    water,
)

GROUPS = (air, water, hj212, readings, sources, plan, ledger, emergency, inspections, screening)
# Sub-commands of the root itself (not groups).
COMMANDS = ("completion",)
NAMES = frozenset({*(group.NAME for group in GROUPS), *COMMANDS})

# Our management commands that run inside Django (their own --help: `envplan COMMAND --help`).
DJANGO_COMMANDS = ("demo", "serve", "up", "worker", "static", "remind", "token", "backup", "restore")

EPILOG = f"""\
also, inside Django:
  {", ".join(DJANGO_COMMANDS)}
                        ours: `envplan COMMAND --help` for each
  migrate, createsuperuser, check, shell, ...
                        Django's own: `envplan help` lists every one

exit codes: 0 ok; 1 findings or failures in the data; 2 bad input or usage
"""


class Version(argparse.Action):
    """`--version`: the installed distribution's version, looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("envplan")
        except PackageNotFoundError:  # a source tree that was never installed
            number = "unknown"
        print(f"envplan {number}")
        parser.exit(0)


def build_parser() -> RaisingParser:
    parser = RaisingParser(
        prog="envplan",
        description="Run a district's pollution-control action plan: the command line.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=Version, help="print the version and exit")
    global_options(parser, defaults=True)
    root = Group(parser)
    for module in GROUPS:
        module.add_commands(root.group(module.NAME, help=module.HELP))
    completion = root.command(
        "completion",
        "envplan.commands.completion:print_script",
        help="print the shell completion script (eval it, or save it where your shell reads completions)",
    )
    completion.add_argument("shell", choices=("bash", "zsh"))
    return parser
