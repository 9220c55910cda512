"""`envplan hj212 serve` (a subprocess) raises its open-file limit at start and refuses connections past
`--max-connections` cleanly, saying so once in its log (127.0.0.1 only, bounded in time)."""

from __future__ import annotations

import resource
import signal
import socket
import subprocess
from pathlib import Path

from envplan.hj212.frame import decode_message
from envplan.hj212.simulator import device_frames
from tests.sources.loopback import ask, start_serve

TIMEOUT = 20.0
LOWERED = 256  # the soft open-file limit the subprocess starts with


def answer(sock: socket.socket, frame: bytes) -> str:
    return decode_message(ask(sock, frame))[1].header.qn or ""


def test_serve_raises_its_open_file_limit_and_refuses_connections_past_the_maximum(
    db: None, serve_data_dir: Path, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
):
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)

    def lowered() -> None:  # in the child, before exec: start below the hard limit, as login shells do
        resource.setrlimit(resource.RLIMIT_NOFILE, (LOWERED, hard))

    frames = device_frames(5, 9)  # an unregistered MN, quarantined by `--accept-unknown-devices`
    printed: list[str] = []
    process, port = start_serve(
        serve_data_dir, tmp_path / "landing", "--max-connections", "3", preexec=lowered, output=printed
    )
    processes.append(process)
    held = [socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) for _ in range(3)]
    first = [answer(sock, frames[i][1]) for i, sock in enumerate(held)]
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as fourth:
        refused = fourth.recv(4096)  # the receiver closes it at once: end of stream
    again = [answer(sock, frames[3 + i][1]) for i, sock in enumerate(held)]
    for sock in held:
        sock.close()
    process.send_signal(signal.SIGTERM)
    code = process.wait(TIMEOUT)
    assert process.stdout is not None and process.stderr is not None
    stdout = process.stdout.read().decode()
    log = [line for line in process.stderr.read().decode().splitlines() if "connection" in line]

    ceiling = hard if hard != resource.RLIM_INFINITY else 1 << 20
    unlimited = "unlimited" if hard == resource.RLIM_INFINITY else str(hard)
    assert printed[-1] == (
        f"open-file limit {ceiling} (hard limit {unlimited}, raised from {LOWERED}); at most 3 connections"
    )
    assert first == [qn.decode() for qn, _ in frames[:3]]
    assert refused == b""
    assert again == [qn.decode() for qn, _ in frames[3:6]]
    assert code == 0
    # One line of the text log format (envplan.core.logs): time, level, logger, request id ("-": none).
    assert [line.split(" ", 2)[2] for line in log] == [
        "WARNING envplan.hj212.receiver [-] connection limit of 3 reached: "
        "1 new connections refused since the last message"
    ]
    assert stdout.strip().endswith("0 rejected, 1 connections refused")
