"""Argument parsing for our sub-commands: usage errors become an exception the command turns into one
line on stderr and exit code 2, instead of argparse's own exit from deep inside the parser."""

from __future__ import annotations

import argparse
from typing import TextIO


class UsageError(Exception):
    """A command line that does not parse; the message names the command."""


class RaisingParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # raises instead of exiting
        raise UsageError(f"{self.prog}: {message}")


def parse(parser: argparse.ArgumentParser, argv: list[str], err: TextIO) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code to return: 2 after one usage line on `err`, 0 after --help."""
    try:
        return parser.parse_args(argv)
    except UsageError as error:
        print(error, file=err)
        return 2
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
