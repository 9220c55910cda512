"""The receiver's protocol logic, sans-I/O: bytes in; replies, landing records and counters out.

:class:`ReceiverCore` holds what every connection shares: the device lookup, the unknown-device policy,
the counters and the :class:`~envplan.lake.landing.RecordBuffer` that landed frames are encoded into.
:meth:`ReceiverCore.open` admits a connection and gives its :class:`Session`; :meth:`Session.feed` takes
the bytes of each read and returns what to send back and whether to close (:class:`Fed`).  Nothing here
opens a socket, starts a thread, reads a clock or needs an event loop: the caller passes ``now`` (seconds
of any monotonic clock, for budgets and timeouts) and ``received_ns`` (the receive time written with the
frames), so the whole protocol is tested by feeding bytes.  The asyncio adapter (``server.py``) only moves
bytes and timers, and sends the replies of a batch once its records are durable.

Per frame: frame it (:class:`~envplan.hj212.framer.StreamFramer`, across reads), check length and CRC (a
CRC variant only if the device is configured for it), check MN and PW, append it to the record buffer,
and give the reply (HJ 212-2017 §6.5: 9014 for uploads, 9013 for notifications, 9011 for requests, only
when Flag.A=1).  Bad frames (length, CRC, syntax) get no reply ("if the CRC is wrong, execution ends",
Table 2) and are counted per device and reason.  A connection that floods (more frames per second than
its budget) or sends too many bad frames in a row is told to close.

Fast path (``fastpath.py``): the common frame -- standard CRC in upper-case hex, byte-counted length,
ASCII ``QN;ST;CN;PW;MN;Flag`` header, no split packet -- is judged from bytes with one CRC and one header
scan; what follows QN (ST, CN, PW, MN, Flag) repeats from frame to frame, so each session caches, per
distinct header, the device decision, the landing metadata and the reply template (a ``_Route``, rebuilt
when the device cache is refreshed).  No Frame, Header or outcome object is built and CP is not parsed
(the lake ingest decodes CP from the landing log).  Every other frame, and every frame that is not
accepted (unknown device refused, wrong password), takes the full path through
:meth:`ReceiverCore.on_frame`, which judges and counts it; the tests check that both paths land, answer
and count the same.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from envplan.hj212.codes import QnRtn
from envplan.hj212.crc import CrcKind
from envplan.hj212.errors import HJ212Error
from envplan.hj212.fastpath import checked_segment, frame_reply, key_fields, reply_suffix, split_header
from envplan.hj212.frame import DEFAULT_MAX_SEGMENT, split_frame
from envplan.hj212.framer import StreamFramer
from envplan.hj212.replies import reply_for, request_reply
from envplan.hj212.segment import Header, parse_header
from envplan.lake.landing import MetaValue, RecordBuffer, encode_middle

MAX_COUNTED_DEVICES = 100_000
MAX_ROUTES = 64  # per session: fast-path decisions cached by header (MN, CN, PW, Flag)


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
    # False: every frame takes the full path (the tests compare both paths).
    fast_path: bool = True


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


@dataclass(slots=True)
class Fed:
    """What one read of a connection gave: replies to send once the landed records are durable (in order),
    how many frames were landed, and a reason to close the connection (flood, errors) or None."""

    replies: list[bytes]
    landed: int = 0
    close: str | None = None


class ReceiverCore:
    """Judge, land and answer frames; count what is refused.  No sockets, no clock, no event loop."""

    def __init__(
        self,
        *,
        lookup: DeviceLookup,
        policy: UnknownDevicePolicy,
        buffer: RecordBuffer,
        stats: ReceiverStats | None = None,
        config: ReceiverConfig | None = None,
    ) -> None:
        self.lookup = lookup
        self.policy = policy
        self.buffer = buffer
        self.stats = stats or ReceiverStats()
        self.config = config or ReceiverConfig()
        self.sessions = 0
        self._refused_unlogged = 0
        self._refusal_logged_at = float("-inf")
        self._notices: list[str] = []

    # -- connections ------------------------------------------------------------------------------------

    def open(self, peer: str, *, now: float) -> Session | None:
        """The session of a new connection, or None when ``max_connections`` are open: then the connection
        is to be closed at once; it is counted, and a notice says so at most once per
        ``refusal_log_seconds`` (with the count since the last)."""
        limit = self.config.max_connections
        if limit is not None and self.sessions >= limit:
            self.stats.connections_refused += 1
            self._refused_unlogged += 1
            if now - self._refusal_logged_at >= self.config.refusal_log_seconds:
                self._notice_refusals()
                self._refusal_logged_at = now
            return None
        self.sessions += 1
        self.stats.connections_opened += 1
        self.stats.connections_open = self.sessions
        return Session(self, peer, now)

    def _notice_refusals(self) -> None:
        self._notices.append(
            f"connection limit of {self.config.max_connections} reached: {self._refused_unlogged} new "
            "connections refused since the last message"
        )
        self._refused_unlogged = 0

    def take_notices(self, *, final: bool = False) -> list[str]:
        """Log lines due since the last call (``final``: also the refusals not yet reported)."""
        if final and self._refused_unlogged:
            self._notice_refusals()
        notices, self._notices = self._notices, []
        return notices

    # -- frames -----------------------------------------------------------------------------------------

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
        """The full path for one whole frame.  ``devices`` is the caller's per-connection cache of lookups;
        ``known_mn`` the MN of the connection's last accepted frame (whom a bad frame is counted against)."""
        self.stats.frames_received += 1
        try:
            frame = split_frame(raw, max_segment=self.config.max_segment)
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
        self.buffer.append(raw, received_ns=received_ns, peer=peer, meta=meta)
        self.stats.frames_landed += 1
        return FrameOutcome(mn=mn, landed=True, reply=_reply(header))


def _reply(header: Header) -> bytes | None:
    try:
        return reply_for(header)
    except HJ212Error:  # e.g. an echoed field too long to frame
        return None


class _Route:
    """A session's cached fast-path decision for one header (all but QN): the frame is landed under this
    MN with this metadata and answered with this reply suffix.  Rebuilt whenever the session's device
    cache is refreshed, so registry changes apply."""

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


class Session:
    """One connection's state: its framer, flood budget, device cache and fast-path routes."""

    __slots__ = (
        "_bucket_at",
        "_devices_at",
        "active",
        "core",
        "devices",
        "errors",
        "framer",
        "last_seen",
        "mn",
        "peer",
        "routes",
        "tokens",
    )

    def __init__(self, core: ReceiverCore, peer: str, now: float) -> None:
        self.core = core
        self.peer = peer
        self.framer = StreamFramer(core.config.max_segment)
        self.mn: str | None = None  # the MN of the last accepted frame
        self.devices: dict[str, Device | None] = {}
        self.routes: dict[bytes, _Route | None] = {}
        self.tokens = core.config.burst
        self.last_seen = now
        self._bucket_at = now
        self._devices_at = now
        self.errors = 0  # consecutive bad frames
        self.active = True

    def idle(self, now: float) -> bool:
        return now - self.last_seen > self.core.config.idle_timeout

    def close(self) -> None:
        """The connection ended (either side); call once."""
        if self.active:
            self.active = False
            self.core.sessions -= 1
            self.core.stats.connections_open = self.core.sessions

    def _route(self, key: bytes) -> _Route | None:
        """What to do with frames whose header after QN is ``key`` (see fastpath.split_header); None: take
        the full path (an unusual header, an unknown device refused, a wrong password)."""
        routes = self.routes
        if len(routes) >= MAX_ROUTES:  # a connection sending under many MNs or kinds of frame
            routes.clear()
        route = routes[key] = self._new_route(key)
        return route

    def _new_route(self, key: bytes) -> _Route | None:
        core = self.core
        fields = key_fields(key)
        if fields is None:
            return None
        cn_field, pw_field, mn_field, _flag = fields
        mn = mn_field[3:].decode("ascii")
        devices = self.devices
        if mn in devices:
            device = devices[mn]
        else:
            device = devices[mn] = core.lookup(mn)
        if device is None:
            if core.policy is not UnknownDevicePolicy.QUARANTINE:
                return None
        elif device.password is not None and pw_field[3:].decode("ascii") != device.password:
            return None
        meta: dict[str, MetaValue] = {
            "mn": mn,
            "cn": cn_field[3:].decode("ascii"),
            "crc": CrcKind.STANDARD.value,
            "status": "quarantine" if device is None else "accepted",
        }
        return _Route(mn, device is None, encode_middle(self.peer, meta), reply_suffix(fields))

    def feed(self, data: bytes, *, now: float, received_ns: int) -> Fed:
        """Take the bytes of one read; ``now`` (monotonic seconds) drives the flood budget and the device
        cache, ``received_ns`` is written with every frame landed from this read."""
        core = self.core
        config = core.config
        self.last_seen = now
        if now - self._devices_at > config.device_cache_seconds:
            self.devices.clear()  # registry changes (a quarantined device registered) reach live connections
            self.routes.clear()
            self._devices_at = now
        self.tokens = min(config.burst, self.tokens + (now - self._bucket_at) * config.frames_per_second)
        self._bucket_at = now
        replies: list[bytes] = []
        fed = Fed(replies)
        items = self.framer.feed(data)
        if not items:
            return fed
        buffer = core.buffer
        append_prefixed = buffer.append_prefixed
        record_prefix = buffer.record_prefix
        fast = config.fast_path
        devices = self.devices
        routes = self.routes
        fast_landed = fast_quarantined = landed = 0
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
                        fed.close = "flood"
                        return fed
                    # Fast path: the common, well-formed frame of an accepted device (see fastpath.py);
                    # anything else takes the full path below, which judges and counts it.
                    route = None
                    if fast:
                        segment = checked_segment(frame)
                        if segment is not None:
                            split = split_header(segment)
                            if split is not None:
                                qn, key = split
                                route = routes.get(key)
                                if route is None and key not in routes:
                                    route = self._route(key)
                    if route is not None:
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
                        landed += 1
                    if outcome.reply is not None:
                        replies.append(outcome.reply)
                if self.errors > config.max_consecutive_errors:
                    fed.close = "errors"
                    return fed
        finally:
            if fast_landed:
                stats = core.stats
                stats.frames_received += fast_landed
                stats.frames_landed += fast_landed
                stats.frames_quarantined += fast_quarantined
            fed.landed = landed + fast_landed
        return fed
