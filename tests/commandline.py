"""Run `envplan` in the test's own process, as the shell would, through `envplan.cli.main` with in-memory
streams (or those the test gives)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TextIO

from envplan.cli import main

# For `python -c` in a child process: `envplan GROUP ARGS...` through the real entry point.
ENTRY = "import sys; from envplan.cli import main; sys.argv[1:1] = [{group!r}]; sys.exit(main())"


def envplan(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    """`envplan ARGV`: the exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def in_group(group: str) -> Callable[..., int]:
    """`envplan GROUP ...` as a function of the rest of the command line and the streams."""

    def run(
        argv: Sequence[str],
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        stdin: TextIO | None = None,
    ) -> int:
        return main([group, *argv], stdout=stdout, stderr=stderr, stdin=stdin)

    return run
