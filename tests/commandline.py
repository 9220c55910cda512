"""Run `envplan` in the test's own process, as the shell would, through `envplan.cli.main` with in-memory
streams (or those the test gives)."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import termios
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


def read_all(fd: int) -> str:
    """What is waiting to be read on `fd`, without blocking."""
    chunks = []
    os.set_blocking(fd, False)
    while True:
        try:
            chunk = os.read(fd, 65536)
        except (BlockingIOError, OSError):  # nothing more (Linux answers EIO once the other side closed)
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def on_terminal(*argv: str) -> tuple[int, str, str]:
    """`envplan ARGV` with its stderr on a real pseudo-terminal (`pty`), as a person's shell gives it:
    the exit code, stdout, and what the person saw on the terminal."""
    leader, follower = pty.openpty()
    # A terminal 120 columns wide, 40 lines high (a new pseudo-terminal has no size yet).
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    terminal = os.fdopen(follower, "w", encoding="utf-8", buffering=1)
    out = io.StringIO()
    try:
        code = main(list(argv), stdout=out, stderr=terminal, stdin=io.StringIO())
        terminal.flush()
        shown = read_all(leader)
    finally:
        terminal.close()
        os.close(leader)
    return code, out.getvalue(), shown


def piped(*argv: str) -> tuple[int, str, str]:
    """`envplan ARGV` with its stderr on a pipe, as `envplan ... 2>&1 | cat` gives it: the exit code, stdout
    and what went down the pipe (at most a pipe's buffer, 64 KiB on Linux: the pipe is read at the end)."""
    reader, writer = os.pipe()
    pipe = os.fdopen(writer, "w", encoding="utf-8")
    out = io.StringIO()
    try:
        code = main(list(argv), stdout=out, stderr=pipe, stdin=io.StringIO())
    finally:
        pipe.close()
    with os.fdopen(reader, encoding="utf-8") as end:
        return code, out.getvalue(), end.read()
