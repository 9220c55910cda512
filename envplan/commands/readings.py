"""`envplan readings`: stored HJ 212 values (Django)."""

from __future__ import annotations

from envplan.commandline import Group

NAME = "readings"
HELP = "stored HJ 212 values of one device, as CSV"

# The keys of envplan.sources.lake.LAKE_KINDS, written out so that building the command line imports
# no Polars (tests/commands pins them).
KINDS = ("realtime", "minute", "hourly", "daily")


def add_commands(group: Group) -> None:
    export = group.command(
        "export",
        "envplan.sources.command:export",
        django=True,
        help="values of one device as CSV, each once, including answered frames not yet ingested",
        description="Values of one device as CSV rows (mn, kind, time, factor, field, value, flag, variants: "
        "the known deviations from HJ 212 the value's frame was accepted with), each "
        "value once (by MN, kind, DataTime, factor and field), ordered by time. By default they include the "
        "frames the receiver has answered but `envplan sources ingest` has not yet moved into the lake: "
        "those in closed landing files (.log) and in the files being written (.part, up to their last "
        "complete record). Split packets whose parts have not all landed are left out, as ingest does. "
        "--lake-only gives the lake alone.",
    )
    export.add_argument("--mn", required=True)
    export.add_argument("--kind", required=True, choices=KINDS)
    export.add_argument("--format", default="csv", choices=["csv"])
    export.add_argument("--start", help="first DataTime (YYYY-MM-DD or ISO date-time, China Standard Time)")
    export.add_argument("--end", help="DataTimes before this")
    export.add_argument("--landing", help="landing folder to include (default <data dir>/landing)")
    export.add_argument(
        "--lake-only", action="store_true", help="leave out frames not yet ingested into the lake"
    )
