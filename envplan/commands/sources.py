"""`envplan sources`: the landing log into the lake, exceedance screening (Django)."""

from __future__ import annotations

from envplan.commandline import Group, json_option

NAME = "sources"
HELP = "pollution sources: landing files into the lake, exceedance screening"


def add_commands(group: Group) -> None:
    ingest = group.command(
        "ingest",
        "envplan.sources.command:ingest",
        django=True,
        help="move closed landing files into the lake (once); exit 1 when some frames were unusable",
    )
    ingest.add_argument("--landing", help="landing log folder (default <data dir>/landing)")
    json_option(ingest, "summary")

    screen = group.command(
        "exceedances",
        "envplan.sources.command:exceedances",
        django=True,
        help="screen hourly values against the outlets' limits; exit 1 when exceedances were found",
    )
    screen.add_argument("--days", type=int, default=3, help="days back from today (default 3)")
    json_option(screen, "events")
