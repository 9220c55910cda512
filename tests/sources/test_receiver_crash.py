"""`kill -9` of the receiver (`envplan hj212 serve` in a subprocess) mid-stream, then a restart: no frame
that was answered is lost once the landing files are ingested (127.0.0.1 only, bounded in time)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import polars as pl

from envplan.hj212.rows import KEY, frames_to_rows
from envplan.hj212.simulator import device_frames, device_mn
from envplan.sources.services import ingest_landing
from tests.sources.loopback import exchange, reply_qns, start_serve
from tests.sources.test_receiver_e2e import export

TIMEOUT = 20.0


def stored_times(mn: str) -> list[tuple[str, str]]:
    """(kind, DataTime) of every stored value of the device, one per value."""
    frame = pl.concat([export(mn, kind) for kind in ("realtime", "minute", "hourly")])
    return sorted(frame.select("kind", "time", "factor", "field").rows())


def test_sigkill_mid_stream_then_restart_loses_no_answered_frame(
    db: None, serve_data_dir: Path, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
):
    landing = tmp_path / "landing"
    mn = device_mn(7)
    frames = device_frames(7, 60)  # an unregistered MN: accepted, stored as quarantined
    times = dict(
        zip(
            (qn.decode() for qn, _ in frames),
            frames_to_rows([f for _, f in frames])[0]
            .unique(["qn"], maintain_order=True)
            .select("kind", "time")
            .rows(),
            strict=True,
        )
    )
    process, port = start_serve(serve_data_dir, landing)
    processes.append(process)
    answered = reply_qns(exchange(port, [f for _, f in frames[:30]], expect=30))
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(b"".join(f for _, f in frames[30:]))
        first_replies = sock.recv(65536)  # mid-stream: killed as soon as the first replies come back
        os.kill(process.pid, signal.SIGKILL)
        process.wait(TIMEOUT)
    complete = first_replies.split(b"\r\n")[:-1]
    answered += reply_qns([line + b"\r\n" for line in complete])

    ingest_landing(landing)
    after_crash = {(kind, time) for kind, time, _, _ in stored_times(mn)}

    restarted, port = start_serve(serve_data_dir, landing)
    processes.append(restarted)
    # the logger resends what was not answered, and (replies lost) some of what was
    unanswered = [f for qn, f in frames if qn.decode() not in answered]
    replies = exchange(port, unanswered + [f for _, f in frames[:5]], expect=len(unanswered) + 5)
    restarted.send_signal(signal.SIGTERM)
    assert restarted.wait(TIMEOUT) == 0
    ingest_landing(landing)
    final = stored_times(mn)

    answered_keys = {(times[qn][0], times[qn][1].isoformat()) for qn in answered}
    assert len(answered) >= 30
    assert answered_keys - after_crash == set()
    assert len(replies) == len(unanswered) + 5
    assert len(final) == len(set(final)) == frames_to_rows([f for _, f in frames])[0].unique(list(KEY)).height
