"""``envplan emergency assess FORECAST.csv [--rules auto|2018|2024] [--rules-file F]`` (pure; no Django).

Reads ``date,aqi`` (one line per consecutive day; ``-`` reads standard input) and prints one JSON object::

    {"rules": "2024", "level": "none" | "yellow" | "orange" | "red",
     "start": "YYYY-MM-DD" | null, "end": "YYYY-MM-DD" | null, "reason": "..."}

``--rules auto`` (the default) takes the national edition in force on the forecast's first day.
Exit codes: 0 assessed (whatever the level); 2 bad input or usage, with one line on stderr naming the
file, the line and the field.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from envplan.standards.emergency.assess import assess
from envplan.standards.emergency.forecast import ForecastError, read_forecast_csv
from envplan.standards.emergency.regional import FORMAT, RuleFileError, load_rules_file, rules_for
from envplan.standards.emergency.rules import GUIDANCE_2024_EFFECTIVE, NATIONAL_EDITIONS

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """Reports usage errors as exceptions and prints help to the given stream."""

    def __init__(self, *args: Any, out: TextIO, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._out = out

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: error: {message}")

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            self._out.write(message)


def _build_parser(out: TextIO) -> _Parser:
    parser = _Parser(prog="envplan emergency", description="Heavy-pollution weather warnings.", out=out)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    summary = "the warning level a forecast of daily AQI calls for, and the days it covers"
    assess_parser = commands.add_parser(
        "assess",
        help=summary,
        description=summary,
        epilog=FORMAT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        out=out,
    )
    assess_parser.add_argument("file", help="CSV with columns date,aqi (UTF-8); - for standard input")
    assess_parser.add_argument(
        "--rules",
        choices=("auto", *NATIONAL_EDITIONS),
        default="auto",
        help=f"national edition; auto: 2024 for forecasts from {GUIDANCE_2024_EFFECTIVE}, else 2018",
    )
    assess_parser.add_argument("--rules-file", help="regional triggers added to the edition (.toml or .json)")
    return parser


def main(
    argv: Sequence[str],
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run ``envplan emergency assess …``; returns the exit code (never raises on bad input)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    inp = stdin if stdin is not None else sys.stdin
    try:
        args = _build_parser(out).parse_args(list(argv))
    except _UsageError as error:
        err.write(f"{error}\n")
        return EXIT_BAD_INPUT
    except SystemExit as exit_:  # --help has been printed
        return exit_.code if isinstance(exit_.code, int) else EXIT_OK
    try:
        regional = load_rules_file(args.rules_file) if args.rules_file else None
        if args.file == "-":
            forecast = read_forecast_csv(inp.read().encode("utf-8"), name="<stdin>")
        else:
            forecast = read_forecast_csv(args.file)
        rules = rules_for(forecast.start, args.rules, regional)
    except (ForecastError, RuleFileError) as error:
        err.write(f"envplan emergency assess: {error}\n")
        return EXIT_BAD_INPUT
    out.write(json.dumps(assess(forecast, rules).as_json(), ensure_ascii=False) + "\n")
    return EXIT_OK
