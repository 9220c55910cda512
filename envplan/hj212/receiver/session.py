"""One connection's state, sans-I/O: its framer, flood budget, device cache and fast-path routes.

:meth:`Session.feed` takes the bytes of each read and returns a :class:`~envplan.hj212.receiver.core.Fed`;
:meth:`Session.close` ends it, counting what was left half-sent.  Every item the framer delivers is
landed or refused and counted, including what a connection sent in the read that got it closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from envplan.hj212.errors import HJ212Error
from envplan.hj212.fastpath import checked_segment, frame_reply, key_fields, reply_suffix, split_header
from envplan.hj212.framer import StreamFramer
from envplan.hj212.receiver.core import Device, Fed, UnknownDevicePolicy
from envplan.hj212.segment import Flag, Header
from envplan.hj212.tolerance import header_variants
from envplan.lake.landing import MetaValue, encode_middle

if TYPE_CHECKING:
    from envplan.hj212.receiver.core import ReceiverCore

MAX_ROUTES = 64  # per session: fast-path decisions cached by header (MN, CN, PW, Flag)
_CLOSING = {
    "flood": "more frames than the connection's budget: the connection is closed, this frame is not read",
    "errors": "too many bad frames in a row: the connection is closed, this frame is not read",
}


class _Route:
    """A session's cached fast-path decision for one header (all but QN): the frame is landed under this
    MN with this metadata and answered with this reply suffix.  Rebuilt whenever the session's device
    cache is refreshed, so registry changes apply."""

    __slots__ = (
        "middle",
        "mn",
        "prefix",
        "prefix_crc",
        "prefix_ns",
        "quarantined",
        "reply_suffix",
        "variants",
    )

    def __init__(
        self, mn: str, quarantined: bool, variants: bool, middle: bytes, reply_suffix: bytes | None
    ) -> None:
        self.mn = mn
        self.quarantined = quarantined
        self.variants = variants  # the header has a tolerated deviation (an MN of another length, ...)
        self.middle = middle  # the landing record's peer and metadata
        self.reply_suffix = reply_suffix
        # the landing record prefix for the read being processed (receive time + middle) and its CRC-32
        self.prefix_ns = -1
        self.prefix = b""
        self.prefix_crc = 0


class Session:
    """One connection: fed its bytes, tells what to answer and whether to close."""

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
        "rejected",
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
        self.rejected: dict[str, int] = {}  # this connection's refused items, per reason
        self.active = True

    def idle(self, now: float) -> bool:
        return now - self.last_seen > self.core.config.idle_timeout

    def close(self, *, received_ns: int = 0) -> None:
        """The connection ended (either side): what the framer still holds (a frame cut short, garbage) is
        counted as refused.  Call once."""
        if not self.active:
            return
        self.active = False
        self._refuse_items(self.framer.flush(), received_ns=received_ns)
        self.core.sessions -= 1
        self.core.stats.connections_open = self.core.sessions

    def _refuse(self, reason: str, message: str, raw: bytes, received_ns: int, mn: str | None) -> None:
        self.core.stats.frames_received += 1
        self.rejected[reason] = self.rejected.get(reason, 0) + 1
        self.core.reject(mn, reason, message=message, raw=raw, peer=self.peer, received_ns=received_ns)

    def _refuse_items(
        self, items: list[bytes | HJ212Error], *, received_ns: int, reason: str | None = None
    ) -> None:
        """Count items refused without being judged (``reason``: why, e.g. the connection was closed for
        flooding), or framing errors for their own reason."""
        for item in items:
            raw = item if isinstance(item, bytes) else item.raw
            mn = self.core.mn_of_unreadable(raw, self.devices, self.mn)
            if reason is not None:
                self._refuse(
                    reason,
                    f"sent in the read that got the connection closed ({reason})",
                    raw,
                    received_ns,
                    mn,
                )
            elif isinstance(item, HJ212Error):
                self._refuse(item.reason, item.message, raw, received_ns, mn)

    def _route(self, key: bytes) -> _Route | None:
        """What to do with frames whose header after QN is ``key`` (see fastpath.split_header); None: take
        the full path (an unusual header, an unknown device refused, a wrong password, a strict device)."""
        routes = self.routes
        if len(routes) >= MAX_ROUTES:  # a connection sending under many MNs or kinds of frame
            routes.clear()
        route = routes[key] = self._new_route(key)
        return route

    def _new_route(self, key: bytes) -> _Route | None:
        core = self.core
        fields = key_fields(key)
        if fields is None or core.config.strict:
            return None
        cn_field, pw_field, mn_field, flag = fields
        mn = mn_field[3:].decode("ascii")
        devices = self.devices
        if mn in devices:
            device = devices[mn]
        else:
            device = devices[mn] = core.lookup(mn)
        if device is None:
            if core.policy is not UnknownDevicePolicy.QUARANTINE:
                return None
        elif device.strict or (
            device.password is not None and pw_field[3:].decode("ascii") != device.password
        ):
            return None
        cn = cn_field[3:].decode("ascii")
        st = key.split(b";", 2)[1][3:].decode("ascii")
        header = Header(qn="", st=st, cn=cn, pw=None, mn=mn, flag=Flag(flag), pnum=None, pno=None)
        variants = header_variants(header)
        meta: dict[str, MetaValue] = {
            "mn": mn,
            "cn": cn,
            "crc": "standard",
            "status": "quarantine" if device is None else "accepted",
        }
        if variants:
            meta["variants"] = ",".join(variants)
        return _Route(
            mn, device is None, bool(variants), encode_middle(self.peer, meta), reply_suffix(fields)
        )

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
        fast_landed = fast_quarantined = fast_variants = landed = 0
        try:
            for index, item in enumerate(items):
                if item.__class__ is not bytes:
                    self._refuse_items([item], received_ns=received_ns)
                    self.errors += 1
                else:
                    frame = item
                    self.tokens -= 1
                    if self.tokens < 0:
                        fed.close = "flood"
                        self._refuse_items(items[index:], received_ns=received_ns, reason="flood")
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
                        if route.variants:
                            fast_variants += 1
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
                        self.rejected[outcome.error] = self.rejected.get(outcome.error, 0) + 1
                    if outcome.landed:
                        landed += 1
                    if outcome.reply is not None:
                        replies.append(outcome.reply)
                if self.errors > config.max_consecutive_errors:
                    fed.close = "errors"
                    self._refuse_items(items[index + 1 :], received_ns=received_ns, reason="errors")
                    return fed
        finally:
            if fast_landed:
                stats = core.stats
                stats.frames_received += fast_landed
                stats.frames_landed += fast_landed
                stats.frames_quarantined += fast_quarantined
                stats.frames_with_variants += fast_variants
            fed.landed = landed + fast_landed
        return fed
