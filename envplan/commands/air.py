"""`envplan air`: AQI and statistics from files (pure), stations, hourly imports and evaluation (Django)."""

from __future__ import annotations

from envplan.commandline import Group, engine_options, file_import, json_option, registry_import

NAME = "air"
HELP = "air quality: AQI, daily statistics, annual evaluation; stations, hourly imports, daily evaluation"

# The engine's options, written out so that building the command line imports no Polars
# (tests/commands pins them to envplan.standards.air.aqi).
EDITIONS = ("auto", "HJ633-2012", "HJ633-2026")
REALTIME_RULES = ("practice", "text")
MISSING_POLICIES = ("available", "blank")
FORMATS = ("csv", "json")


def add_commands(group: Group) -> None:
    aqi = group.command(
        "aqi", "envplan.standards.air_cli:aqi", help="IAQI/AQI per row of a real-time or daily file (CSV out)"
    )
    aqi.add_argument("file", help="CSV file, '-' for standard input")
    aqi.add_argument("--kind", choices=["realtime", "daily"], required=True)
    aqi.add_argument("--edition", choices=EDITIONS, default="auto")
    aqi.add_argument("--realtime-rule", choices=REALTIME_RULES, default="practice")
    aqi.add_argument("--missing", choices=MISSING_POLICIES, default="available")
    aqi.add_argument("--strict", action="store_true", help="reject the whole file on any row error")

    daily = group.command(
        "daily", "envplan.standards.air_cli:daily", help="daily statistics and daily AQI from hourly values"
    )
    daily.add_argument("file", help="CSV file of hourly values, '-' for standard input")
    daily.add_argument("--format", choices=FORMATS, default="csv")
    daily.add_argument("--strict", action="store_true", help="reject the whole file on any row error")
    engine_options(daily, where="per station and year")

    annual = group.command(
        "annual", "envplan.standards.air_cli:annual", help="HJ 663 annual evaluation per station and city"
    )
    annual.add_argument("file", help="CSV file of hourly or daily values, '-' for standard input")
    annual.add_argument("--year", type=int, required=True)
    annual.add_argument("--format", choices=FORMATS, default="csv")
    annual.add_argument("--strict", action="store_true", help="reject the whole file on any row error")
    engine_options(annual, where="per station and year")

    registry_import(
        group,
        "stations",
        "envplan.air.command:import_stations",
        registry="the station registry",
        objects="stations",
    )
    hourly = file_import(
        group,
        "envplan.air.command:import_hourly",
        help="import hourly values into the lake; exit 1 when some rows were refused, 2 when none was stored",
    )
    hourly.add_argument("--format", choices=["csv", "cnemc"], default="csv")
    hourly.add_argument("--strict", action="store_true", help="reject the whole file on any error")

    evaluate = group.command(
        "evaluate",
        "envplan.air.command:evaluate",
        django=True,
        help="daily statistics and daily AQI of new days",
    )
    evaluate.add_argument("--date", action="append", help="evaluate this day (YYYY-MM-DD; repeatable)")
    json_option(evaluate, "counts")
