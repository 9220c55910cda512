"""``envplan emergency assess FORECAST.csv [--rules auto|2018|2024] [--rules-file F]`` (pure; no Django):
the handler; its arguments are declared in ``envplan/commands/emergency.py``.

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

from envplan.commandline import EXIT_OK, EXIT_USAGE, Streams
from envplan.standards.emergency.assess import assess
from envplan.standards.emergency.forecast import ForecastError, read_forecast_csv
from envplan.standards.emergency.regional import RuleFileError, load_rules_file, rules_for


def assess_command(args: argparse.Namespace, streams: Streams) -> int:
    """Run ``envplan emergency assess …``; returns the exit code (never raises on bad input)."""
    try:
        regional = load_rules_file(args.rules_file) if args.rules_file else None
        if args.file == "-":
            forecast = read_forecast_csv(streams.stdin.read().encode("utf-8"), name="<stdin>")
        else:
            forecast = read_forecast_csv(args.file)
        rules = rules_for(forecast.start, args.rules, regional)
    except (ForecastError, RuleFileError) as error:
        streams.stderr.write(f"envplan emergency assess: {error}\n")
        return EXIT_USAGE
    streams.stdout.write(json.dumps(assess(forecast, rules).as_json(), ensure_ascii=False) + "\n")
    return EXIT_OK
