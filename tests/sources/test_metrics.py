"""The receiver's metrics port, over loopback: real frames sent over TCP move its counters, read with the
Prometheus text-format parser (`prometheus_client.parser`) as a scraper would."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from envplan.hj212.receiver.metrics import ReceiverCollector
from envplan.hj212.simulator import device_frames
from envplan.lake.landing import backlog
from envplan.sources.models import Device
from envplan.sources.services import ingest_landing
from tests.commandline import envplan
from tests.sources.loopback import exchange, receiver_thread, wait_until


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the metrics page: (name, sorted labels) -> value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        assert response.status == 200
        text = response.read().decode()
    return samples_of(text)


def samples_of(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            assert isinstance(sample, Sample)
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def frames(result: str, reason: str = "") -> tuple[str, tuple[tuple[str, str], ...]]:
    return ("envplan_hj212_frames_total", (("reason", reason), ("result", result)))


def bad_crc(frame: bytes) -> bytes:
    body, crc = frame[:-6], frame[-6:-2]
    return body + (b"0000" if crc != b"0000" else b"1111") + b"\r\n"


def test_frames_sent_over_tcp_move_the_receivers_counters(device: Device, tmp_path: Path):
    registered = [frame for _, frame in device_frames(1, 12)]
    stranger = [frame for _, frame in device_frames(2, 3)]  # an MN nobody registered: refused

    with receiver_thread(tmp_path / "landing", accept_unknown=False, metrics_port=0) as running:
        port = running.service.metrics_port
        assert port
        before = scrape(port)
        replies = exchange(running.port, registered, expect=len(registered))
        exchange(running.port, [*stranger, bad_crc(registered[0])], expect=0, timeout=0.5)
        assert wait_until(lambda: running.receiver.stats.frames_received == 16)
        after = scrape(port)

    assert len(replies) == 12
    assert before[frames("received")] == 0 and before[frames("answered")] == 0
    assert after[frames("received")] == 16
    assert after[frames("landed")] == 12
    assert after[frames("answered")] == 12
    assert after[frames("rejected", "unknown-device")] == 3
    assert after[frames("rejected", "crc")] == 1
    assert after[("envplan_hj212_connections_total", ())] == 2
    fsyncs = after[("envplan_hj212_landing_fsync_seconds_count", ())]
    assert fsyncs >= 1
    assert after[("envplan_hj212_landing_fsync_seconds_sum", ())] > 0
    assert after[("envplan_hj212_landing_fsync_seconds_bucket", (("le", "+Inf"),))] == fsyncs


def test_the_ingest_backlog_grows_with_closed_landing_files_and_falls_after_ingest(
    device: Device, tmp_path: Path
):
    landing = tmp_path / "landing"
    with receiver_thread(landing, accept_unknown=False) as running:
        exchange(running.port, [frame for _, frame in device_frames(1, 6)], expect=6)
        stats = running.receiver.stats
    # Stopped: the landing file is closed and waits for ingest.
    collector = ReceiverCollector(stats, landing)
    waiting = {
        m.name: m.samples[0].value for m in collector.collect() if m.name.startswith("envplan_hj212_ingest")
    }
    files, size = backlog(landing)

    ingest_landing(landing)

    assert files == 1 and size > 0
    assert waiting == {"envplan_hj212_ingest_backlog_bytes": size, "envplan_hj212_ingest_backlog_files": 1}
    assert backlog(landing) == (0, 0)


def test_a_metrics_port_in_use_stops_the_receiver_with_one_line(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = envplan(
            "hj212", "serve-standalone", "--port", "0", "--landing", str(tmp_path / "landing"),
            "--metrics-port", str(port),
        )  # fmt: skip

    assert code == 2
    assert err.count("\n") == 1 and f"the metrics port 127.0.0.1:{port}: Address already in use" in err
