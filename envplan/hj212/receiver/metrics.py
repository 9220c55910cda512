"""The receiver's metrics in Prometheus' text format, on a port of its own (`--metrics-port`).

Read from the receiver's own counters (:class:`~envplan.hj212.receiver.stats.ReceiverStats`) when scraped:
the event loop counts as it always did and pays nothing more for being watched. The landing fsync's
latency is the one figure measured for this (:attr:`envplan.lake.landing.LandingLog.fsync_observer`).

    envplan_hj212_frames_total{result="received|landed|quarantined|answered|rejected", reason="..."}
    envplan_hj212_connections_open, envplan_hj212_connections_total, envplan_hj212_connections_refused_total
    envplan_hj212_connections_closed_total{reason}, envplan_hj212_replies_dropped_total
    envplan_hj212_landing_errors_total, envplan_hj212_landing_fsync_seconds (histogram)
    envplan_hj212_ingest_backlog_bytes, envplan_hj212_ingest_backlog_files (closed landing files not yet
    moved into the lake, of every receiver of the folder)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from envplan.hj212.receiver.stats import ReceiverStats
from envplan.lake.landing import backlog

FSYNC_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


def _copy(counter: Counter[Any]) -> dict[Any, int]:
    """A copy of a counter the event loop may be adding a key to meanwhile."""
    for _ in range(5):
        try:
            return dict(counter)
        except RuntimeError:  # changed size during the copy: try again
            continue
    return {}


class ReceiverCollector(Collector):
    """The receiver's counters, read when Prometheus scrapes."""

    def __init__(self, stats: ReceiverStats, landing: Path) -> None:
        self.stats = stats
        self.landing = landing

    def collect(self) -> Iterator[Metric]:
        stats = self.stats
        frames = CounterMetricFamily(
            "envplan_hj212_frames",
            "HJ 212 items received, landed (quarantined: of unknown devices), answered, rejected by reason",
            labels=["result", "reason"],
        )
        frames.add_metric(["received", ""], stats.frames_received)
        frames.add_metric(["landed", ""], stats.frames_landed)
        frames.add_metric(["quarantined", ""], stats.frames_quarantined)
        frames.add_metric(["answered", ""], stats.replies_sent)
        by_reason: Counter[str] = Counter()
        for (_mn, reason), count in _copy(stats.rejected).items():
            by_reason[reason] += count
        for reason, count in sorted(by_reason.items()):
            frames.add_metric(["rejected", reason], count)
        yield frames
        yield GaugeMetricFamily(
            "envplan_hj212_connections_open", "Data-logger connections open now", value=stats.connections_open
        )
        yield CounterMetricFamily(
            "envplan_hj212_connections", "Connections accepted", value=stats.connections_opened
        )
        yield CounterMetricFamily(
            "envplan_hj212_connections_refused",
            "Connections closed on arrival: the most connections were open",
            value=stats.connections_refused,
        )
        closed = CounterMetricFamily(
            "envplan_hj212_connections_closed",
            "Connections cut by the receiver, by reason",
            labels=["reason"],
        )
        for reason, count in sorted(_copy(stats.closed).items()):
            closed.add_metric([reason], count)
        yield closed
        yield CounterMetricFamily(
            "envplan_hj212_replies_dropped",
            "Replies not sent: the connection had closed or the batch could not be made durable",
            value=stats.replies_dropped,
        )
        yield CounterMetricFamily(
            "envplan_hj212_landing_errors",
            "Landing batches that could not be made durable",
            value=stats.landing_errors,
        )
        files, size = backlog(self.landing)
        yield GaugeMetricFamily(
            "envplan_hj212_ingest_backlog_bytes",
            "Bytes of closed landing files waiting for `envplan sources ingest`",
            value=size,
        )
        yield GaugeMetricFamily(
            "envplan_hj212_ingest_backlog_files", "Closed landing files waiting for ingest", value=files
        )


def receiver_registry(stats: ReceiverStats, landing: Path) -> tuple[CollectorRegistry, Histogram]:
    """A registry of the receiver's metrics, and the fsync histogram to give the landing log."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(ReceiverCollector(stats, landing))
    fsync = Histogram(
        "envplan_hj212_landing_fsync_seconds",
        "Time each landing batch's fsync took",
        buckets=FSYNC_BUCKETS,
        registry=registry,
    )
    return registry, fsync


def serve_metrics(stats: ReceiverStats, landing: Any, *, host: str, port: int) -> tuple[Any, int]:
    """Serve the receiver's metrics on HOST:PORT (port 0: any free one) on a thread of their own; the
    landing log's fsyncs are timed from now. Returns the HTTP server (`.shutdown()` stops it) and its port."""
    registry, fsync = receiver_registry(stats, Path(landing.directory))
    landing.fsync_observer = fsync.observe
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server, int(server.server_address[1])
