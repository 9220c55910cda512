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
when Flag.A=1).  Known deviations of an otherwise intact frame (``envplan.hj212.tolerance``: a length
field counting the header, lower-case CRC, no QN, ...) are accepted and their names kept in the landing
metadata, unless the device or the whole receiver is strict: then the frame is refused with the first
name as its reason.  Bad and refused frames get no reply ("if the CRC is wrong, execution ends", Table 2)
and are counted per device and reason and per connection, with samples and one log line per device and
reason (``stats.py``).  A connection that floods (more frames per second than its budget) or sends too
many bad frames in a row is told to close, and what it sent in that read is counted as refused.

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
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from envplan.hj212.codes import QnRtn
from envplan.hj212.crc import CrcKind, classify_crc
from envplan.hj212.errors import HJ212Error
from envplan.hj212.frame import DEFAULT_MAX_SEGMENT, split_frame
from envplan.hj212.receiver.stats import ReceiverStats, Refusals, RejectedSample
from envplan.hj212.replies import reply_for, request_reply
from envplan.hj212.segment import Header, parse_cp, parse_header
from envplan.hj212.tolerance import cp_variants, header_variants, strict_error
from envplan.lake.landing import MetaValue, RecordBuffer

if TYPE_CHECKING:
    from envplan.hj212.receiver.session import Session


@dataclass(frozen=True, slots=True)
class Device:
    """What the receiver needs to know about a registered data logger."""

    mn: str
    password: str | None = None  # None: any PW accepted
    crc_variants: frozenset[CrcKind] = frozenset()
    strict: bool = False  # refuse frames with tolerated deviations (see envplan.hj212.tolerance)


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
    # Every device strict: frames with tolerated deviations are refused (each device can also be strict).
    strict: bool = False


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
        self.refusals = Refusals(self.stats)
        self.sessions = 0
        self._refused_unlogged = 0
        self._refusal_logged_at = float("-inf")
        self._notices: list[str] = []

    # -- connections ------------------------------------------------------------------------------------

    def open(self, peer: str, *, now: float) -> Session | None:
        """The session of a new connection, or None when ``max_connections`` are open: then the connection
        is to be closed at once; it is counted, and a notice says so at most once per
        ``refusal_log_seconds`` (with the count since the last)."""
        from envplan.hj212.receiver.session import Session

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
        notices, self._notices = self._notices + self.refusals.notices, []
        self.refusals.notices = []
        return notices

    @property
    def has_notices(self) -> bool:
        return bool(self._notices or self.refusals.notices)

    def take_samples(self) -> list[RejectedSample]:
        """The refused frames kept as samples since the last call."""
        return self.refusals.take_samples()

    # -- frames -----------------------------------------------------------------------------------------

    def reject(
        self,
        mn: str | None,
        reason: str,
        *,
        message: str = "",
        raw: bytes = b"",
        peer: str = "?",
        received_ns: int = 0,
        reply: bytes | None = None,
    ) -> FrameOutcome:
        """Count a refused frame per device and reason, keep it as a sample while few of its kind are."""
        self.refusals.add(mn, reason, message=message or reason, raw=raw, peer=peer, received_ns=received_ns)
        return FrameOutcome(mn=mn, landed=False, reply=reply, error=reason)

    def mn_of_unreadable(
        self, raw: bytes, devices: dict[str, Device | None], known_mn: str | None
    ) -> str | None:
        """Whom a frame that could not be read is counted against: the MN it names when that is a
        registered device or its CRC confirms the text, else the connection's last accepted MN."""
        if raw[:2] != b"##":
            return known_mn
        match = _MN_FIELD.search(raw, 0, 512)
        if match is None:
            return known_mn
        mn = match.group(1).decode("ascii")
        if mn not in devices:
            devices[mn] = self.lookup(mn)
        if devices[mn] is not None or _crc_confirms(raw):
            return mn
        return known_mn

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

        def refuse(who: str | None, reason: str, message: str, reply: bytes | None = None) -> FrameOutcome:
            return self.reject(
                who, reason, message=message, raw=raw, peer=peer, received_ns=received_ns, reply=reply
            )

        try:
            frame = split_frame(raw, max_segment=self.config.max_segment)
        except HJ212Error as exc:
            return refuse(self.mn_of_unreadable(raw, devices, known_mn), exc.reason, exc.message)
        try:
            header, cp_text = parse_header(frame.segment)
        except HJ212Error as exc:
            if frame.crc is not CrcKind.STANDARD:
                return refuse(known_mn, "crc", f"CRC {frame.crc.value}; {exc.message}")
            return refuse(known_mn, exc.reason, exc.message)
        mn = header.mn
        if mn in devices:
            device = devices[mn]
        else:
            device = devices[mn] = self.lookup(mn)
        if frame.crc is not CrcKind.STANDARD and (device is None or frame.crc not in device.crc_variants):
            # the MN of a frame failing its CRC is only trusted when it names a registered device
            message = f"CRC field {frame.crc_field:04X} is {frame.crc.value}, not the HJ 212-2017 Annex A CRC"
            return refuse(mn if device is not None else known_mn, "crc", message)
        status = "accepted"
        if device is None:
            if self.policy is UnknownDevicePolicy.REFUSE:
                self.stats.frames_refused += 1
                reply = request_reply(header, QnRtn.MN_ERROR) if header.reply_requested else None
                return refuse(mn, "unknown-device", "no such device is registered", reply)
            status = "quarantine"
        elif device.password is not None and header.pw != device.password:
            reply = request_reply(header, QnRtn.PW_ERROR) if header.reply_requested else None
            return refuse(mn, "password", "wrong PW", reply)
        variants = frame.variants + header_variants(header)
        if self.config.strict or (device is not None and device.strict):
            try:
                variants += cp_variants(parse_cp(cp_text))
            except HJ212Error as exc:
                return refuse(mn, exc.reason, exc.message)
            if variants:
                error = strict_error(variants)
                return refuse(mn, error.reason, error.message)
        if status == "quarantine":
            self.stats.frames_quarantined += 1
        meta: dict[str, MetaValue] = {"mn": mn, "cn": header.cn, "crc": frame.crc.value, "status": status}
        if variants:
            # kept with the frame: the ingest names them on the stored values (from the frame itself)
            meta["variants"] = ",".join(variants)
            self.stats.frames_with_variants += 1
        if header.warnings:
            meta["warning"] = "; ".join(header.warnings)
            self.stats.frames_with_warnings += 1
        self.buffer.append(raw, received_ns=received_ns, peer=peer, meta=meta)
        self.stats.frames_landed += 1
        return FrameOutcome(mn=mn, landed=True, reply=_reply(header))


_MN_FIELD = re.compile(rb"MN=([\x21-\x3a\x3c-\x7e]{1,64});")


def _crc_confirms(raw: bytes) -> bool:
    """Whether the CRC field of a frame (however wrong its length field) matches the segment between its
    length field and its CRC, by any known algorithm."""
    text = raw[:-2] if raw.endswith(b"\r\n") else raw
    crc_text = text[-4:]
    if len(text) < 10 or not crc_text.isalnum():
        return False
    try:
        field = int(crc_text, 16)
    except ValueError:
        return False
    return classify_crc(text[6:-4], field) is not CrcKind.INVALID


def _reply(header: Header) -> bytes | None:
    try:
        return reply_for(header)
    except HJ212Error:  # e.g. an echoed field too long to frame
        return None
