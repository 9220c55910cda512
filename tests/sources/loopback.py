"""Helpers for the loopback tests: run the Django-backed receiver in a thread, talk to it with sockets."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from envplan.hj212.frame import decode_message
from envplan.hj212.receiver import Receiver, ReceiverConfig
from envplan.sources.receiver import CounterSink, RotatingLanding, build, run_receiver

TIMEOUT = 10.0


@dataclass
class Running:
    receiver: Receiver
    landing: RotatingLanding
    port: int
    sink: CounterSink


@contextmanager
def receiver_thread(landing_dir: Path, *, accept_unknown: bool) -> Iterator[Running]:
    """The receiver of `envplan hj212 serve` (registry snapshot loaded here, in the test's transaction),
    its event loop in a thread, on 127.0.0.1 and a free port."""
    from envplan.sources.services import add_counters

    receiver, _snapshot, landing = build(
        landing_dir=landing_dir, prefix="test", accept_unknown=accept_unknown, config=ReceiverConfig()
    )
    stop = threading.Event()
    listening = threading.Event()
    bound: list[int] = []
    sink = CounterSink(add_counters)

    def on_listening(host: str, port: int) -> None:
        bound.append(port)
        listening.set()

    def run() -> None:
        # refresh=0: no refresher thread (the test's database transaction is not visible to other threads)
        asyncio.run(
            run_receiver(
                receiver, host="127.0.0.1", port=0, out=StringIO(), stop=stop, on_listening=on_listening
            )
        )

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert listening.wait(TIMEOUT), "the receiver did not start"
    try:
        yield Running(receiver=receiver, landing=landing, port=bound[0], sink=sink)
    finally:
        stop.set()
        thread.join(TIMEOUT)
        landing.close()


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


def reply_qns(replies: list[bytes]) -> list[str]:
    return [decode_message(reply)[1].header.qn or "" for reply in replies]
