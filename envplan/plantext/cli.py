"""Command: ``parse FILE [--lang auto|fr|zh|en]`` prints the plan draft as JSON.

Exit codes: 0 success, 2 unusable input or usage error.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from . import parse_file
from .model import PlanTextError


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]  # raise instead of exiting the process
        raise _UsageError(message)


def _build_parser() -> _Parser:
    parser = _Parser(prog="envplan plan", description="Read a plan document into a structured draft.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    parse = commands.add_parser(
        "parse", help="print the draft of a plan document (.txt, .docx, .html or .pdf) as JSON"
    )
    parse.add_argument("file", help="plan document: text (UTF-8 or GB18030), .docx, .html or .pdf")
    parse.add_argument("--lang", choices=["auto", "fr", "zh", "en"], default="auto")
    return parser


def main(
    argv: list[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    try:
        args = parser.parse_args(args_list)
    except _UsageError as error:
        err.write(f"{parser.format_usage()}error: {error}\n")
        return 2
    except SystemExit as leave:  # --help
        return 0 if leave.code in (0, None) else 2
    if args.command == "parse":
        try:
            draft = parse_file(args.file, lang=args.lang)
        except PlanTextError as error:
            err.write(f"error: {error}\n")
            return 2
        except OSError as error:
            err.write(f"error: {args.file}: cannot read the file ({error.strerror or error})\n")
            return 2
        out.write(draft.to_json())
        out.write("\n")
        return 0
    return 2  # pragma: no cover - argparse requires a known command


if __name__ == "__main__":  # pragma: no cover - manual use: python -m envplan.plantext.cli parse FILE
    raise SystemExit(main())
