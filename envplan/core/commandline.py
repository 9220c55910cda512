"""Argument parsing for our sub-commands: usage errors become an exception the command turns into one
line on stderr and exit code 2, instead of argparse's own exit from deep inside the parser."""

from __future__ import annotations

import argparse


class UsageError(Exception):
    """A command line that does not parse; the message names the command."""


class RaisingParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # raises instead of exiting
        raise UsageError(f"{self.prog}: {message}")
