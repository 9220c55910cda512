"""The one serving loop of the receiver, for every deployment.

``envplan hj212 serve`` (devices from the database) and ``envplan hj212 serve-standalone`` (devices from a
JSON file) both run :class:`ReceiverService`: it recovers the landing folder, opens its landing log,
listens, reloads the registry and stores the refused-frame counters on a background thread every
``refresh`` seconds, and stops on SIGTERM/SIGINT (or a ``stop`` event) after making every landed frame
durable.  What differs between deployments is behind :class:`Registry`, a typed interface.

The event loop never waits for the registry: :meth:`Registry.lookup` must answer from memory (a snapshot
that :meth:`Registry.reload` replaces whole, on the background thread).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO, TypeVar

from envplan.hj212.receiver.core import Device, ReceiverConfig, UnknownDevicePolicy
from envplan.hj212.receiver.server import Receiver
from envplan.hj212.receiver.stats import ReceiverStats, RejectedSample
from envplan.lake.landing import LandingLog, recover_orphans

logger = logging.getLogger("envplan.hj212.receiver")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Report:
    """What the receiver refused since its previous report: frames per (MN or "?", reason), and the
    samples kept of them (the first few of each MN and reason)."""

    rejected: dict[tuple[str, str], int]
    samples: tuple[RejectedSample, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rejected or self.samples)


class Registry(Protocol):
    """What a deployment gives the receiver: its devices, and a place for the receiver's reports."""

    def lookup(self, mn: str) -> Device | None:
        """The active device of this MN, from memory (called on the event loop)."""
        ...

    def reload(self) -> int:
        """Read the registry again (on the background thread); returns how many devices it holds."""
        ...

    def store(self, report: Report) -> None:
        """Keep a report (on the background thread, or after the loop has stopped); raising leaves its
        figures to the next report."""
        ...


@dataclass
class StaticRegistry:
    """Devices fixed at start (``serve-standalone``, tests); reports are only added up in memory."""

    devices: dict[str, Device] = field(default_factory=dict)
    rejected: Counter[tuple[str, str]] = field(default_factory=Counter)
    samples: list[RejectedSample] = field(default_factory=list)

    def lookup(self, mn: str) -> Device | None:
        return self.devices.get(mn)

    def reload(self) -> int:
        return len(self.devices)

    def store(self, report: Report) -> None:
        self.rejected.update(report.rejected)
        self.samples.extend(report.samples)


@dataclass(frozen=True, slots=True)
class ServeOptions:
    host: str
    port: int
    landing: Path  # the landing folder (shared by the receivers of a machine)
    prefix: str  # this receiver's landing file prefix (see envplan.lake.landing.landing_prefix)
    policy: UnknownDevicePolicy = UnknownDevicePolicy.REFUSE
    config: ReceiverConfig = field(default_factory=ReceiverConfig)
    rotate_seconds: float = 60.0  # a landing file is closed this long after its first frame
    refresh: float = 30.0  # seconds between registry reloads and reports; 0: none while serving
    landing_clock: Callable[[], float] = time.monotonic  # the clock of rotation by age
    reuse_port: bool = False  # SO_REUSEPORT: several receivers on one port, the kernel spreads connections
    # A small JSON file rewritten by the event loop every `heartbeat_seconds` while it serves, removed on a
    # clean stop: the health page reads it to know the receiver is alive (None: no file).
    heartbeat: Path | None = None
    heartbeat_seconds: float = 10.0
    # The receiver's Prometheus metrics on a port of their own (envplan.hj212.receiver.metrics); None: none.
    # Port 0: any free port (`metrics on http://HOST:PORT/metrics` is printed after `listening on`).
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"


class ReceiverService:
    """A receiver with its landing log and registry.  Building it recovers the landing folder (the
    ``.part`` files of dead receivers of this host) and opens the log; :meth:`run` serves."""

    def __init__(self, registry: Registry, options: ServeOptions) -> None:
        self.registry = registry
        self.options = options
        options.landing.mkdir(parents=True, exist_ok=True)
        recover_orphans(options.landing)
        self.landing = LandingLog(
            options.landing,
            prefix=options.prefix,
            rotate_seconds=options.rotate_seconds,
            clock=options.landing_clock,
        )
        self.receiver = Receiver(
            lookup=registry.lookup, policy=options.policy, landing=self.landing, config=options.config
        )
        self._reported: Counter[tuple[str, str]] = Counter()
        self._unsent: list[RejectedSample] = []  # samples of a report that could not be stored
        self.metrics_port: int | None = None  # the metrics server's port, once it serves

    @property
    def stats(self) -> ReceiverStats:
        return self.receiver.stats

    def run(
        self,
        *,
        out: TextIO,
        after_listening: Sequence[str] = (),
        stop: threading.Event | None = None,
        on_listening: Callable[[str, int], None] | None = None,
    ) -> ReceiverStats:
        """Serve until SIGTERM/SIGINT (main thread only) or until ``stop`` is set, then close the landing
        log.  Prints ``listening on HOST:PORT`` first (scripts read the port from it), then the lines of
        ``after_listening``, then ``metrics on http://HOST:PORT/metrics`` when the options ask for metrics.
        An OSError (an address cannot be bound) propagates."""
        metrics = None
        if self.options.metrics_port is not None:
            from envplan.hj212.receiver.metrics import serve_metrics

            try:
                metrics, self.metrics_port = serve_metrics(
                    self.stats, self.landing, host=self.options.metrics_host, port=self.options.metrics_port
                )
            except OSError as error:  # say which of the two ports it was
                where = f"{self.options.metrics_host}:{self.options.metrics_port}"
                raise OSError(error.errno, f"the metrics port {where}: {error.strerror}") from None
            where = f"{self.options.metrics_host}:{self.metrics_port}"
            after_listening = (*after_listening, f"metrics on http://{where}/metrics")
        try:
            run_event_loop(
                self.serve(out=out, after_listening=after_listening, stop=stop, on_listening=on_listening)
            )
        finally:
            if metrics is not None:
                metrics.shutdown()
                metrics.server_close()
            self.landing.close()
        return self.stats

    async def serve(
        self,
        *,
        out: TextIO,
        after_listening: Sequence[str] = (),
        stop: threading.Event | None = None,
        on_listening: Callable[[str, int], None] | None = None,
    ) -> None:
        receiver = self.receiver
        host, port = await receiver.start(
            self.options.host, self.options.port, reuse_port=self.options.reuse_port
        )
        out.write("".join(f"{line}\n" for line in (f"listening on {host}:{port}", *after_listening)))
        out.flush()
        if on_listening is not None:
            on_listening(host, port)
        loop = asyncio.get_running_loop()
        beating = None
        if self.options.heartbeat is not None:
            beating = loop.create_task(self._beat(self.options.heartbeat, host, port))
        refresher = None
        if self.options.refresh > 0:
            refresher = _Refresher(self, loop, every=self.options.refresh)
            refresher.start()
        if stop is None:
            done = asyncio.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, done.set)
            await done.wait()
        else:
            await loop.run_in_executor(None, stop.wait)
        if beating is not None:
            beating.cancel()
        await receiver.stop()
        if self.options.heartbeat is not None:
            self.options.heartbeat.unlink(missing_ok=True)
        if refresher is not None:
            refresher.stopping.set()
            await loop.run_in_executor(None, refresher.join)
        samples = receiver.core.take_samples()
        await loop.run_in_executor(None, self.report, dict(receiver.stats.rejected), samples)

    async def _beat(self, path: Path, host: str, port: int) -> None:
        """Rewrite the heartbeat file every ``heartbeat_seconds`` (from the event loop, so a stale file
        means a stuck or dead loop); a failed write is logged and tried again at the next beat."""
        started = time.time()
        path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            stats = self.stats
            beat = {
                "host": host,
                "port": port,
                "pid": os.getpid(),
                "prefix": self.options.prefix,
                "started": started,
                "beat": time.time(),
                "connections": len(self.receiver.connections),
                "frames_landed": stats.frames_landed,
                "replies_sent": stats.replies_sent,
                "landing_errors": stats.landing_errors,
            }
            temporary = path.with_name(f".{path.name}.tmp")
            try:
                temporary.write_text(json.dumps(beat))
                os.replace(temporary, path)  # readers never see a half-written file
            except OSError:
                logger.exception("writing the heartbeat file %s failed", path)
            await asyncio.sleep(self.options.heartbeat_seconds)

    def report(
        self, rejected: Mapping[tuple[str, str], int], samples: Sequence[RejectedSample] = ()
    ) -> Report:
        """Store what was refused since the last stored report, given the counters as they stand and the
        samples taken since (both taken on the event loop, or once it stopped).  What fails to be stored
        is sent again with the next report; the stored report is returned (empty after a failure)."""
        increase = {
            key: count - self._reported[key] for key, count in rejected.items() if count > self._reported[key]
        }
        report = Report(rejected=increase, samples=(*self._unsent, *samples))
        if report:
            try:
                self.registry.store(report)
            except Exception:
                logger.exception("storing the refused-frame counters failed; will retry")
                self._unsent = list(report.samples[:1000])
                return Report(rejected={})
            self._reported.update(increase)
            self._unsent = []
        return report


class _Refresher(threading.Thread):
    """Every ``every`` seconds: reload the registry, then store the counters' increase."""

    def __init__(self, service: ReceiverService, loop: asyncio.AbstractEventLoop, *, every: float) -> None:
        super().__init__(name="registry-refresh", daemon=True)
        self.service = service
        self.loop = loop
        self.every = every
        self.stopping = threading.Event()

    def counters(self) -> tuple[dict[tuple[str, str], int], list[RejectedSample]]:
        """A copy of the counters and the new samples, taken on the event loop (the only thread changing
        them)."""

        async def copy() -> tuple[dict[tuple[str, str], int], list[RejectedSample]]:
            return dict(self.service.stats.rejected), self.service.receiver.core.take_samples()

        return asyncio.run_coroutine_threadsafe(copy(), self.loop).result(timeout=10)

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            try:
                self.service.registry.reload()
            except Exception:  # the database may be away for a while: keep serving with the last snapshot
                logger.exception("registry reload failed; keeping the previous snapshot")
            try:
                self.service.report(*self.counters())
            except Exception:
                logger.exception("reading the refused-frame counters failed")


def run_event_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop's event loop when the package is installed (optional speed-up), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coroutine)
