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
commit: one fsync per batch however many frames it holds).

Bad frames (length, CRC, syntax) get no reply ("if the CRC is wrong, execution ends", Table 2) and are
counted per device and reason.  A device that floods (more frames per second than its budget), does not
read its replies (write buffer above a limit), or stays silent past the idle timeout is disconnected
without affecting the others.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import enum
import socket
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from envplan.hj212.codes import QnRtn
from envplan.hj212.crc import CrcKind
from envplan.hj212.errors import HJ212Error
from envplan.hj212.frame import DEFAULT_MAX_SEGMENT, split_frame
from envplan.hj212.framer import StreamFramer
from envplan.hj212.replies import reply_for, request_reply
from envplan.hj212.segment import Header, parse_header

MetaValue = str | int | float | bool | None
MAX_COUNTED_DEVICES = 100_000


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
    """The part of :class:`envplan.lake.landing.LandingLog` the receiver uses."""

    def append(self, frame: bytes, *, received_ns: int, peer: str, meta: Mapping[str, MetaValue]) -> None: ...

    # The batch type is the landing log's own (envplan.lake.landing.Batch); the receiver only passes it on.
    def take_batch(self) -> Any: ...

    def write_batch(self, batch: Any) -> int: ...

    def rotate_if_full(self) -> object: ...


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


@dataclass
class ReceiverStats:
    """Counters for tests and metrics.

    ``frames_received`` counts complete frames handed to the core; of those, ``frames_landed`` were
    appended to the landing log (``frames_quarantined`` of them from unknown devices) and the rest are in
    ``rejected`` keyed by (MN or "?", reason: length, crc, header, segment, flag, split, cp, password,
    unknown-device, flood, garbage, trailer, too-long).  ``replies_sent`` went out after their batch was
    fsynced (``fsyncs`` batches); ``replies_dropped`` were not sent because the connection had closed or
    the batch could not be made durable (``landing_errors``).  ``closed`` counts connections cut by the
    receiver per reason: idle, flood, slow-reader, errors, shutdown.
    """

    connections_opened: int = 0
    connections_open: int = 0
    frames_received: int = 0
    frames_landed: int = 0
    frames_quarantined: int = 0
    frames_refused: int = 0
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
            "frames_received": self.frames_received,
            "frames_landed": self.frames_landed,
            "frames_quarantined": self.frames_quarantined,
            "frames_refused": self.frames_refused,
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
        self.landing.append(
            raw,
            received_ns=received_ns,
            peer=peer,
            meta={"mn": mn, "cn": header.cn, "crc": frame.crc.value, "status": status},
        )
        self.stats.frames_landed += 1
        return FrameOutcome(mn=mn, landed=True, reply=_reply(header))


def _reply(header: Header) -> bytes | None:
    try:
        return reply_for(header)
    except HJ212Error:  # e.g. an echoed field too long to frame
        return None


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
        self.tokens = receiver.config.burst
        self.last_seen = receiver.loop_time()
        self._bucket_at = self.last_seen
        self._devices_at = self.last_seen
        self.errors = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement the interface without subclassing asyncio.Transport
        self.transport = cast(asyncio.Transport, transport)
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
        self.receiver.connection_lost(self)

    def pause_writing(self) -> None:
        # The device is not reading its replies: cut it off rather than buffer without bound.
        self.close("slow-reader")

    def close(self, reason: str) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            self.receiver.stats.closed[reason] += 1
            transport.abort()

    def data_received(self, data: bytes) -> None:
        receiver = self.receiver
        config = receiver.config
        now = receiver.loop_time()
        self.last_seen = now
        if now - self._devices_at > config.device_cache_seconds:
            self.devices.clear()  # registry changes (a quarantined device registered) reach live connections
            self._devices_at = now
        self.tokens = min(config.burst, self.tokens + (now - self._bucket_at) * config.frames_per_second)
        self._bucket_at = now
        received_ns = receiver.clock()
        core = receiver.core
        for item in self.framer.feed(data):
            if isinstance(item, HJ212Error):
                core.reject(self.mn, item.reason)
                self.errors += 1
            else:
                self.tokens -= 1
                if self.tokens < 0:
                    core.reject(self.mn, "flood")
                    self.close("flood")
                    return
                outcome = core.on_frame(
                    item, peer=self.peer, received_ns=received_ns, devices=self.devices, known_mn=self.mn
                )
                if outcome.error is None:
                    self.errors = 0
                    self.mn = outcome.mn
                else:
                    self.errors += 1
                if outcome.landed:
                    receiver.schedule_flush()
                if outcome.reply is not None:
                    receiver.queue_reply(self, outcome.reply)
            if self.errors > config.max_consecutive_errors:
                self.close("errors")
                return


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
        self.connections: set[_Connection] = set()
        self._replies: dict[_Connection, list[bytes]] = {}
        self._flush_scheduled = False
        self._flushing = False
        self._dirty = False
        self._writer = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="landing")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._sweeper: asyncio.Task[None] | None = None

    def loop_time(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    async def start(self, host: str, port: int, *, backlog: int = 4096) -> tuple[str, int]:
        self._loop = asyncio.get_running_loop()
        self._server = await self._loop.create_server(
            lambda: _Connection(self), host, port, backlog=backlog, reuse_address=True
        )
        self._sweeper = self._loop.create_task(self._sweep_idle())
        sockname = self._server.sockets[0].getsockname()
        return str(sockname[0]), int(sockname[1])

    async def stop(self) -> None:
        """Stop listening, close every connection, and make every landed frame durable."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self._server is not None:
            self._server.close()
        for connection in list(self.connections):
            connection.close("shutdown")
        while self._flushing:
            await asyncio.sleep(0.005)
        try:
            self.landing.write_batch(self.landing.take_batch())
        except OSError:
            self.stats.landing_errors += 1
        self.stats.replies_dropped += sum(len(r) for r in self._replies.values())
        self._replies.clear()
        self._writer.shutdown(wait=True)
        if self._server is not None:
            await self._server.wait_closed()

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

    def schedule_flush(self) -> None:
        self._dirty = True
        if not self._flush_scheduled and not self._flushing and self._loop is not None:
            self._flush_scheduled = True
            # call_soon runs after every callback of the current loop iteration: one batch per tick.
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        """Hand this tick's records to the writer thread; their replies go out once they are fsynced.

        One batch is written at a time, in order; frames arriving meanwhile form the next batch, so the
        loop keeps reading while the disk syncs (group commit)."""
        self._flush_scheduled = False
        if self._flushing or self._loop is None:
            return
        self._dirty = False
        batch = self.landing.take_batch()
        replies, self._replies = self._replies, {}
        if batch.records == 0 and not replies:
            return
        self._flushing = True
        future = self._loop.run_in_executor(self._writer, self.landing.write_batch, batch)
        future.add_done_callback(lambda done: self._flushed(done, replies))

    def _flushed(self, done: asyncio.Future[int], replies: dict[_Connection, list[bytes]]) -> None:
        self._flushing = False
        if done.cancelled() or done.exception() is not None:
            # Not durable: send nothing; the devices resend unanswered frames.
            self.stats.landing_errors += 1
            self.stats.replies_dropped += sum(len(r) for r in replies.values())
        else:
            self.stats.fsyncs += 1
            self._send(replies)
            self.landing.rotate_if_full()
        if self._dirty:
            self.schedule_flush()

    def _send(self, replies: dict[_Connection, list[bytes]]) -> None:
        for connection, queued in replies.items():
            transport = connection.transport
            if transport is None or transport.is_closing():
                self.stats.replies_dropped += len(queued)
                continue
            transport.write(queued[0] if len(queued) == 1 else b"".join(queued))
            self.stats.replies_sent += len(queued)

    async def _sweep_idle(self) -> None:
        interval = max(0.05, min(self.config.idle_timeout / 4, 30.0))
        while True:
            await asyncio.sleep(interval)
            now = self.loop_time()
            for connection in list(self.connections):
                if now - connection.last_seen > self.config.idle_timeout:
                    connection.close("idle")
