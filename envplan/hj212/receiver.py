"""HJ 212 receiver: an asyncio server for thousands of long-lived data-logger connections.

The protocol logic is :class:`ReceiverCore` (a plain object tested with bytes); :class:`Receiver` wires it
to asyncio's Protocol API (no streams, for speed; uvloop is used by the command when installed).

Per frame: frame it (:class:`StreamFramer`, across TCP reads), check length and CRC (a CRC variant only
if the device is configured for it), check MN and PW, append it to the landing log, and queue the reply
(HJ 212-2017 §6.5: 9014 for uploads, 9013 for notifications, 9011 for requests, only when Flag.A=1).
Once per event-loop tick the records landed in that tick are handed, as one batch, to a writer thread
that writes them with one ``write`` and one ``fsync``; only when that has completed are the replies of
that batch written, so a reply is never sent for a frame that could be lost.  While a batch is being
synced the loop keeps reading, and the next batch gathers everything that arrived meanwhile (group
commit: one fsync per batch however many frames it holds); it is handed over as soon as the previous
fsync completes.  Replies of one connection in one batch go out in one ``write``.

Fast path (``fastpath.py``): the common frame -- standard CRC in upper-case hex, byte-counted length,
ASCII ``QN;ST;CN;PW;MN;Flag`` header, no split packet -- is judged from bytes with one CRC and one header
scan; what follows QN (ST, CN, PW, MN, Flag) repeats from frame to frame, so each connection caches, per
distinct header, the device decision, the landing metadata and the reply template (a ``_Route``,
rebuilt when the device cache is refreshed).  No Frame, Header or outcome object is built and CP is not
parsed (the lake ingest decodes CP from the landing log).  Every other frame, and every frame that is
not accepted (unknown device refused, wrong password), takes the full path through
:meth:`ReceiverCore.on_frame`, which judges and counts it exactly as before; the tests check that both
paths land, answer and count the same.

Bad frames (length, CRC, syntax) get no reply ("if the CRC is wrong, execution ends", Table 2) and are
counted per device and reason.  A device that floods (more frames per second than its budget), does not
read its replies (write buffer above a limit), or stays silent past the idle timeout is disconnected
without affecting the others.  Past ``max_connections`` a new connection is closed as soon as it is
accepted (counted, and logged at most once a period), so descriptors remain for the landing log.

A timer asks the landing log whether its file is due for rotation (old enough, see
:meth:`envplan.lake.landing.LandingLog.rotation_due`) and, if so, hands the writer thread a batch even
when it holds no record, so a quiet receiver still closes the file that ingest waits for.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import enum
import logging
import socket
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from envplan.hj212.codes import QnRtn
from envplan.hj212.crc import CrcKind
from envplan.hj212.errors import HJ212Error
from envplan.hj212.fastpath import checked_segment, frame_reply, key_fields, reply_suffix, split_header
from envplan.hj212.frame import DEFAULT_MAX_SEGMENT, split_frame
from envplan.hj212.framer import StreamFramer
from envplan.hj212.replies import reply_for, request_reply
from envplan.hj212.segment import Header, parse_header

logger = logging.getLogger("envplan.hj212.receiver")
MetaValue = str | int | float | bool | None
MAX_COUNTED_DEVICES = 100_000
MAX_ROUTES = 64  # per connection: fast-path decisions cached by header (MN, CN, PW, Flag)


@dataclass(frozen=True, slots=True)
class Device:
    """What the receiver needs to know about a registered data logger."""

    mn: str
    password: str | None = None  # None: any PW accepted
    crc_variants: frozenset[CrcKind] = frozenset()


DeviceLookup = Callable[[str], Device | None]


class UnknownDevicePolicy(enum.Enum):
    # Land the frame marked status=quarantine and answer normally, so the device keeps its data flowing
    # while someone registers it.
    QUARANTINE = "quarantine"
    # Do not land; when a reply was requested answer 9011 QnRtn=4 "MN error" (HJ 212-2017 Table 7), the
    # protocol's refusal code for an unknown MN.
    REFUSE = "refuse"


class Landing(Protocol):
    """The part of :class:`envplan.lake.landing.LandingLog` the receiver needs.

    Optional, used when present: ``record_middle``, ``record_prefix`` and ``append_prefixed`` (the fast
    path; without them every frame takes the full path through ``append``), ``write_batch_and_rotate``
    (used instead of ``write_batch`` on the writer thread) and ``rotation_due`` (asked on a timer: when
    true, a batch is written even with no record, so that a file due by age is closed without waiting
    for the next frame).  ``rotate_if_due`` is called on the loop between batches either way."""

    def append(self, frame: bytes, *, received_ns: int, peer: str, meta: Mapping[str, MetaValue]) -> None: ...

    # The batch type is the landing log's own (envplan.lake.landing.Batch); the receiver only passes it on.
    def take_batch(self) -> Any: ...

    def write_batch(self, batch: Any) -> int: ...

    def rotate_if_due(self) -> object: ...


@dataclass(frozen=True, slots=True)
class ReceiverConfig:
    max_segment: int = DEFAULT_MAX_SEGMENT
    # Loggers send hourly data (2061) at least once an hour (HJ 212-2017 Annex C); allow an hour plus margin.
    idle_timeout: float = 3900.0
    # Flood budget per connection: a token bucket of `burst` frames refilled at `frames_per_second`.
    frames_per_second: float = 200.0
    burst: float = 2000.0
    # A device that does not read its replies is cut off once this much is queued for it.
    write_buffer_limit: int = 256 * 1024
    # Kernel send buffer per connection (SO_SNDBUF); None keeps the kernel's autotuning.  A small value
    # bounds kernel memory with many connections and detects devices that do not read sooner.
    send_buffer: int | None = None
    # How long a connection reuses a device lookup before asking the registry again.
    device_cache_seconds: float = 60.0
    # Consecutive bad frames tolerated on one connection before it is closed.
    max_consecutive_errors: int = 50
    # Connections held at once; past it a new connection is closed as soon as it is accepted, so that the
    # process keeps descriptors for its landing files and database (see limits.py).  None: no limit.
    max_connections: int | None = None
    # At most one log line per this many seconds about refused connections (with the count since the last).
    refusal_log_seconds: float = 60.0
    # How often (seconds of the event loop) the landing log is asked whether its file is due for rotation.
    rotation_check_seconds: float = 1.0


@dataclass
class ReceiverStats:
    """Counters for tests and metrics.

    ``frames_received`` counts complete frames handed to the core; of those, ``frames_landed`` were
    appended to the landing log (``frames_quarantined`` of them from unknown devices, ``frames_with_warnings``
    of them landed with a tolerated deviation noted in their metadata) and the rest are in
    ``rejected`` keyed by (MN or "?", reason: length, crc, header, segment, flag, split, cp, password,
    unknown-device, flood, garbage, trailer, too-long).  ``replies_sent`` went out after their batch was
    fsynced (``fsyncs`` batches); ``replies_dropped`` were not sent because the connection had closed or
    the batch could not be made durable (``landing_errors``).  ``closed`` counts connections cut by the
    receiver per reason: idle, flood, slow-reader, errors, shutdown; ``connections_refused`` were closed on
    arrival because ``max_connections`` were open.
    """

    connections_opened: int = 0
    connections_open: int = 0
    connections_refused: int = 0
    frames_received: int = 0
    frames_landed: int = 0
    frames_quarantined: int = 0
    frames_refused: int = 0
    frames_with_warnings: int = 0
    replies_queued: int = 0
    replies_sent: int = 0
    replies_dropped: int = 0
    fsyncs: int = 0
    landing_errors: int = 0
    closed: Counter[str] = field(default_factory=Counter)  # reason -> connections
    rejected: Counter[tuple[str, str]] = field(default_factory=Counter)  # (MN or "?", reason) -> frames

    def as_dict(self) -> dict[str, object]:
        return {
            "connections_opened": self.connections_opened,
            "connections_open": self.connections_open,
            "connections_refused": self.connections_refused,
            "frames_received": self.frames_received,
            "frames_landed": self.frames_landed,
            "frames_quarantined": self.frames_quarantined,
            "frames_refused": self.frames_refused,
            "frames_with_warnings": self.frames_with_warnings,
            "replies_queued": self.replies_queued,
            "replies_sent": self.replies_sent,
            "replies_dropped": self.replies_dropped,
            "fsyncs": self.fsyncs,
            "landing_errors": self.landing_errors,
            "closed": dict(self.closed),
            "rejected": {f"{mn}|{reason}": n for (mn, reason), n in self.rejected.items()},
        }


@dataclass(frozen=True, slots=True)
class FrameOutcome:
    mn: str | None
    landed: bool
    reply: bytes | None
    error: str | None = None


class ReceiverCore:
    """Judge, land and answer one frame at a time; no sockets, no event loop."""

    def __init__(
        self,
        *,
        lookup: DeviceLookup,
        policy: UnknownDevicePolicy,
        landing: Landing,
        stats: ReceiverStats | None = None,
        max_segment: int = DEFAULT_MAX_SEGMENT,
    ) -> None:
        self.lookup = lookup
        self.policy = policy
        self.landing = landing
        self.stats = stats or ReceiverStats()
        self.max_segment = max_segment

    def count(self, mn: str | None, reason: str) -> None:
        """Count a rejected frame per device and reason (bounded: spoofed MNs cannot grow it forever)."""
        key = (mn or "?", reason)
        if key not in self.stats.rejected and len(self.stats.rejected) >= MAX_COUNTED_DEVICES:
            key = ("?", reason)
        self.stats.rejected[key] += 1

    def reject(self, mn: str | None, reason: str) -> FrameOutcome:
        self.count(mn, reason)
        return FrameOutcome(mn=mn, landed=False, reply=None, error=reason)

    def on_frame(
        self,
        raw: bytes,
        *,
        peer: str,
        received_ns: int,
        devices: dict[str, Device | None],
        known_mn: str | None = None,
    ) -> FrameOutcome:
        """``devices`` is the caller's per-connection cache of lookups."""
        self.stats.frames_received += 1
        try:
            frame = split_frame(raw, max_segment=self.max_segment)
        except HJ212Error as exc:
            return self.reject(known_mn, exc.reason)
        try:
            header, _ = parse_header(frame.segment)
        except HJ212Error as exc:
            if frame.crc is not CrcKind.STANDARD:
                return self.reject(known_mn, "crc")
            return self.reject(known_mn, exc.reason)
        mn = header.mn
        if mn in devices:
            device = devices[mn]
        else:
            device = devices[mn] = self.lookup(mn)
        if frame.crc is not CrcKind.STANDARD and (device is None or frame.crc not in device.crc_variants):
            # the MN of a frame failing its CRC is only trusted when it names a registered device
            return self.reject(mn if device is not None else known_mn, "crc")
        status = "accepted"
        if device is None:
            if self.policy is UnknownDevicePolicy.REFUSE:
                self.stats.frames_refused += 1
                self.count(mn, "unknown-device")
                reply = request_reply(header, QnRtn.MN_ERROR) if header.reply_requested else None
                return FrameOutcome(mn=mn, landed=False, reply=reply, error="unknown-device")
            status = "quarantine"
            self.stats.frames_quarantined += 1
        elif device.password is not None and header.pw != device.password:
            self.count(mn, "password")
            reply = request_reply(header, QnRtn.PW_ERROR) if header.reply_requested else None
            return FrameOutcome(mn=mn, landed=False, reply=reply, error="password")
        meta: dict[str, MetaValue] = {"mn": mn, "cn": header.cn, "crc": frame.crc.value, "status": status}
        if header.warnings:
            # kept with the frame, so that the ingest can say which stored values came with a quirk
            meta["warning"] = "; ".join(header.warnings)
            self.stats.frames_with_warnings += 1
        self.landing.append(raw, received_ns=received_ns, peer=peer, meta=meta)
        self.stats.frames_landed += 1
        return FrameOutcome(mn=mn, landed=True, reply=_reply(header))


def _reply(header: Header) -> bytes | None:
    try:
        return reply_for(header)
    except HJ212Error:  # e.g. an echoed field too long to frame
        return None


class _Route:
    """A connection's cached fast-path decision for one header (all but QN): the frame is landed under
    this MN with this metadata and answered with this reply suffix.  Rebuilt whenever the connection's
    device cache is refreshed, so registry changes apply."""

    __slots__ = ("middle", "mn", "prefix", "prefix_crc", "prefix_ns", "quarantined", "reply_suffix")

    def __init__(self, mn: str, quarantined: bool, middle: bytes, reply_suffix: bytes | None) -> None:
        self.mn = mn
        self.quarantined = quarantined
        self.middle = middle  # the landing record's peer and metadata
        self.reply_suffix = reply_suffix
        # the landing record prefix for the read being processed (receive time + middle) and its CRC-32
        self.prefix_ns = -1
        self.prefix = b""
        self.prefix_crc = 0


class _Connection(asyncio.Protocol):
    __slots__ = (
        "_bucket_at",
        "_devices_at",
        "devices",
        "errors",
        "framer",
        "last_seen",
        "mn",
        "peer",
        "receiver",
        "refused",
        "routes",
        "tokens",
        "transport",
    )

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.framer = StreamFramer(receiver.config.max_segment)
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.mn: str | None = None
        self.devices: dict[str, Device | None] = {}
        self.routes: dict[bytes, _Route | None] = {}
        self.tokens = receiver.config.burst
        self.last_seen = receiver.loop_time()
        self._bucket_at = self.last_seen
        self._devices_at = self.last_seen
        self.errors = 0
        self.refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement the interface without subclassing asyncio.Transport
        self.transport = cast(asyncio.Transport, transport)
        if not self.receiver.admit(self):
            self.refused = True
            transport.close()  # a clean end of stream for the device, which will dial again later
            return
        peername = transport.get_extra_info("peername")
        if isinstance(peername, tuple) and len(peername) >= 2:
            self.peer = f"{peername[0]}:{peername[1]}"
        config = self.receiver.config
        if config.send_buffer is not None:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, config.send_buffer)
        self.transport.set_write_buffer_limits(high=config.write_buffer_limit)
        self.receiver.connection_made(self)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.refused:
            self.receiver.connection_lost(self)

    def pause_writing(self) -> None:
        # The device is not reading its replies: cut it off rather than buffer without bound.
        self.close("slow-reader")

    def close(self, reason: str) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            self.receiver.stats.closed[reason] += 1
            transport.abort()

    def _route(self, key: bytes) -> _Route | None:
        """What to do with frames whose header after QN is ``key`` (see fastpath.split_header); None: take
        the full path (an unusual header, an unknown device refused, a wrong password)."""
        routes = self.routes
        if len(routes) >= MAX_ROUTES:  # a connection sending under many MNs or kinds of frame
            routes.clear()
        route = routes[key] = self._new_route(key)
        return route

    def _new_route(self, key: bytes) -> _Route | None:
        receiver = self.receiver
        fields = key_fields(key)
        if fields is None or receiver.record_middle is None:
            return None
        cn_field, pw_field, mn_field, _flag = fields
        mn = mn_field[3:].decode("ascii")
        devices = self.devices
        if mn in devices:
            device = devices[mn]
        else:
            device = devices[mn] = receiver.core.lookup(mn)
        if device is None:
            if receiver.core.policy is not UnknownDevicePolicy.QUARANTINE:
                return None
        elif device.password is not None and pw_field[3:].decode("ascii") != device.password:
            return None
        meta: dict[str, MetaValue] = {
            "mn": mn,
            "cn": cn_field[3:].decode("ascii"),
            "crc": CrcKind.STANDARD.value,
            "status": "quarantine" if device is None else "accepted",
        }
        return _Route(mn, device is None, receiver.record_middle(self.peer, meta), reply_suffix(fields))

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        receiver = self.receiver
        config = receiver.config
        now = receiver.loop_time()
        self.last_seen = now
        if now - self._devices_at > config.device_cache_seconds:
            self.devices.clear()  # registry changes (a quarantined device registered) reach live connections
            self.routes.clear()
            self._devices_at = now
        self.tokens = min(config.burst, self.tokens + (now - self._bucket_at) * config.frames_per_second)
        self._bucket_at = now
        items = self.framer.feed(data)
        if not items:
            return
        received_ns = receiver.clock()
        core = receiver.core
        record_prefix = receiver.record_prefix
        append_prefixed = receiver.append_prefixed if record_prefix is not None else None
        devices = self.devices
        routes = self.routes
        replies: list[bytes] = []
        fast_landed = fast_quarantined = 0
        try:
            for item in items:
                if item.__class__ is not bytes:
                    core.reject(self.mn, cast(HJ212Error, item).reason)
                    self.errors += 1
                else:
                    frame = item
                    self.tokens -= 1
                    if self.tokens < 0:
                        core.reject(self.mn, "flood")
                        self.close("flood")
                        return
                    # Fast path: the common, well-formed frame of an accepted device (see fastpath.py);
                    # anything else takes the full path below, which judges and counts it.
                    route = None
                    if append_prefixed is not None:
                        segment = checked_segment(frame)
                        if segment is not None:
                            split = split_header(segment)
                            if split is not None:
                                qn, key = split
                                route = routes.get(key)
                                if route is None and key not in routes:
                                    route = self._route(key)
                    if route is not None:
                        assert record_prefix is not None and append_prefixed is not None
                        if route.prefix_ns != received_ns:
                            route.prefix, route.prefix_crc = record_prefix(received_ns, route.middle)
                            route.prefix_ns = received_ns
                        append_prefixed(frame, route.prefix, route.prefix_crc)
                        fast_landed += 1
                        if route.quarantined:
                            fast_quarantined += 1
                        self.errors = 0
                        self.mn = route.mn
                        if route.reply_suffix is not None:
                            reply = frame_reply(qn, route.reply_suffix)
                            if reply is not None:
                                replies.append(reply)
                        continue
                    outcome = core.on_frame(
                        frame, peer=self.peer, received_ns=received_ns, devices=devices, known_mn=self.mn
                    )
                    if outcome.error is None:
                        self.errors = 0
                        self.mn = outcome.mn
                    else:
                        self.errors += 1
                    if outcome.landed:
                        receiver.schedule_flush()
                    if outcome.reply is not None:
                        replies.append(outcome.reply)
                if self.errors > config.max_consecutive_errors:
                    self.close("errors")
                    return
        finally:
            if fast_landed:
                stats = receiver.stats
                stats.frames_received += fast_landed
                stats.frames_landed += fast_landed
                stats.frames_quarantined += fast_quarantined
                receiver.schedule_flush()
            if replies:
                receiver.queue_replies(self, replies)


class Receiver:
    """The asyncio server.  ``await start(host, port)``, later ``await stop()``."""

    def __init__(
        self,
        *,
        lookup: DeviceLookup,
        policy: UnknownDevicePolicy,
        landing: Landing,
        config: ReceiverConfig | None = None,
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        self.config = config or ReceiverConfig()
        self.stats = ReceiverStats()
        self.landing = landing
        self.core = ReceiverCore(
            lookup=lookup,
            policy=policy,
            landing=landing,
            stats=self.stats,
            max_segment=self.config.max_segment,
        )
        self.clock = clock
        # The fast path appends records with a prefix shared by the frames of one read (LandingLog has
        # these methods; a landing without them gets every frame through the full path).
        self.record_middle: Callable[[str, Mapping[str, MetaValue]], bytes] | None = None
        self.record_prefix: Callable[[int, bytes], tuple[bytes, int]] | None = None
        self.append_prefixed: Callable[[bytes, bytes, int], None] | None = None
        methods = [
            getattr(landing, name, None) for name in ("record_middle", "record_prefix", "append_prefixed")
        ]
        if all(method is not None for method in methods):
            self.record_middle, self.record_prefix, self.append_prefixed = methods
        # LandingLog rotates full files on the writer thread, right after a batch's fsync; other landings
        # rotate on the loop thread between batches.
        rotating = getattr(landing, "write_batch_and_rotate", None)
        self._write_batch: Callable[[Any], int] = rotating if rotating is not None else landing.write_batch
        self.connections: set[_Connection] = set()
        self._replies: dict[_Connection, list[bytes]] = {}
        self._flush_scheduled = False
        self._flushing = False
        self._stopped = False
        self._dirty = False
        self._writer = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="landing")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._rotation_timer: asyncio.Task[None] | None = None
        # asked on a timer whether the landing file is due for rotation (LandingLog has it)
        self._rotation_due: Callable[[], bool] | None = getattr(landing, "rotation_due", None)
        self._rotation_wanted = False
        self._refused_unlogged = 0
        self._refusal_logged_at = float("-inf")

    def loop_time(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    async def start(self, host: str, port: int, *, backlog: int = 4096) -> tuple[str, int]:
        self._loop = asyncio.get_running_loop()
        self._server = await self._loop.create_server(
            lambda: _Connection(self), host, port, backlog=backlog, reuse_address=True
        )
        self._sweeper = self._loop.create_task(self._sweep_idle())
        if self._rotation_due is not None:
            self._rotation_timer = self._loop.create_task(self._rotate_on_time(self._rotation_due))
        sockname = self._server.sockets[0].getsockname()
        return str(sockname[0]), int(sockname[1])

    async def stop(self) -> None:
        """Stop listening, close every connection, and make every landed frame durable."""
        for task in (self._sweeper, self._rotation_timer):
            if task is not None:
                task.cancel()
        if self._server is not None:
            self._server.close()
        for connection in list(self.connections):
            connection.close("shutdown")
        while self._flushing:
            await asyncio.sleep(0.005)
        self._stopped = True  # from here on the writer thread takes no batch: the last one is written here
        try:
            self.landing.write_batch(self.landing.take_batch())
        except OSError:
            self.stats.landing_errors += 1
        self.stats.replies_dropped += sum(len(r) for r in self._replies.values())
        self._replies.clear()
        if self._refused_unlogged:
            self._log_refusals()
        self._writer.shutdown(wait=True)
        if self._server is not None:
            await self._server.wait_closed()

    def admit(self, connection: _Connection) -> bool:
        """Whether a new connection may stay (then it calls :meth:`connection_made`); when ``max_connections``
        are open it is refused: counted, and logged at most once per ``refusal_log_seconds``."""
        limit = self.config.max_connections
        if limit is None or len(self.connections) < limit:
            return True
        self.stats.connections_refused += 1
        self._refused_unlogged += 1
        now = self.loop_time()
        if now - self._refusal_logged_at >= self.config.refusal_log_seconds:
            self._log_refusals()
            self._refusal_logged_at = now
        return False

    def _log_refusals(self) -> None:
        logger.warning(
            "connection limit of %d reached: %d new connections refused since the last message",
            self.config.max_connections,
            self._refused_unlogged,
        )
        self._refused_unlogged = 0

    def connection_made(self, connection: _Connection) -> None:
        self.connections.add(connection)
        self.stats.connections_opened += 1
        self.stats.connections_open = len(self.connections)

    def connection_lost(self, connection: _Connection) -> None:
        self.connections.discard(connection)
        self.stats.connections_open = len(self.connections)

    def queue_reply(self, connection: _Connection, reply: bytes) -> None:
        self.stats.replies_queued += 1
        queued = self._replies.get(connection)
        if queued is None:
            self._replies[connection] = [reply]
        else:
            queued.append(reply)
        self.schedule_flush()

    def queue_replies(self, connection: _Connection, replies: list[bytes]) -> None:
        """Queue the replies of one read (the list is taken over, not copied)."""
        self.stats.replies_queued += len(replies)
        queued = self._replies.get(connection)
        if queued is None:
            self._replies[connection] = replies
        else:
            queued.extend(replies)
        self.schedule_flush()

    def schedule_flush(self) -> None:
        self._dirty = True
        if not self._flush_scheduled and not self._flushing and self._loop is not None:
            self._flush_scheduled = True
            # call_soon runs after every callback of the current loop iteration: one batch per tick.
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        """Hand this tick's records to the writer thread; their replies go out once they are fsynced.

        One batch is written at a time, in order; frames arriving meanwhile form the next batch, so the
        loop keeps reading while the disk syncs (group commit).  The next batch starts as soon as the
        previous one is durable (no timer): the writer thread's completion wakes the loop directly."""
        self._flush_scheduled = False
        loop = self._loop
        if self._flushing or self._stopped or loop is None:
            return
        self._dirty = False
        batch = self.landing.take_batch()
        replies, self._replies = self._replies, {}
        rotation, self._rotation_wanted = self._rotation_wanted, False
        if batch.records == 0 and not replies and not rotation:
            return
        self._flushing = True
        future = self._writer.submit(self._write_batch, batch)

        def done(completed: concurrent.futures.Future[int]) -> None:  # on the writer thread
            with contextlib.suppress(RuntimeError):  # the loop is closed: nothing can be sent any more
                loop.call_soon_threadsafe(self._flushed, completed, replies)

        future.add_done_callback(done)

    def _flushed(self, done: concurrent.futures.Future[int], replies: dict[_Connection, list[bytes]]) -> None:
        self._flushing = False
        if done.cancelled() or done.exception() is not None:
            # Not durable: send nothing; the devices resend unanswered frames.
            self.stats.landing_errors += 1
            self.stats.replies_dropped += sum(len(r) for r in replies.values())
        else:
            if done.result():
                self.stats.fsyncs += 1
            self._send(replies)
            # between batches, the moment a rotation on the loop thread is safe (a no-op for a LandingLog
            # whose due file was rotated on the writer thread already)
            self.landing.rotate_if_due()
        if self._dirty:
            self._flush()  # what arrived during the fsync: start its batch now

    def _send(self, replies: dict[_Connection, list[bytes]]) -> None:
        for connection, queued in replies.items():
            transport = connection.transport
            if transport is None or transport.is_closing():
                self.stats.replies_dropped += len(queued)
                continue
            transport.write(queued[0] if len(queued) == 1 else b"".join(queued))
            self.stats.replies_sent += len(queued)

    async def _rotate_on_time(self, due: Callable[[], bool]) -> None:
        """Close a landing file that is due by age even when no frame arrives to trigger a batch: ingest
        reads closed files only, and an answered frame must reach it within the rotation period."""
        while True:
            await asyncio.sleep(self.config.rotation_check_seconds)
            if due():
                self._rotation_wanted = True
                self.schedule_flush()

    async def _sweep_idle(self) -> None:
        interval = max(0.05, min(self.config.idle_timeout / 4, 30.0))
        while True:
            await asyncio.sleep(interval)
            now = self.loop_time()
            for connection in list(self.connections):
                if now - connection.last_seen > self.config.idle_timeout:
                    connection.close("idle")
