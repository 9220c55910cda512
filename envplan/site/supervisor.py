"""A small process supervisor for `envplan up`: start each process of the deployment, prefix its output
with its name, start again what dies, and stop everything on SIGTERM/SIGINT.

Why our own and not honcho or foreman: they stop every process as soon as one exits, which is right for a
developer's terminal and wrong for a server, where a receiver killed by the kernel must come back while
the web server keeps serving. systemd does the same job on a machine that has it (deploy/systemd/).

A process that exits is started again after a pause that doubles from 1 s up to 30 s while it keeps dying
within a minute of its start, and falls back to 1 s once it ran for a minute. On SIGTERM or SIGINT each
process gets SIGTERM (in its own process group, so that gunicorn's workers or a receiver's threads go too),
then SIGKILL after `grace` seconds; the supervisor exits 0 when every process stopped within the grace.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
STEADY_AFTER = 60.0  # seconds a process must run before its next death counts as a first one


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: tuple[str, ...]

    def procfile_line(self) -> str:
        return f"{self.name}: {' '.join(self.argv)}"


@dataclass
class _Child:
    spec: ProcessSpec
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    pause: float = FIRST_PAUSE
    due_at: float = 0.0  # when a dead process is started again
    restarts: int = 0
    reader: threading.Thread | None = None


@dataclass
class Supervisor:
    specs: Sequence[ProcessSpec]
    out: TextIO = sys.stdout
    env: dict[str, str] | None = None
    grace: float = 30.0
    clock: Callable[[], float] = time.monotonic
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.children = [_Child(spec) for spec in self.specs]
        self._write_lock = threading.Lock()
        self._width = max((len(spec.name) for spec in self.specs), default=0)

    # -- output -------------------------------------------------------------------------------------------
    def say(self, name: str, line: str) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        with self._write_lock:
            self.out.write(f"{stamp} {name.ljust(self._width)} | {line}\n")
            self.out.flush()

    def _pump(self, child: _Child, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in iter(process.stdout.readline, b""):
            self.say(child.spec.name, raw.decode("utf-8", "replace").rstrip("\n"))
        process.stdout.close()

    # -- life ---------------------------------------------------------------------------------------------
    def _start(self, child: _Child) -> None:
        process = subprocess.Popen(
            child.spec.argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            start_new_session=True,  # its own process group: signals reach its children, not ours
        )
        child.process = process
        child.started_at = self.clock()
        child.reader = threading.Thread(target=self._pump, args=(child, process), daemon=True)
        child.reader.start()
        self.say("up", f"started {child.spec.name} (pid {process.pid})")

    def _reap(self, child: _Child) -> None:
        process = child.process
        if process is None or process.poll() is None:
            return
        code = process.returncode
        how = f"signal {-code}" if code < 0 else f"code {code}"
        now = self.clock()
        if now - child.started_at >= STEADY_AFTER:
            child.pause = FIRST_PAUSE
        child.due_at = now + child.pause
        self.say(
            "up",
            f"{child.spec.name} (pid {process.pid}) exited with {how}; starting it again in "
            f"{child.pause:g} s",
        )
        child.pause = min(child.pause * 2, LONGEST_PAUSE)
        child.restarts += 1
        if child.reader is not None:
            child.reader.join(timeout=5)
        child.process = None

    def run(self, *, install_signals: bool = True) -> int:
        """Start everything, supervise until stopped, then stop everything; returns the exit code."""
        if install_signals:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, self._on_signal)
        for child in self.children:
            self._start(child)
        while not self.stopping.is_set():
            for child in self.children:
                self._reap(child)
                if child.process is None and self.clock() >= child.due_at and not self.stopping.is_set():
                    self._start(child)
            self.stopping.wait(0.2)
        return self._stop_all()

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stopping.set()

    def _signal(self, process: subprocess.Popen[bytes], signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)

    def _stop_all(self) -> int:
        running = [c for c in self.children if c.process is not None and c.process.poll() is None]
        self.say("up", f"stopping {len(running)} processes")
        for child in running:
            assert child.process is not None
            self._signal(child.process, signal.SIGTERM)
        deadline = self.clock() + self.grace
        clean = True
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.0, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                clean = False
                self.say("up", f"{child.spec.name} did not stop within {self.grace:g} s: killed")
                self._signal(child.process, signal.SIGKILL)
                child.process.wait()
        for child in self.children:
            if child.reader is not None:
                child.reader.join(timeout=5)
        self.say("up", "stopped" if clean else "stopped, some processes killed")
        return 0 if clean else 1
