"""`envplan hj212 serve | rejected`, `envplan readings export`, `envplan sources ingest | exceedances`: the
handlers that need Django (arguments in `envplan/commands/hj212.py`, `readings.py` and `sources.py`;
`hj212 check`, `simulate` and `serve-standalone` are the pure `envplan.hj212.cli`).

* `hj212 rejected`: the frames receivers refused, per MN and reason, with the first frames of each as they
  came; exit 1 when some were;
* `readings export`: values as rows `mn, kind, time, factor, field, value, flag, variants`, each value
  once, including by default the answered frames still in the landing folder;
* `sources ingest`: move closed landing files into the lake once (exit 1 when some frames were unusable);
  `sources exceedances`: screen the last N days of hourly values (exit 1 when it found exceedances).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TextIO

from envplan.commandline import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    Streams,
    UsageError,
    json_line,
    progress_bar,
)
from envplan.hj212.cli import serve_option_error

# --- hj212 ---------------------------------------------------------------------------------------------


def serve(args: argparse.Namespace, streams: Streams) -> int:
    err = streams.stderr
    if not 0 <= args.port <= 65535:
        print(f"envplan hj212 serve: --port {args.port} is not a TCP port", file=err)
        return EXIT_USAGE
    problem = serve_option_error(args)
    if problem is not None:
        print(f"envplan hj212 serve: {problem}", file=err)
        return EXIT_USAGE
    return _serve(args, out=streams.stdout, err=err)


def rejected(args: argparse.Namespace, streams: Streams) -> int:
    return _rejected(args, out=streams.stdout, err=streams.stderr)


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
        metrics_port=args.metrics_port,
        metrics_host=args.metrics_host,
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
    except UsageError as error:
        print(error, file=err)
        return EXIT_USAGE
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
    return EXIT_FINDINGS if found else EXIT_OK


# --- readings ------------------------------------------------------------------------------------------


def _zone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def _moment(text: str | None, option: str, *, command: str = "envplan readings export") -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{command}: {option}: not a date or date-time: '{text}'") from None
    return value if value.tzinfo else value.replace(tzinfo=_zone())


def export(args: argparse.Namespace, streams: Streams) -> int:
    out, err = streams.stdout, streams.stderr
    try:
        start, end = _moment(args.start, "--start"), _moment(args.end, "--end")
    except UsageError as error:
        print(error, file=err)
        return EXIT_USAGE
    landing: Path | None = None
    if args.landing:
        landing = Path(args.landing)
        if args.lake_only:
            print("envplan readings export: --landing and --lake-only exclude each other", file=err)
            return EXIT_USAGE
        if not landing.is_dir():
            print(f"envplan readings export: --landing {landing}: no such folder", file=err)
            return EXIT_USAGE
    elif not args.lake_only:
        from envplan.sources.services import landing_dir

        landing = landing_dir()
    export_csv(mn=args.mn, kind=args.kind, out=out, start=start, end=end, landing=landing)
    return EXIT_OK


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

    values = (
        sources_lake.scan(kind, mns=[mn], start=start, end=end)
        if landing is None
        else sources_lake.scan_with_landed(kind, landing=landing, mns=[mn], start=start, end=end)
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


def ingest(args: argparse.Namespace, streams: Streams) -> int:
    """Exit 1 when some frames could not be read (each is listed, the first 1,000 of them)."""
    import dataclasses

    from envplan.sources import services

    out, err = streams.stdout, streams.stderr
    folder = Path(args.landing) if args.landing else None
    if folder is not None and not folder.is_dir():
        print(f"envplan sources ingest: --landing {folder}: no such folder", file=err)
        return EXIT_USAGE
    with progress_bar(streams, "sources ingest", unit="file") as progress:
        result = services.ingest_landing(folder, progress=progress)
    code = EXIT_FINDINGS if result.unusable_total else EXIT_OK
    if args.json:
        out.write(json_line(dataclasses.asdict(result)))
        return code
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
    return code


def exceedances(args: argparse.Namespace, streams: Streams) -> int:
    """Exit 1 when exceedance events were found (and stored)."""
    if args.days < 1:
        print("envplan sources exceedances: --days must be at least 1", file=streams.stderr)
        return EXIT_USAGE
    from envplan.core import clock
    from envplan.sources import services
    from envplan.sources.jobs import exceedances_window

    start, end = exceedances_window(clock.today(), days=args.days)
    events = services.detect_exceedances(start=start, end=end)
    code = EXIT_FINDINGS if events else EXIT_OK
    if args.json:
        document = {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "events": [
                {
                    "outlet": event.outlet_id,
                    "factor": event.factor,
                    "field": event.field,
                    "start": event.start.isoformat(),
                    "end": event.end.isoformat(),
                    "hours": event.hours,
                    "max_value": event.max_value,
                    "limit": float(event.limit),
                }
                for event in events
            ],
        }
        streams.stdout.write(json_line(document))
        return code
    print(f"{len(events)} exceedance events from {start:%Y-%m-%d} to {end:%Y-%m-%d}", file=streams.stdout)
    return code
