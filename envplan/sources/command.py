"""Commands of the sources app:

* `envplan hj212 serve --host H --port P [--accept-unknown-devices] [--strict] [--landing DIR]
  [--rotate-seconds S] [--max-connections N]` (and `check`, `simulate`, `serve-standalone`, which go to
  the pure envplan.hj212.cli);
* `envplan hj212 rejected [--since T] [--format text|json]`: the frames receivers refused, per MN and
  reason, with the first frames of each as they came;
* `envplan readings export --mn MN --kind realtime|minute|hourly|daily --format csv [--landing DIR]
  [--lake-only]`: values as rows `mn, kind, time, factor, field, value, flag, variants`, each value once,
  including by default the answered frames still in the landing folder;
* `envplan sources ingest [--landing DIR]`: move closed landing files into the lake once;
  `envplan sources exceedances [--days N]`: screen the last N days of hourly values.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from envplan.core.commandline import RaisingParser as _Parser
from envplan.core.commandline import UsageError as _Usage
from envplan.core.commandline import parse as _parse
from envplan.hj212.cli import add_serve_options, serve_option_error

# --- hj212 ---------------------------------------------------------------------------------------------


def _hj212_parser() -> _Parser:
    parser = _Parser(prog="envplan hj212", description="HJ 212 receiver backed by the device registry")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    serve = sub.add_parser("serve", help="receive HJ 212 data from registered devices")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument(
        "--accept-unknown-devices",
        action="store_true",
        help="store frames of unregistered MNs as quarantined (default: refuse them, QnRtn=4)",
    )
    serve.add_argument("--landing", help="landing log folder (default <data dir>/landing)")
    serve.add_argument("--prefix", help="landing file prefix (default <host>_<pid>)")
    serve.add_argument("--refresh", type=float, default=30.0, help="seconds between registry reloads")
    serve.add_argument("--idle-timeout", type=float, default=3900.0)
    serve.add_argument(
        "--reuse-port",
        action="store_true",
        help="listen with SO_REUSEPORT, so that several receivers share the port (the kernel spreads the "
        "connections among them; each writes its own landing files)",
    )
    add_serve_options(serve)
    rejected = sub.add_parser(
        "rejected",
        help="the frames receivers refused, per MN and reason, with samples",
        description="The frames the receivers refused (bad CRC or length, wrong password, unknown MN, a "
        "deviation refused by the strict setting, ...) and the frames the ingest could not read, per MN "
        "('?' when none could be read) and reason, counted by the hour, with the first frames of each as "
        "they came. Exit status: 0 nothing was refused, 1 some frames were, 2 bad arguments.",
    )
    rejected.add_argument("--since", help="from this date or date-time (China Standard Time unless given)")
    rejected.add_argument("--format", default="text", choices=["text", "json"])
    return parser


def hj212_main(
    argv: list[str],
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    if not argv or argv[0] not in ("serve", "rejected"):
        from envplan.hj212 import cli

        return cli.main(argv, stdout=out, stderr=err, stdin=stdin)
    args = _parse(_hj212_parser(), argv, err)
    if isinstance(args, int):
        return args
    if args.command == "rejected":
        return _rejected(args, out=out, err=err)
    if not 0 <= args.port <= 65535:
        print(f"envplan hj212 serve: --port {args.port} is not a TCP port", file=err)
        return 2
    problem = serve_option_error(args)
    if problem is not None:
        print(f"envplan hj212 serve: {problem}", file=err)
        return 2
    return _serve(args, out=out, err=err)


def _serve(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    from django.db import DatabaseError

    from envplan.hj212.limits import connection_limit
    from envplan.hj212.receiver import ReceiverConfig, ReceiverService, ServeOptions, UnknownDevicePolicy
    from envplan.lake.landing import landing_prefix
    from envplan.sources.receiver import DatabaseRegistry
    from envplan.sources.services import landing_dir

    folder = Path(args.landing) if args.landing else landing_dir()
    prefix = args.prefix or landing_prefix()
    max_connections, limits = connection_limit(args.max_connections)
    try:
        registry = DatabaseRegistry()
    except DatabaseError as error:
        print(f"envplan hj212 serve: cannot read the device registry: {error}", file=err)
        return 2
    options = ServeOptions(
        host=args.host,
        port=args.port,
        landing=folder,
        prefix=prefix,
        policy=UnknownDevicePolicy.QUARANTINE if args.accept_unknown_devices else UnknownDevicePolicy.REFUSE,
        config=ReceiverConfig(
            idle_timeout=args.idle_timeout, max_connections=max_connections, strict=args.strict
        ),
        rotate_seconds=args.rotate_seconds,
        refresh=args.refresh,
        reuse_port=args.reuse_port,
        heartbeat=folder / "heartbeats" / f"{prefix}.json",
    )
    try:
        service = ReceiverService(registry, options)
    except (OSError, ValueError) as error:
        print(f"envplan hj212 serve: landing folder {folder}: {error}", file=err)
        return 2
    deviations = "refused (--strict)" if args.strict else "stored and marked, unless the device is strict"
    print(
        f"{len(registry)} registered devices; unknown MNs are "
        f"{'quarantined' if args.accept_unknown_devices else 'refused'}; frames with known deviations are "
        f"{deviations}; landing {folder}/{prefix}-*, closed {args.rotate_seconds:g} s after its first frame",
        file=out,
    )
    print(limits, file=out)
    try:
        stats = service.run(out=out)
    except OSError as error:
        print(f"envplan hj212 serve: cannot listen on {args.host}:{args.port}: {error.strerror}", file=err)
        return 2
    print(
        f"stopped: {stats.frames_landed} frames landed, {stats.replies_sent} replies, "
        f"{sum(stats.rejected.values())} rejected, {stats.connections_refused} connections refused",
        file=out,
    )
    return 0


def _rejected(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    import json

    from django.utils import timezone

    from envplan.sources.queries import refusals

    try:
        since = _moment(args.since, "--since", command="envplan hj212 rejected")
    except _Usage as error:
        print(error, file=err)
        return 2
    found = refusals(since=since)
    zone = _zone()

    def local(moment: dt.datetime) -> str:
        return timezone.localtime(moment, zone).isoformat()

    if args.format == "json":
        listing = [
            {
                "mn": r.mn,
                "reason": r.reason,
                "frames": r.frames,
                "first_hour": local(r.first_hour),
                "last_hour": local(r.last_hour),
                "registered": r.registered,
                "samples": [
                    {
                        "received_at": local(s.received_at),
                        "peer": s.peer,
                        "message": s.message,
                        "frame": s.frame,
                    }
                    for s in r.samples
                ],
            }
            for r in found
        ]
        out.write(
            json.dumps(
                {"since": since.isoformat() if since else None, "rejected": listing}, ensure_ascii=False
            )
        )
        out.write("\n")
    else:
        if not found:
            print("no refused frames" + (f" since {since:%Y-%m-%d %H:%M}" if since else ""), file=out)
        for r in found:
            first, last = timezone.localtime(r.first_hour, zone), timezone.localtime(r.last_hour, zone)
            who = "registered" if r.registered else "unknown sender"
            hours = f"{first:%Y-%m-%d %H}h to {last:%Y-%m-%d %H}h"
            print(f"{r.mn}  {r.reason}  {r.frames} frames  {hours}  ({who})", file=out)
            for sample in r.samples:
                print(f"    {local(sample.received_at)} from {sample.peer}: {sample.message}", file=out)
                print(f"    {sample.frame}", file=out)
    return 1 if found else 0


# --- readings ------------------------------------------------------------------------------------------


def _readings_parser() -> _Parser:
    from envplan.sources.lake import COMMAND_KINDS

    parser = _Parser(prog="envplan readings", description="stored HJ 212 values")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    export = sub.add_parser(
        "export",
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
    export.add_argument("--kind", required=True, choices=list(COMMAND_KINDS))
    export.add_argument("--format", default="csv", choices=["csv"])
    export.add_argument("--start", help="first DataTime (YYYY-MM-DD or ISO date-time, China Standard Time)")
    export.add_argument("--end", help="DataTimes before this")
    export.add_argument("--landing", help="landing folder to include (default <data dir>/landing)")
    export.add_argument(
        "--lake-only", action="store_true", help="leave out frames not yet ingested into the lake"
    )
    return parser


def _zone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def _moment(text: str | None, option: str, *, command: str = "envplan readings export") -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _Usage(f"{command}: {option}: not a date or date-time: '{text}'") from None
    return value if value.tzinfo else value.replace(tzinfo=_zone())


def readings_main(
    argv: list[str],
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = _parse(_readings_parser(), argv, err)
    if isinstance(args, int):
        return args
    try:
        start, end = _moment(args.start, "--start"), _moment(args.end, "--end")
    except _Usage as error:
        print(error, file=err)
        return 2
    landing: Path | None = None
    if args.landing:
        landing = Path(args.landing)
        if args.lake_only:
            print("envplan readings export: --landing and --lake-only exclude each other", file=err)
            return 2
        if not landing.is_dir():
            print(f"envplan readings export: --landing {landing}: no such folder", file=err)
            return 2
    elif not args.lake_only:
        from envplan.sources.services import landing_dir

        landing = landing_dir()
    export_csv(mn=args.mn, kind=args.kind, out=out, start=start, end=end, landing=landing)
    return 0


def export_csv(
    *,
    mn: str,
    kind: str,
    out: TextIO,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    landing: Path | None = None,
) -> int:
    """Write the values of one MN and kind (command name) as CSV, ordered by time, factor, field: the
    lake's, and with `landing` also those of the frames still in that landing folder."""
    import polars as pl

    from envplan.sources import lake as sources_lake

    data_kind = sources_lake.COMMAND_KINDS[kind]
    values = (
        sources_lake.scan(data_kind, mns=[mn], start=start, end=end)
        if landing is None
        else sources_lake.scan_with_landed(data_kind, landing=landing, mns=[mn], start=start, end=end)
    )
    frame = (
        values.select(
            "mn",
            pl.lit(kind).alias("kind"),
            pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%S%:z").alias("time"),
            "factor",
            "field",
            "value",
            "flag",
            "variants",
        )
        .sort("time", "factor", "field")
        .collect()
    )
    out.write(frame.write_csv())
    return frame.height


# --- sources -------------------------------------------------------------------------------------------


def _sources_parser() -> _Parser:
    parser = _Parser(prog="envplan sources", description="pollution sources: ingest and screening")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ingest = sub.add_parser("ingest", help="move closed landing files into the lake (once)")
    ingest.add_argument("--landing", help="landing log folder (default <data dir>/landing)")
    screen = sub.add_parser("exceedances", help="screen hourly values against the outlets' limits")
    screen.add_argument("--days", type=int, default=3, help="days back from today (default 3)")
    return parser


def main(
    argv: list[str],
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = _parse(_sources_parser(), argv, err)
    if isinstance(args, int):
        return args
    from envplan.sources import services

    if args.command == "ingest":
        folder = Path(args.landing) if args.landing else None
        if folder is not None and not folder.is_dir():
            print(f"envplan sources ingest: --landing {folder}: no such folder", file=err)
            return 2
        result = services.ingest_landing(folder)
        print(result, file=out)
        if result.variants:
            named = ", ".join(f"{name}: {frames}" for name, frames in sorted(result.variants.items()))
            print(f"frames stored with known deviations (frames per deviation): {named}", file=out)
        for line in result.unusable:
            print(f"unusable: {line}", file=err)
        more = result.unusable_total - len(result.unusable)
        if more:
            print(f"… and {more:,} more unusable frames", file=err)
        for line in result.warnings:
            print(f"warning: {line}", file=err)
        more = result.warnings_total - len(result.warnings)
        if more:
            print(f"… and {more:,} more frames with warnings", file=err)
        return 0
    if args.days < 1:
        print("envplan sources exceedances: --days must be at least 1", file=err)
        return 2
    from envplan.core import clock
    from envplan.sources.jobs import exceedances_window

    start, end = exceedances_window(clock.today(), days=args.days)
    events = services.detect_exceedances(start=start, end=end)
    print(f"{len(events)} exceedance events from {start:%Y-%m-%d} to {end:%Y-%m-%d}", file=out)
    return 0
