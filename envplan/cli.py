"""The `envplan` command: Django's management commands plus ours.

Sub-commands that need no database (`air aqi`, `water classify`, `hj212 check`, `plan parse`,
`emergency assess`, `inspections draw`, ...) run the pure packages directly, without starting Django.
Everything else starts Django after checking the configuration, so that a bad data folder or an
unreachable database stops with one clear line.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

PureMain = Callable[..., int]

# (command, sub-command) -> module whose main(argv, stdout, stderr, stdin) implements it without Django.
PURE_COMMANDS: dict[tuple[str, str], str] = {
    ("air", "aqi"): "envplan.standards.air_cli",
    ("air", "daily"): "envplan.standards.air_cli",
    ("air", "annual"): "envplan.standards.air_cli",
    ("water", "classify"): "envplan.standards.water_cli",
    ("water", "assess"): "envplan.standards.water_cli",
    ("hj212", "check"): "envplan.hj212.cli",
    ("hj212", "simulate"): "envplan.hj212.cli",
    ("plan", "parse"): "envplan.plantext.cli",
    ("emergency", "assess"): "envplan.standards.emergency.cli",
    ("inspections", "draw"): "envplan.draw.cli",
    ("inspections", "verify"): "envplan.draw.cli",
    ("screening", "scan"): "envplan.screening.cli",
}

# Django commands that never touch the database: no connection check before them.
NO_DATABASE_COMMANDS = {"help", "version", "--help", "-h", "--version", "makemessages", "compilemessages"}


def pure_command(argv: Sequence[str]) -> PureMain | None:
    if len(argv) < 2:
        return None
    module_name = PURE_COMMANDS.get((argv[0], argv[1]))
    if module_name is None:
        return None
    module = importlib.import_module(module_name)
    main: PureMain = module.main
    return main


def fail(message: str, stderr: TextIO) -> int:
    print(f"envplan: {message}", file=stderr)
    return 2


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


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    pure = pure_command(args)
    if pure is not None:
        try:
            return pure(args[1:], stdout=sys.stdout, stderr=sys.stderr, stdin=sys.stdin)
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): not an error of ours. Silence the flush at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        finally:
            # The process ends here: its objects go back to the OS without the interpreter's last garbage
            # collections walking them (a third of a second once Numba, behind `air aqi`, is loaded).
            gc.freeze()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envplan.settings")
    from envplan.config import ConfigError

    try:
        import django

        django.setup()
    except ConfigError as error:
        return fail(str(error), sys.stderr)

    if args and args[0] not in NO_DATABASE_COMMANDS:
        status = check_database(sys.stderr)
        if status:
            return status

    from django.core.management import execute_from_command_line

    execute_from_command_line(["envplan", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
