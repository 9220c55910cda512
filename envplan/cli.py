# PYTHON_ARGCOMPLETE_OK
"""The `envplan` command: our sub-commands (one argparse tree, `envplan.commands`) and Django's.

A sub-command of ours runs its handler, `handler(args, streams) -> exit code`. Pure handlers (`air aqi`,
`water classify`, `hj212 check`, `plan parse`, ...) run without starting Django. The others start
Django after checking the configuration and that the database answers, so that a bad data folder or an
unreachable database stops with one clear line and exit code 2. Any other first word (`migrate`,
`demo`, `serve`, ...) goes to Django's own command line.

Exit codes, the same for every command: 0 ok, 1 findings or failures in the data, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from envplan.commandline import EXIT_USAGE, HANDLER, NEEDS_DJANGO, Streams, UsageError, parse, resolve

# Django commands that never touch the database: no connection check before them.
NO_DATABASE_COMMANDS = {"help", "version", "--help", "-h", "--version", "makemessages", "compilemessages"}
# Options of the root parser that may come before a Django command too (`envplan -q migrate`).
LEADING_OPTIONS = {"-v", "-vv", "-vvv", "--verbose", "-q", "--quiet"}


def fail(message: str, stderr: TextIO) -> int:
    print(f"envplan: {message}", file=stderr)
    return EXIT_USAGE


def check_database(stderr: TextIO) -> int:
    from django.db import connection
    from django.db.utils import Error as DatabaseError

    try:
        connection.ensure_connection()
    except DatabaseError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return fail(f"cannot reach the database ({describe_database()}): {first_line}", stderr)
    return 0


def describe_database() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        return f"SQLite file {db['NAME']}"
    return f"{db.get('USER') or ''}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or ''}/{db.get('NAME')}"


def start_django(stderr: TextIO, *, database: bool = True) -> int:
    """Django set up (once per process), after the configuration check; 2 after one line if it fails."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envplan.settings")
    from envplan.config import ConfigError

    try:
        import django
        from django.apps import apps

        if not apps.ready:
            django.setup()
    except ConfigError as error:
        return fail(str(error), stderr)
    return check_database(stderr) if database else 0


@contextlib.contextmanager
def log_level(verbose: int, quiet: bool, stderr: TextIO) -> Iterator[None]:
    """-v: information, -vv: debugging, -q: errors only, for our loggers (`envplan.*`); as it was after."""
    if not verbose and not quiet:
        yield
        return
    level = logging.ERROR if quiet else logging.INFO if verbose == 1 else logging.DEBUG
    # Ours, and the request and job lines' own (envplan.core.logs.OPERATIONS_LOGGERS), which LOGGING sets.
    names = ("envplan", "envplan.request", "envplan.worker", "envplan.jobs")
    loggers, root = [logging.getLogger(name) for name in names], logging.getLogger()
    before = [logger.level for logger in loggers], root.level
    # Without Django's logging set up, nothing would print below WARNING: a handler of our own, for this run.
    handler = None
    if not root.handlers:
        handler = logging.StreamHandler(stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    for logger in loggers:
        logger.setLevel(level)
    if quiet:
        root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, was in zip(loggers, before[0], strict=True):
            logger.setLevel(was)
        root.setLevel(before[1])
        if handler is not None:
            root.removeHandler(handler)


def complete() -> None:
    """Answer the shell's completion request (argcomplete) from the tree alone, then leave the process."""
    import argcomplete

    from envplan.commands import build_parser

    argcomplete.autocomplete(build_parser())


def split_leading(args: list[str]) -> tuple[list[str], str | None]:
    """The global options before the first word, and that word (None when there is none)."""
    leading = []
    for word in args:
        if word in LEADING_OPTIONS:
            leading.append(word)
            continue
        return leading, word
    return leading, None


def run_ours(args: list[str], streams: Streams, *, entry: bool) -> int:
    from envplan.commands import build_parser

    parser = build_parser()
    try:
        with contextlib.redirect_stdout(streams.stdout):  # --help and --version print to our stdout
            parsed = parse(parser, args)
    except UsageError as error:
        print(error, file=streams.stderr)
        return EXIT_USAGE
    except SystemExit as leave:  # --help, --version
        return leave.code if isinstance(leave.code, int) else 0
    streams = Streams(streams.stdout, streams.stderr, streams.stdin, quiet=parsed.quiet)
    if getattr(parsed, NEEDS_DJANGO):
        # Before -v/-q take effect: setting Django up applies LOGGING, which sets our loggers' levels.
        status = start_django(streams.stderr)
        if status:
            return status
    with log_level(parsed.verbose, parsed.quiet, streams.stderr):
        return run_handler(getattr(parsed, HANDLER), parsed, streams, entry=entry)


def run_handler(path: str, parsed: argparse.Namespace, streams: Streams, *, entry: bool) -> int:
    try:
        return resolve(path)(parsed, streams)
    except UsageError as error:  # options that parse but do not go together
        print(error, file=streams.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error of ours. Silence the flush at exit.
        if entry:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        if entry:
            # The process ends here: its objects go back to the OS without the interpreter's last garbage
            # collections walking them (a third of a second once Numba, behind `air aqi`, is loaded).
            gc.freeze()


def run_django(leading: list[str], args: list[str], streams: Streams) -> int:
    command = args[0] if args else None
    status = start_django(streams.stderr, database=command not in NO_DATABASE_COMMANDS)
    if status:
        return status
    from django.core.management import execute_from_command_line

    verbose = sum(word.count("v") for word in leading if word != "--verbose") + leading.count("--verbose")
    quiet = any(word in ("-q", "--quiet") for word in leading)
    with log_level(verbose, quiet, streams.stderr):
        execute_from_command_line(["envplan", *args])
    return 0


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run `envplan ARGV`; returns the exit code. Called without `argv`, it is the process's entry point."""
    entry = argv is None
    args = list(sys.argv[1:] if argv is None else argv)
    if entry and "_ARGCOMPLETE" in os.environ:
        complete()
    streams = Streams(stdout or sys.stdout, stderr or sys.stderr, stdin or sys.stdin)
    from envplan.commands import NAMES

    leading, word = split_leading(args)
    if word == "help" and len(args) > len(leading) + 1 and args[len(leading) + 1] in NAMES:
        # `envplan help air` as `envplan air --help`, as Django's `envplan help migrate` does
        return run_ours([*leading, args[len(leading) + 1], "--help"], streams, entry=entry)
    if word is None or word.startswith("-") or word in NAMES:
        return run_ours(args, streams, entry=entry)
    return run_django(leading, args[len(leading) :], streams)


if __name__ == "__main__":
    sys.exit(main())
