"""The asyncio adapter: sockets, timers and the order of disk and replies around the sans-I/O core.

:class:`Receiver` listens (asyncio's Protocol API, no streams, for speed; uvloop is used by the commands
when installed) and gives each connection a :class:`~envplan.hj212.receiver.core.Session`; every read goes
to :meth:`~envplan.hj212.receiver.core.Session.feed`.  What the adapter adds is I/O and time:

* replies wait for their records: once per loop tick the records landed in that tick are handed, as one
  batch, to the group-commit writer (``writer.py``), and only when that batch is durable are the replies
  of that tick written -- so a reply is never sent for a frame that could be lost; replies of one
  connection in one batch go out in one ``write``;
* connections are closed when the core says so (flood, too many bad frames), when a device does not read
  its replies (write buffer above a limit: "slow-reader"), when idle past the timeout, and on arrival past
  ``max_connections`` (so descriptors remain for the landing log);
* a timer asks the landing log whether its file is due for rotation by age and, if so, hands the writer a
  batch even when it holds no record, so a quiet receiver still closes the file that ingest waits for.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable
from typing import cast

from envplan.hj212.receiver.core import DeviceLookup, ReceiverConfig, ReceiverCore, UnknownDevicePolicy
from envplan.hj212.receiver.session import Session
from envplan.hj212.receiver.stats import ReceiverStats
from envplan.hj212.receiver.writer import BatchWriter
from envplan.lake.landing import LandingWriter

logger = logging.getLogger("envplan.hj212.receiver")


class _Connection(asyncio.Protocol):
    __slots__ = ("receiver", "session", "transport")

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.transport: asyncio.Transport | None = None
        self.session: Session | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement the interface without subclassing asyncio.Transport
        self.transport = cast(asyncio.Transport, transport)
        receiver = self.receiver
        peername = transport.get_extra_info("peername")
        peer = f"{peername[0]}:{peername[1]}" if isinstance(peername, tuple) and len(peername) >= 2 else "?"
        self.session = receiver.core.open(peer, now=receiver.loop_time())
        receiver.log_notices()
        if self.session is None:
            transport.close()  # a clean end of stream for the device, which will dial again later
            return
        config = receiver.config
        if config.send_buffer is not None:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, config.send_buffer)
        self.transport.set_write_buffer_limits(high=config.write_buffer_limit)
        receiver.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.session is not None:
            receiver = self.receiver
            self.session.close(received_ns=receiver.clock())
            receiver.connections.discard(self)
            if receiver.core.has_notices:
                receiver.log_notices()

    def pause_writing(self) -> None:
        # The device is not reading its replies: cut it off rather than buffer without bound.
        self.close("slow-reader")

    def close(self, reason: str) -> None:
        transport = self.transport
        if transport is not None and not transport.is_closing():
            self.receiver.stats.closed[reason] += 1
            transport.abort()

    def data_received(self, data: bytes) -> None:
        session = self.session
        if session is None:
            return
        receiver = self.receiver
        fed = session.feed(data, now=receiver.loop_time(), received_ns=receiver.clock())
        if fed.landed:
            receiver.schedule_flush()
        if fed.replies:
            receiver.queue_replies(self, fed.replies)
        if fed.close is not None:
            self.close(fed.close)
        if receiver.core.has_notices:
            receiver.log_notices()


class Receiver:
    """The asyncio server.  ``await start(host, port)``, later ``await stop()``."""

    def __init__(
        self,
        *,
        lookup: DeviceLookup,
        policy: UnknownDevicePolicy,
        landing: LandingWriter,
        config: ReceiverConfig | None = None,
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        self.config = config or ReceiverConfig()
        self.stats = ReceiverStats()
        self.landing = landing
        self.core = ReceiverCore(
            lookup=lookup, policy=policy, buffer=landing.buffer, stats=self.stats, config=self.config
        )
        self.clock = clock
        self.connections: set[_Connection] = set()
        self._replies: dict[_Connection, list[bytes]] = {}
        self._flush_scheduled = False
        self._stopped = False
        self._dirty = False
        self._rotation_wanted = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writer: BatchWriter | None = None
        self._server: asyncio.Server | None = None
        self._timers: list[asyncio.Task[None]] = []

    def loop_time(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    async def start(
        self, host: str, port: int, *, backlog: int = 4096, reuse_port: bool = False
    ) -> tuple[str, int]:
        """Listen; with ``reuse_port`` (SO_REUSEPORT) other receivers may listen on the same port, and the
        kernel spreads new connections among them."""
        self._loop = loop = asyncio.get_running_loop()
        self._writer = BatchWriter(self.landing, deliver=loop.call_soon_threadsafe)
        self._server = await loop.create_server(
            lambda: _Connection(self), host, port, backlog=backlog, reuse_address=True, reuse_port=reuse_port
        )
        self._timers = [loop.create_task(self._sweep_idle()), loop.create_task(self._rotate_on_time())]
        sockname = self._server.sockets[0].getsockname()
        return str(sockname[0]), int(sockname[1])

    async def stop(self) -> None:
        """Stop listening, close every connection, and make every landed frame durable."""
        for task in self._timers:
            task.cancel()
        if self._server is not None:
            self._server.close()
        for connection in list(self.connections):
            connection.close("shutdown")
        writer = self._writer
        while writer is not None and writer.busy:
            await asyncio.sleep(0.005)
        self._stopped = True  # from here on no batch goes to the writer thread: the last one is written here
        try:
            if writer is not None:
                writer.write_now(self.landing.take_batch())
        except OSError:
            self.stats.landing_errors += 1
        self.stats.replies_dropped += sum(len(r) for r in self._replies.values())
        self._replies.clear()
        self.log_notices(final=True)
        if writer is not None:
            writer.shutdown()
        if self._server is not None:
            await self._server.wait_closed()

    def log_notices(self, *, final: bool = False) -> None:
        for line in self.core.take_notices(final=final):
            logger.warning("%s", line)

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
        writer = self._writer
        if not self._flush_scheduled and writer is not None and not writer.busy and self._loop is not None:
            self._flush_scheduled = True
            # call_soon runs after every callback of the current loop iteration: one batch per tick.
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        """Hand this tick's records to the writer thread; their replies go out once they are fsynced.

        One batch is written at a time, in order; frames arriving meanwhile form the next batch, so the
        loop keeps reading while the disk syncs (group commit).  The next batch starts as soon as the
        previous one is durable (no timer): the writer thread's completion wakes the loop directly."""
        self._flush_scheduled = False
        writer = self._writer
        if writer is None or writer.busy or self._stopped:
            return
        self._dirty = False
        batch = self.landing.take_batch()
        replies, self._replies = self._replies, {}
        rotation, self._rotation_wanted = self._rotation_wanted, False
        if batch.records == 0 and not replies and not rotation:
            return

        def done(result: int | BaseException) -> None:
            self._flushed(result, replies)

        writer.submit(batch, done)

    def _flushed(self, result: int | BaseException, replies: dict[_Connection, list[bytes]]) -> None:
        if isinstance(result, BaseException):
            # Not durable: send nothing; the devices resend unanswered frames.
            self.stats.landing_errors += 1
            self.stats.replies_dropped += sum(len(r) for r in replies.values())
        else:
            if result:
                self.stats.fsyncs += 1
            self._send(replies)
            # between batches, the moment a rotation on the loop thread is safe (a no-op when the writer
            # thread rotated the due file already)
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

    async def _rotate_on_time(self) -> None:
        """Close a landing file that is due by age even when no frame arrives to trigger a batch: ingest
        reads closed files only, and an answered frame must reach it within the rotation period."""
        while True:
            await asyncio.sleep(self.config.rotation_check_seconds)
            if self.landing.rotation_due():
                self._rotation_wanted = True
                self.schedule_flush()

    async def _sweep_idle(self) -> None:
        interval = max(0.05, min(self.config.idle_timeout / 4, 30.0))
        while True:
            await asyncio.sleep(interval)
            now = self.loop_time()
            for connection in list(self.connections):
                if connection.session is not None and connection.session.idle(now):
                    connection.close("idle")
