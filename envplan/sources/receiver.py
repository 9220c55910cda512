"""`envplan hj212 serve`: the HJ 212 receiver (envplan.hj212.receiver) backed by the Device registry.

The event loop never touches the database: devices are looked up in an in-memory snapshot of the
registry (MN -> password, CRC variants of the active devices), which a background thread reloads every
`refresh` seconds by swapping one dict reference. The same thread adds the receiver's rejected-frame
counters (bad CRC, length, password, unknown MN, ...) to DeviceCounter. Frames land in a landing log of
<data dir>/landing with a prefix unique per process (`<host>_<pid>`); the receiver closes its file into a
`.log` file at most `rotate` seconds after the file's first frame, on a timer, even if no other frame
arrives, so that `envplan sources ingest` (the worker's `sources-ingest` job) moves every answered frame
into the lake within that period. A restart after a crash closes the `.part` files of dead receivers of
this host first, so nothing that was answered is left behind.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from envplan.hj212.crc import variant_from_name
from envplan.hj212.receiver import Device, Receiver, ReceiverConfig, UnknownDevicePolicy
from envplan.lake.landing import LandingLog

logger = logging.getLogger("envplan.sources.receiver")


def load_devices() -> dict[str, Device]:
    """The active devices of the registry, as the receiver needs them."""
    from envplan.sources.models import Device as DeviceRow

    _tidy_connections()
    devices: dict[str, Device] = {}
    for mn, password, variants in DeviceRow.objects.filter(active=True).values_list(
        "mn", "password", "crc_variants"
    ):
        kinds = set()
        for name in variants or []:
            try:
                kinds.add(variant_from_name(str(name)))
            except ValueError:
                logger.warning("device %s: unknown CRC variant %r ignored", mn, name)
        devices[mn] = Device(mn=mn, password=password or None, crc_variants=frozenset(kinds))
    return devices


def _tidy_connections() -> None:
    """Drop a broken or expired connection before using the database from the refresher thread."""
    from django.db import close_old_connections, connection

    if not connection.in_atomic_block:  # inside a transaction (tests), leave the connection alone
        close_old_connections()


class RegistrySnapshot:
    """MN -> Device, read by the event loop and replaced whole by `refresh()` (one reference swap)."""

    def __init__(self, load: Callable[[], dict[str, Device]]) -> None:
        self._load = load
        self._devices = load()
        self.loaded_at = time.monotonic()

    def lookup(self, mn: str) -> Device | None:
        return self._devices.get(mn)

    def refresh(self) -> int:
        self._devices = self._load()
        self.loaded_at = time.monotonic()
        return len(self._devices)

    def __len__(self) -> int:
        return len(self._devices)


@dataclass
class CounterSink:
    """Adds the receiver's rejected-frame counters to the database, as differences since the last call."""

    add: Callable[[Mapping[tuple[str, str], int]], int]

    def __post_init__(self) -> None:
        self._sent: Counter[tuple[str, str]] = Counter()

    def flush(self, current: Mapping[tuple[str, str], int]) -> int:
        delta = {key: count - self._sent[key] for key, count in current.items() if count > self._sent[key]}
        if not delta:
            return 0
        touched = self.add(delta)
        self._sent.update(delta)
        return touched


def add_counters(counts: Mapping[tuple[str, str], int]) -> int:
    from envplan.sources.services import add_counters as add

    _tidy_connections()
    return add(counts)


class Refresher(threading.Thread):
    """Every `every` seconds: reload the registry snapshot and store the new counters."""

    def __init__(
        self,
        *,
        snapshot: RegistrySnapshot,
        receiver: Receiver,
        loop: asyncio.AbstractEventLoop,
        sink: CounterSink,
        every: float,
    ) -> None:
        super().__init__(name="registry-refresh", daemon=True)
        self.snapshot = snapshot
        self.receiver = receiver
        self.loop = loop
        self.sink = sink
        self.every = every
        self.stopping = threading.Event()

    def counters(self) -> dict[tuple[str, str], int]:
        """A copy of the counters, taken on the event loop (which is the only thread changing them)."""

        async def copy() -> dict[tuple[str, str], int]:
            return dict(self.receiver.stats.rejected)

        return asyncio.run_coroutine_threadsafe(copy(), self.loop).result(timeout=10)

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            self.tick()
        from django.db import connection

        connection.close()

    def tick(self) -> None:
        try:
            self.snapshot.refresh()
        except Exception:  # the database may be away for a while: keep serving with the last snapshot
            logger.exception("registry refresh failed; keeping the previous snapshot")
        try:
            self.sink.flush(self.counters())
        except Exception:
            logger.exception("storing the rejected-frame counters failed; will retry")


async def run_receiver(
    receiver: Receiver,
    *,
    host: str,
    port: int,
    out: TextIO,
    snapshot: RegistrySnapshot | None = None,
    sink: CounterSink | None = None,
    refresh: float = 30.0,
    stop: threading.Event | None = None,
    on_listening: Callable[[str, int], None] | None = None,
) -> None:
    """Serve until SIGTERM/SIGINT (main thread) or until `stop` is set; then stop and store counters."""
    host_bound, port_bound = await receiver.start(host, port)
    out.write(f"listening on {host_bound}:{port_bound}\n")
    out.flush()
    if on_listening is not None:
        on_listening(host_bound, port_bound)
    loop = asyncio.get_running_loop()
    refresher = None
    if snapshot is not None and sink is not None and refresh > 0:
        refresher = Refresher(snapshot=snapshot, receiver=receiver, loop=loop, sink=sink, every=refresh)
        refresher.start()
    done = asyncio.Event()
    if stop is None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, done.set)
        await done.wait()
    else:
        await loop.run_in_executor(None, stop.wait)
    await receiver.stop()
    if refresher is not None:
        refresher.stopping.set()
        await loop.run_in_executor(None, refresher.join)
    if sink is not None:
        try:
            await loop.run_in_executor(None, sink.flush, dict(receiver.stats.rejected))
        except Exception:
            logger.exception("storing the rejected-frame counters failed")


def build(
    *,
    landing_dir: Path,
    prefix: str,
    accept_unknown: bool,
    load: Callable[[], dict[str, Device]] = load_devices,
    rotate: float = 60.0,
    config: ReceiverConfig | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[Receiver, RegistrySnapshot, LandingLog]:
    """The receiver with its registry snapshot (loaded now) and its landing log (orphans recovered), whose
    file is closed `rotate` seconds (by `clock`) after its first frame."""
    from envplan.sources.services import recover_orphans

    landing_dir.mkdir(parents=True, exist_ok=True)
    recover_orphans(landing_dir)
    snapshot = RegistrySnapshot(load)
    landing = LandingLog(landing_dir, prefix=prefix, rotate_seconds=rotate, clock=clock)
    policy = UnknownDevicePolicy.QUARANTINE if accept_unknown else UnknownDevicePolicy.REFUSE
    receiver = Receiver(lookup=snapshot.lookup, policy=policy, landing=landing, config=config)
    return receiver, snapshot, landing
