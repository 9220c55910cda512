"""``envplan plan parse FILE [--lang auto|fr|zh|en]``: the handler (arguments in
``envplan/commands/plan.py``). Prints the plan draft as JSON.

Exit codes: 0 success, 2 unusable input or usage error.
"""

from __future__ import annotations

import argparse

from envplan.commandline import EXIT_OK, EXIT_USAGE, Streams

from . import parse_file
from .model import PlanTextError


def parse(args: argparse.Namespace, streams: Streams) -> int:
    try:
        draft = parse_file(args.file, lang=args.lang)
    except PlanTextError as error:
        streams.stderr.write(f"error: {error}\n")
        return EXIT_USAGE
    except OSError as error:
        streams.stderr.write(f"error: {args.file}: cannot read the file ({error.strerror or error})\n")
        return EXIT_USAGE
    streams.stdout.write(draft.to_json())
    streams.stdout.write("\n")
    return EXIT_OK
