"""Load generator: many simulated data loggers speaking HJ 212-2017 to a receiver.

Every device holds one TCP connection and uploads real-time (2011), minute (2051) and hourly (2061) data
with Flag=5 (2017, reply requested).  Frames are built before the clock starts; during the run a ticker
writes, every few milliseconds, the frames due by then (interleaved across devices, so the aggregate rate
is ``rate`` frames per second).  Every reply is checked: standard CRC, CN=9014, QN echoing a frame sent
on that connection and not answered before.
"""

from __future__ import annotations

import asyncio
import time
from array import array
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import cast

from envplan.hj212.codes import Edition
from envplan.hj212.crc import crc_hj212
from envplan.hj212.replies import build_frame, data_cp, qn_for
from envplan.hj212.segment import Flag

_BASE = datetime(2026, 1, 1)


def device_mn(index: int) -> str:
    """A 24-hex-digit MN (HJ 212-2017 §6.3.2: EPC-96)."""
    return f"010000A89000{index:012X}"


def device_frames(index: int, count: int, *, password: str = "123456") -> list[tuple[bytes, bytes]]:
    """``count`` (QN, frame) pairs for one device: every 12th frame hourly data (2061), every 4th otherwise
    minute data (2051), the rest real-time data (2011); DataTimes never repeat within a kind."""
    mn = device_mn(index)
    flag = Flag.build(Edition.HJ212_2017, reply_requested=True)
    out: list[tuple[bytes, bytes]] = []
    for i in range(count):
        qn = qn_for(_BASE + timedelta(milliseconds=i))
        fields: tuple[str, ...]
        if i % 12 == 11:
            cn, when, fields = "2061", _BASE + timedelta(hours=i), ("Avg", "Min", "Max")
        elif i % 4 == 3:
            cn, when, fields = "2051", _BASE + timedelta(minutes=i), ("Avg", "Min", "Max")
        else:
            cn, when, fields = "2011", _BASE + timedelta(seconds=i), ("Rtd",)
        values: dict[str, dict[str, object]] = {}
        for n, factor in enumerate(("a21026", "a21002", "a34013", "a19001")):
            entry: dict[str, object] = {name: f"{(index + i + n) % 97 + 0.5:.2f}" for name in fields}
            entry["Flag"] = "N"
            values[factor] = entry
        cp = data_cp(when.strftime("%Y%m%d%H%M%S"), values)
        frame = build_frame(qn=qn, st="31", cn=cn, pw=password, mn=mn, flag=flag, cp=cp)
        out.append((qn.encode(), frame))
    return out


@dataclass
class SimulationResult:
    devices: int
    connected: int
    sent: int
    answered: int
    unanswered: int
    bad_replies: int
    duplicate_replies: int
    duration_s: float
    sent_per_s: float
    answered_per_s: float
    latency_p50_ms: float | None
    latency_p99_ms: float | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def as_text(self) -> str:
        def ms(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.2f} ms"

        return (
            f"devices {self.devices} (connected {self.connected})\n"
            f"sent {self.sent} frames in {self.duration_s:.2f} s ({self.sent_per_s:.0f}/s)\n"
            f"answered {self.answered} ({self.answered_per_s:.0f}/s), unanswered {self.unanswered}, "
            f"bad replies {self.bad_replies}, duplicate replies {self.duplicate_replies}\n"
            f"reply latency p50 {ms(self.latency_p50_ms)}, p99 {ms(self.latency_p99_ms)}\n"
        )


class _Client(asyncio.Protocol):
    def __init__(self, sim: _Simulation) -> None:
        self.sim = sim
        self.transport: asyncio.Transport | None = None
        self.outstanding: dict[bytes, float] = {}
        self.answered: set[bytes] = set()
        self.buffer = b""
        self.lost = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement the interface without subclassing asyncio.Transport
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(None)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        lines = buffer.split(b"\r\n")
        self.buffer = lines.pop()
        now = time.perf_counter()
        sim = self.sim
        for line in lines:
            segment = line[6:-4]
            if (
                line[:2] != b"##"
                or not segment.startswith(b"QN=")
                or b";CN=9014;" not in segment
                or _crc_field(line) != crc_hj212(segment)
            ):
                sim.bad_replies += 1
                continue
            qn = segment[3:20]
            sent_at = self.outstanding.pop(qn, None)
            if sent_at is None:
                if qn in self.answered:
                    sim.duplicate_replies += 1
                else:
                    sim.bad_replies += 1
                continue
            self.answered.add(qn)
            sim.latencies.append(now - sent_at)


def _crc_field(line: bytes) -> int:
    try:
        return int(line[-4:], 16)
    except ValueError:
        return -1


class _Simulation:
    def __init__(self) -> None:
        self.latencies = array("d")
        self.bad_replies = 0
        self.duplicate_replies = 0


def _percentile(values: array[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000.0


async def simulate(
    host: str,
    port: int,
    *,
    devices: int,
    rate: float,
    duration: float,
    grace: float = 10.0,
    tick: float = 0.005,
    connect_parallel: int = 200,
) -> SimulationResult:
    """Connect ``devices`` loggers, send ``rate`` frames/s in total for ``duration`` s, wait ``grace`` s
    for the last replies, then report."""
    per_device = max(1, round(rate * duration / devices))
    prepared = [device_frames(i, per_device) for i in range(devices)]
    # interleave: frame k of every device before frame k+1 of any
    schedule = [(d, k) for k in range(per_device) for d in range(devices)]
    loop = asyncio.get_running_loop()
    sim = _Simulation()
    gate = asyncio.Semaphore(connect_parallel)

    async def connect() -> _Client | None:
        async with gate:
            try:
                _, client = await loop.create_connection(lambda: _Client(sim), host, port)
            except OSError:
                return None
            return client

    clients = await asyncio.gather(*(connect() for _ in range(devices)))
    total = len(schedule)
    cursor = 0
    start = time.perf_counter()
    while cursor < total:
        elapsed = time.perf_counter() - start
        target = min(total, int(elapsed * rate) + 1)
        batch: dict[asyncio.Transport, list[bytes]] = {}
        now = time.perf_counter()
        for d, k in schedule[cursor:target]:
            client = clients[d]
            if client is None or client.transport is None or client.transport.is_closing():
                continue
            qn, frame = prepared[d][k]
            client.outstanding[qn] = now
            batch.setdefault(client.transport, []).append(frame)
        for transport, frames in batch.items():
            transport.write(b"".join(frames))
        cursor = target
        await asyncio.sleep(tick)
    send_end = time.perf_counter()
    deadline = send_end + grace
    while time.perf_counter() < deadline and any(c is not None and c.outstanding for c in clients):
        await asyncio.sleep(0.01)
    end = time.perf_counter()
    for client in clients:
        if client is not None and client.transport is not None:
            client.transport.close()
    answered = len(sim.latencies)
    sent = sum(len(c.outstanding) + len(c.answered) for c in clients if c is not None)
    duration_s = send_end - start
    return SimulationResult(
        devices=devices,
        connected=sum(1 for c in clients if c is not None),
        sent=sent,
        answered=answered,
        unanswered=sent - answered,
        bad_replies=sim.bad_replies,
        duplicate_replies=sim.duplicate_replies,
        duration_s=round(duration_s, 3),
        sent_per_s=round(sent / duration_s, 1) if duration_s > 0 else 0.0,
        answered_per_s=round(answered / (end - start), 1) if end > start else 0.0,
        latency_p50_ms=_percentile(sim.latencies, 0.50),
        latency_p99_ms=_percentile(sim.latencies, 0.99),
    )
