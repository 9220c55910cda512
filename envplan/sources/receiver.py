"""The device registry as the HJ 212 receiver sees it (`envplan hj212 serve`).

:class:`DatabaseRegistry` implements :class:`envplan.hj212.receiver.Registry` for the receiver's one
serving loop (:class:`envplan.hj212.receiver.ReceiverService`): the event loop never touches the
database; devices are looked up in an in-memory snapshot of the registry (MN -> password, CRC variants
of the active devices, strict or not), which the service's background thread reloads every `refresh`
seconds by swapping one dict reference. The same thread adds the receiver's refused-frame counters (bad
CRC, length, password, unknown MN, a deviation refused by the strict setting, ...) to DeviceCounter, and
its samples of refused frames to RejectedSample. Frames land in <data dir>/landing under a prefix unique per
process (`<host>_<pid>`), so that `envplan sources ingest` (the worker's `sources-ingest` job) moves every
answered frame into the lake within the rotation period.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

from envplan.hj212.crc import variant_from_name
from envplan.hj212.receiver import Device, Report

logger = logging.getLogger("envplan.sources.receiver")


def load_devices() -> dict[str, Device]:
    """The active devices of the registry, as the receiver needs them."""
    from envplan.sources.models import Device as DeviceRow

    devices: dict[str, Device] = {}
    for mn, password, variants, strict in DeviceRow.objects.filter(active=True).values_list(
        "mn", "password", "crc_variants", "strict"
    ):
        kinds = set()
        for name in variants or []:
            try:
                kinds.add(variant_from_name(str(name)))
            except ValueError:
                logger.warning("device %s: unknown CRC variant %r ignored", mn, name)
        devices[mn] = Device(mn=mn, password=password or None, crc_variants=frozenset(kinds), strict=strict)
    return devices


def store_report(report: Report) -> None:
    from django.db import transaction

    from envplan.sources.services import add_counters, add_samples

    with transaction.atomic():
        add_counters(report.rejected)
        add_samples(report.samples)


class DatabaseRegistry:
    """MN -> Device from the database, read by the event loop and replaced whole by :meth:`reload` (one
    reference swap); reports go to the database.  The snapshot is loaded when built, on the caller's
    thread."""

    def __init__(
        self,
        load: Callable[[], dict[str, Device]] = load_devices,
        store: Callable[[Report], None] = store_report,
    ) -> None:
        self._load = load
        self._store = store
        self._devices = load()

    def lookup(self, mn: str) -> Device | None:
        return self._devices.get(mn)

    def reload(self) -> int:
        with _database_turn():
            self._devices = self._load()
        return len(self._devices)

    def store(self, report: Report) -> None:
        with _database_turn():
            self._store(report)

    def __len__(self) -> int:
        return len(self._devices)


@contextlib.contextmanager
def _database_turn() -> Iterator[None]:
    """Use the database from a background thread: drop a broken or expired connection first, and close
    the thread's connection afterwards, so a thread that comes back every half minute holds none."""
    from django.db import close_old_connections, connection

    if not connection.in_atomic_block:  # inside a transaction (tests), leave the connection alone
        close_old_connections()
    try:
        yield
    finally:
        if threading.current_thread() is not threading.main_thread() and not connection.in_atomic_block:
            connection.close()
