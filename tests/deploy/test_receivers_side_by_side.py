"""Two `envplan hj212 serve --reuse-port` processes on one port (SO_REUSEPORT: the kernel spreads the
connections), one killed with SIGKILL while devices send: every frame is stored exactly once after ingest.

Each simulated logger sends a frame, waits for its reply, and on a broken connection dials again and
resends what was not answered, as real loggers do; its new connection reaches the surviving receiver.
Each receiver writes its own landing files (prefix host_pid); the dead one's open file is closed by the
ingest, and values landed twice are de-duplicated on their key. 127.0.0.1 only, bounded in time.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from envplan.hj212.rows import KEY, frames_to_rows
from envplan.hj212.simulator import device_frames
from envplan.lake.landing import MAGIC, landing_prefix
from envplan.sources import lake as sources_lake
from envplan.sources.services import ingest_landing
from tests.commandline import free_port
from tests.sources.loopback import migrated_data_dir, start_serve

pytestmark = [pytest.mark.once, pytest.mark.slow]
DEVICES = 16
FRAMES = 40
TIMEOUT = 60.0


class Logger(threading.Thread):
    """One data logger: each frame sent until answered, over a connection dialled again when it breaks."""

    def __init__(self, port: int, frames: list[bytes], answered: list[int], deadline: float) -> None:
        super().__init__(daemon=True)
        self.port, self.frames, self.answered, self.deadline = port, frames, answered, deadline
        self.dials = 0
        self.done = 0

    def run(self) -> None:
        sock: socket.socket | None = None
        while self.done < len(self.frames) and time.monotonic() < self.deadline:
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                    self.dials += 1
                sock.sendall(self.frames[self.done])
                reply = b""
                while not reply.endswith(b"\r\n"):
                    chunk = sock.recv(4096)
                    if not chunk:
                        raise ConnectionResetError("closed")
                    reply += chunk
                self.done += 1
                self.answered.append(1)
                time.sleep(0.01)  # a logger's pace, so that the kill falls mid-run
            except OSError:
                if sock is not None:
                    sock.close()
                sock = None
                time.sleep(0.05)
        if sock is not None:
            sock.close()


def stored_keys() -> list[tuple[object, ...]]:
    frames = [
        sources_lake.scan(kind).select(list(KEY)).collect() for kind in ("realtime", "minute", "hourly")
    ]
    return sorted(pl.concat(frames).rows())


def has_records(landing: Path, prefix: str) -> bool:
    return any(p.stat().st_size > len(MAGIC) for p in landing.glob(f"{prefix}-*"))


def test_two_receivers_on_one_port_lose_nothing_when_one_is_killed(db: None, settings, tmp_path: Path):
    settings.LAKE_URL = str(tmp_path / "lake")
    data_dir = migrated_data_dir(tmp_path / "data")
    landing = tmp_path / "landing"
    port = free_port()
    options = ("--port", str(port), "--reuse-port", "--rotate-seconds", "1")
    first, _ = start_serve(data_dir, landing, *options)
    second, _ = start_serve(data_dir, landing, *options)
    processes = [first, second]
    try:
        by_device = [[frame for _, frame in device_frames(index, FRAMES)] for index in range(DEVICES)]
        answered: list[int] = []
        deadline = time.monotonic() + TIMEOUT
        loggers = [Logger(port, frames, answered, deadline) for frames in by_device]
        for logger in loggers:
            logger.start()
        # kill the first receiver once it has landed frames and about a third of all frames are answered
        while time.monotonic() < deadline and not (
            has_records(landing, landing_prefix(first.pid)) and len(answered) >= DEVICES * FRAMES // 3
        ):
            time.sleep(0.01)
        answered_at_kill = len(answered)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(TIMEOUT)
        for logger in loggers:
            logger.join(TIMEOUT)
        second.send_signal(signal.SIGTERM)
        assert second.wait(TIMEOUT) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(20)

    ingest_landing(landing)
    stored = stored_keys()

    expected = frames_to_rows([f for frames in by_device for f in frames])[0].unique(list(KEY)).height
    assert [logger.done for logger in loggers] == [FRAMES] * DEVICES
    assert 0 < answered_at_kill < DEVICES * FRAMES
    assert sum(logger.dials for logger in loggers) > DEVICES  # connections to the killed one dialled again
    assert {p.name.split("-")[0] for p in (landing / "moved").glob("*.log")} == {
        landing_prefix(first.pid),
        landing_prefix(second.pid),
    }
    assert len(stored) == len(set(stored)) == expected
