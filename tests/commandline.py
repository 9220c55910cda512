"""Run `envplan` in the test's own process, as the shell would, through `envplan.cli.main` with in-memory
streams (or those the test gives); or in a child process (`in_child`), as a person or a service starts it."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import socket
import struct
import subprocess
import sys
import termios
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
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


def in_child(
    *argv: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m envplan ARGV` in a child process, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "envplan", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=None if env is None else dict(env),
        timeout=timeout,
        preexec_fn=preexec,
    )


def without_django() -> dict[str, str]:
    """This environment without envplan's settings and with an unusable database: a pure command must not
    start Django, so it must not notice."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ENVPLAN_")}
    env["ENVPLAN_DATABASE_URL"] = "mysql://nobody@nowhere/none"
    return env


def in_data_dir(data_dir: Path) -> dict[str, str]:
    """This environment, with its own data folder and the database there (SQLite): what a child process
    needs when it cannot see the test database."""
    env = {**os.environ, "ENVPLAN_DATA_DIR": str(data_dir)}
    env.pop("ENVPLAN_DATABASE_URL", None)
    return env


def installed(data_dir: Path, **settings: str) -> dict[str, str]:
    """This environment without envplan's or Django's settings, as on a fresh install: its own data
    folder (and the `ENVPLAN_*` settings given)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ENVPLAN_", "DJANGO_"))}
    return env | {"ENVPLAN_DATA_DIR": str(data_dir)} | settings


def succeeds(*argv: str, env: Mapping[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`in_child`, which must exit 0 (its stderr is the failure's message)."""
    result = in_child(*argv, env=env, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result


def add_supervisor(username: str, password: str, *, env: Mapping[str, str]) -> None:
    """A district supervisor in the database of an installed instance, through `envplan shell`."""
    succeeds(
        "shell",
        "-v0",
        "-c",
        "from django.contrib.auth.models import Group, User\n"
        f"u = User.objects.create_user({username!r}, password={password!r})\n"
        "u.groups.add(Group.objects.get_or_create(name='supervisors')[0])\n",
        env=env,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


REPO = Path(__file__).resolve().parents[1]


def standalone_receiver(landing: Path, *options: str) -> tuple[subprocess.Popen[str], int]:
    """`envplan hj212 serve-standalone` in a child process on a free port, accepting unknown devices into
    `landing`; returns it and its port once it listens (the first line it prints names the address)."""
    command = [sys.executable, "-c", ENTRY.format(group="hj212"), "serve-standalone", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--landing", str(landing), "--accept-unknown-devices", *options],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert process.stdout is not None
    return process, int(process.stdout.readline().rsplit(":", 1)[1])
