"""`envplan hj212`: frames judged, a load generator and a stand-alone receiver (pure); the receiver on the
device registry and the refused frames (Django)."""

from __future__ import annotations

import argparse

from envplan.commandline import Group, json_option

NAME = "hj212"
HELP = "HJ 212 data transmission: check frames, simulate loggers, the receiver, refused frames"

# Written out so that building the command line imports no protocol code (tests/commands pins them to
# envplan.hj212.frame.DEFAULT_MAX_SEGMENT and envplan.hj212.limits.RESERVE).
DEFAULT_MAX_SEGMENT = 4096
RESERVE = 100
# Landing files are closed at least this often (seconds after their first frame) for ingest to read them.
DEFAULT_ROTATE_SECONDS = 60.0


def add_commands(group: Group) -> None:
    check = group.command(
        "check",
        "envplan.hj212.cli:check",
        help="check frames, one per line, print one JSON object per frame",
        description="Judge HJ 212 frames, one per line (blank lines and # comments skipped), and print one "
        "JSON object per frame: ok with the list of the known deviations it was accepted with (variants), "
        "or the error that refuses it, as the receiver judges them. Exit status: 0 every frame is ok, 1 at "
        "least one frame failed, 2 the file cannot be read (missing, a folder, not text) or the arguments "
        "are wrong.",
    )
    check.add_argument("file")
    check.add_argument("--accept-crc-variants", action="store_true", help="accept MODBUS/ARC CRC variants")
    check.add_argument(
        "--strict", action="store_true", help="refuse frames with known deviations, as for a strict device"
    )

    sim = group.command(
        "simulate",
        "envplan.hj212.cli:simulate",
        help="load generator: many data loggers against a receiver; exit 1 when a reply is missing or wrong",
    )
    sim.add_argument("--devices", type=int, default=100)
    sim.add_argument("--rate", type=float, default=1000.0, help="frames per second, all devices together")
    sim.add_argument("--duration", type=float, default=10.0, help="seconds of sending")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, required=True)
    sim.add_argument("--grace", type=float, default=10.0, help="seconds to wait for the last replies")
    json_option(sim, "figures")

    standalone = group.command(
        "serve-standalone",
        "envplan.hj212.cli:serve_standalone",
        help="run the receiver with a JSON-file device registry (no database)",
    )
    standalone.add_argument("--host", default="127.0.0.1")
    standalone.add_argument("--port", type=int, required=True)
    standalone.add_argument("--landing", required=True, help="landing log directory")
    standalone.add_argument(
        "--accept-unknown-devices", action="store_true", help="quarantine-accept unknown MNs"
    )
    standalone.add_argument(
        "--devices-json",
        help='registry: {"<MN>": {"password": "...", "crc_variants": ["modbus-swapped"], "strict": false}}',
    )
    standalone.add_argument("--idle-timeout", type=float, default=3900.0)
    serve_options(standalone)
    standalone.add_argument(
        "--frames-per-second", type=float, default=200.0, help="flood budget per connection"
    )
    standalone.add_argument(
        "--max-segment", type=int, default=DEFAULT_MAX_SEGMENT, help="largest data segment accepted (bytes)"
    )
    standalone.add_argument("--stats-json", help="write the counters here on exit")

    serve = group.command(
        "serve",
        "envplan.sources.command:serve",
        django=True,
        help="receive HJ 212 data from the registered devices",
    )
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
    serve_options(serve)

    rejected = group.command(
        "rejected",
        "envplan.sources.command:rejected",
        django=True,
        help="the frames receivers refused, per MN and reason, with samples",
        description="The frames the receivers refused (bad CRC or length, wrong password, unknown MN, a "
        "deviation refused by the strict setting, ...) and the frames the ingest could not read, per MN "
        "('?' when none could be read) and reason, counted by the hour, with the first frames of each as "
        "they came. Exit status: 0 nothing was refused, 1 some frames were, 2 bad arguments.",
    )
    rejected.add_argument("--since", help="from this date or date-time (China Standard Time unless given)")
    output = rejected.add_mutually_exclusive_group()
    output.add_argument("--format", default="text", choices=["text", "json"])
    output.add_argument(
        "--json", dest="format", action="store_const", const="json", help="the same as --format json"
    )


def serve_options(serve: argparse.ArgumentParser) -> None:
    """Options shared by `hj212 serve` and `hj212 serve-standalone`."""
    serve.add_argument(
        "--metrics-port",
        type=int,
        help="serve the receiver's Prometheus metrics (frames, connections, fsync latency, ingest backlog) "
        "on this port, at /metrics (0: any free port; default: none)",
    )
    serve.add_argument(
        "--metrics-host",
        default="127.0.0.1",
        help="address of the metrics port (default %(default)s: only this machine may scrape it)",
    )
    serve.add_argument(
        "--rotate-seconds",
        "--rotate",
        dest="rotate_seconds",
        type=float,
        default=DEFAULT_ROTATE_SECONDS,
        help="close the landing file this many seconds after its first frame, even if no other frame "
        "arrives, so that ingest sees every answered frame within this period (default %(default)s; "
        "files are also closed at 64 MiB)",
    )
    serve.add_argument(
        "--strict",
        action="store_true",
        help="refuse frames with known deviations from every device (a length field counting the header, a "
        "lower-case CRC, no QN, ...); by default they are stored and marked with the deviation's name",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        help="connections held at once; past it new connections are closed on arrival and a line is "
        f"logged (default: the open-file limit, raised to the hard limit at start, minus {RESERVE})",
    )
