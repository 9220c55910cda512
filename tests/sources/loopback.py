"""Helpers for the loopback tests: run the Django-backed receiver in a thread, talk to it with sockets."""

from __future__ import annotations

import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from envplan.hj212.frame import decode_message
from envplan.hj212.receiver import (
    Device,
    Receiver,
    ReceiverConfig,
    ReceiverService,
    Report,
    ServeOptions,
    UnknownDevicePolicy,
)
from envplan.lake.landing import LandingLog
from envplan.sources.receiver import DatabaseRegistry
from tests.commandline import in_child, in_data_dir

TIMEOUT = 10.0
REPO = Path(__file__).resolve().parents[2]


class TestRegistry:
    """The registry of `envplan hj212 serve` (its snapshot loaded here, in the test's transaction); reports
    are kept in memory, because the test's database transaction is not visible to the receiver's threads:
    a test stores them itself (:meth:`Running.store_counters`)."""

    def __init__(self) -> None:
        self.database = DatabaseRegistry()
        self.reports: list[Report] = []

    def lookup(self, mn: str) -> Device | None:
        return self.database.lookup(mn)

    def reload(self) -> int:
        return len(self.database)

    def store(self, report: Report) -> None:
        self.reports.append(report)


@dataclass
class Running:
    service: ReceiverService
    registry: TestRegistry
    port: int

    @property
    def receiver(self) -> Receiver:
        return self.service.receiver

    @property
    def landing(self) -> LandingLog:
        return self.service.landing

    def store_counters(self) -> None:
        """Store the refused-frame counters and samples in the database, as the serving loop's thread does
        (here on the test's thread, the only one that sees the test's transaction)."""
        from envplan.sources.receiver import store_report

        report = self.service.report(dict(self.receiver.stats.rejected), self.receiver.core.take_samples())
        store_report(report)


@contextmanager
def receiver_thread(
    landing_dir: Path,
    *,
    accept_unknown: bool,
    config: ReceiverConfig | None = None,
    rotate: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
    metrics_port: int | None = None,
) -> Iterator[Running]:
    """The receiver service of `envplan hj212 serve`, its event loop in a thread, on 127.0.0.1 and a free
    port; its landing file is closed `rotate` seconds of `clock` after its first frame."""
    registry = TestRegistry()
    options = ServeOptions(
        host="127.0.0.1",
        port=0,
        landing=landing_dir,
        prefix="test",
        policy=UnknownDevicePolicy.QUARANTINE if accept_unknown else UnknownDevicePolicy.REFUSE,
        config=config or ReceiverConfig(),
        rotate_seconds=rotate,
        refresh=0,  # no refresher thread: the test's database transaction is not visible to other threads
        landing_clock=clock,
        metrics_port=metrics_port,
    )
    service = ReceiverService(registry, options)
    stop = threading.Event()
    listening = threading.Event()
    bound: list[int] = []

    def on_listening(host: str, port: int) -> None:
        bound.append(port)
        listening.set()

    def run() -> None:
        service.run(out=StringIO(), stop=stop, on_listening=on_listening)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert listening.wait(TIMEOUT), "the receiver did not start"
    try:
        yield Running(service=service, registry=registry, port=bound[0])
    finally:
        stop.set()
        thread.join(TIMEOUT)


def ask(sock: socket.socket, frame: bytes) -> bytes:
    """Send one frame and read its reply line (what came before the connection closed, if it did)."""
    sock.sendall(frame)
    reply = b""
    while not reply.endswith(b"\r\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    return reply


def exchange(port: int, frames: list[bytes], *, expect: int, timeout: float = TIMEOUT) -> list[bytes]:
    """Send frames on one connection (all at once) and collect `expect` reply lines (or stop at timeout)."""
    replies: list[bytes] = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"".join(frames))
        buffer = b""
        deadline = time.monotonic() + timeout
        while len(replies) < expect and time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\r\n")
            replies.extend(line + b"\r\n" for line in lines)
    return replies


def wait_until(condition: Callable[[], bool], *, timeout: float = TIMEOUT) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass (bounded; nothing is asserted on time)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def reply_qns(replies: list[bytes]) -> list[str]:
    return [decode_message(reply)[1].header.qn or "" for reply in replies]


def migrated_data_dir(folder: Path) -> Path:
    """A data folder with its own migrated SQLite database, for `envplan` subprocesses (they cannot see the
    test database)."""
    in_child("migrate", "-v0", env=in_data_dir(folder), cwd=REPO).check_returncode()
    return folder


def start_serve(
    data_dir: Path,
    landing: Path,
    *options: str,
    preexec: Callable[[], None] | None = None,
    output: list[str] | None = None,
    timeout: float = 20.0,
) -> tuple[subprocess.Popen[bytes], int]:
    """`envplan hj212 serve --accept-unknown-devices` in a subprocess on 127.0.0.1 and a free port; returns
    it and its port once it listens (the lines it printed before are appended to `output`)."""
    env = in_data_dir(data_dir)
    command = [sys.executable, "-m", "envplan", "hj212", "serve", "--host", "127.0.0.1", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--accept-unknown-devices", "--landing", str(landing), *options],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,  # unbuffered: select() then sees every line
        preexec_fn=preexec,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            line = process.stdout.readline().decode()
            if line.startswith("listening on "):
                return process, int(line.rsplit(":", 1)[1])
            if not line:
                break
            if output is not None:
                output.append(line.rstrip("\n"))
    process.kill()
    raise AssertionError(
        f"receiver did not start: {process.stderr.read().decode() if process.stderr else ''}"
    )
