"""Benchmark the HJ 212 receiver (loopback only).

Measures, in one run:
  1. CRC speed: the Annex A bitwise routine, a table loop, and envplan's folded table (the one used).
  2. Sustained frames/s with N concurrent connections (default 1,000), driven by `envplan hj212 simulate`
     in its own process against `serve-standalone` in another; every reply is checked (zero loss means
     unanswered = 0, bad = 0, and landed frames = sent frames).
  3. Reply latency p50/p99 (from the simulator) and receiver memory per idle connection (RSS delta).
  4. The same load against a naive receiver (asyncio streams: split on CRLF, check CRC, reply, append
     to a file, no fsync) for a ratio.

Usage: python bench/hj212.py [--quick] [--devices N] [--rate R] [--duration S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from envplan.hj212.cli import run_event_loop  # noqa: E402  # after sys.path
from envplan.hj212.crc import crc_hj212, crc_hj212_bitwise, crc_hj212_table  # noqa: E402  # after sys.path
from envplan.hj212.frame import encode_frame  # noqa: E402  # after sys.path
from envplan.lake.landing import replay  # noqa: E402  # after sys.path

CLI = "import sys; from envplan.hj212.cli import main; sys.exit(main(sys.argv[1:]))"


def bench_crc(quick: bool) -> dict[str, float]:
    rng = random.Random(212)
    data = [bytes(rng.randrange(32, 127) for _ in range(300)) for _ in range(50)]
    results: dict[str, float] = {}
    for name, fn, rounds in (
        ("bitwise", crc_hj212_bitwise, 2 if quick else 10),
        ("table", crc_hj212_table, 20 if quick else 100),
        ("folded", crc_hj212, 20 if quick else 100),
    ):
        start = time.perf_counter()
        for _ in range(rounds):
            for d in data:
                fn(d)
        elapsed = time.perf_counter() - start
        results[name] = elapsed / (rounds * len(data)) * 1e6
    return results


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_receiver(landing: Path) -> tuple[subprocess.Popen[str], int, Path]:
    stats = landing.parent / "stats.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CLI,
            "serve-standalone",
            "--port",
            "0",
            "--landing",
            str(landing),
            "--accept-unknown-devices",
            "--stats-json",
            str(stats),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    port = int(process.stdout.readline().rsplit(":", 1)[1])
    return process, port, stats


def start_naive(path: Path) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--naive-server", str(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert process.stdout is not None
    port = int(process.stdout.readline().strip())
    return process, port


def simulate(port: int, devices: int, rate: float, duration: float) -> dict[str, object]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            CLI,
            "simulate",
            "--devices",
            str(devices),
            "--rate",
            str(rate),
            "--duration",
            str(duration),
            "--port",
            str(port),
            "--json",
            "--grace",
            "15",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if not out.stdout.strip():
        raise SystemExit(f"simulator failed: {out.stderr[-2000:]}")
    result: dict[str, object] = json.loads(out.stdout)
    return result


def memory_per_connection(pid: int, count: int) -> float:
    before = rss_kib(pid)
    port = PORTS[pid]
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        sockets.append(s)
    time.sleep(0.5)
    after = rss_kib(pid)
    for s in sockets:
        s.close()
    time.sleep(0.2)
    return (after - before) * 1024 / count


PORTS: dict[int, int] = {}

# -------------------------------------------------------------------------------------- naive receiver

_QN = re.compile(rb"QN=(\d{17})")
_MN = re.compile(rb"MN=([^;]*)")


async def naive_server(path: Path) -> None:
    log = path.open("ab")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readuntil(b"\r\n")
                segment = line[6:-6]
                if crc_hj212(segment) != int(line[-6:-2], 16):
                    continue
                log.write(line)
                qn = _QN.search(segment)
                mn = _MN.search(segment)
                if qn and mn:
                    reply = b"QN=%s;ST=91;CN=9014;PW=123456;MN=%s;Flag=4;CP=&&&&" % (qn.group(1), mn.group(1))
                    writer.write(encode_frame(reply))
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    log.close()


# ---------------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--devices", type=int)
    parser.add_argument("--rate", type=float)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--naive-server")
    args = parser.parse_args()
    if args.naive_server:
        run_event_loop(naive_server(Path(args.naive_server)))
        return 0
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(65536, hard), hard))
    devices = args.devices or (100 if args.quick else 1000)
    rate = args.rate or (2000.0 if args.quick else 20000.0)
    duration = args.duration or (2.0 if args.quick else 10.0)

    crc = bench_crc(args.quick)
    print(
        "CRC of a 300-byte segment (us):",
        {k: round(v, 2) for k, v in crc.items()},
        f"folded vs table x{crc['table'] / crc['folded']:.1f},",
        f"vs bitwise x{crc['bitwise'] / crc['folded']:.0f}",
    )
    print("  (no compiled CRC package computes the HJ 212 CRC: see the envplan/hj212/crc.py docstring)")

    try:
        import uvloop

        loop_name = f"uvloop {getattr(uvloop, '__version__', '?')}"
    except ImportError:
        loop_name = "asyncio (uvloop not installed)"
    saturate = rate * 3
    with tempfile.TemporaryDirectory(prefix="hj212-bench-") as tmp:
        landing = Path(tmp) / "landing"
        receiver, port, stats_path = start_receiver(landing)
        PORTS[receiver.pid] = port
        try:
            per_conn = memory_per_connection(receiver.pid, min(devices, 1000))
            ours = simulate(port, devices, rate, duration)
            peak_rss = rss_kib(receiver.pid)
            ours_max = simulate(port, devices, saturate, duration / 2)
        finally:
            receiver.send_signal(signal.SIGTERM)
            receiver.wait(30)
        counters = json.loads(stats_path.read_text())
        landed = sum(1 for p in sorted(landing.glob("*.log")) for _ in replay(p))

        naive, naive_port = start_naive(Path(tmp) / "naive.log")
        try:
            theirs = simulate(naive_port, devices, rate, duration)
            theirs_max = simulate(naive_port, devices, saturate, duration / 2)
        finally:
            naive.send_signal(signal.SIGTERM)
            naive.wait(30)

    def line(name: str, r: dict[str, object]) -> str:
        return (
            f"  {name:8s} sent {r['sent']} answered {r['answered']} unanswered {r['unanswered']} "
            f"bad {r['bad_replies']} | sent {r['sent_per_s']}/s answered {r['answered_per_s']}/s | "
            f"p50 {r['latency_p50_ms']:.1f} ms p99 {r['latency_p99_ms']:.1f} ms"
        )

    print(f"event loop: {loop_name}; CPU cores: {os.cpu_count()} (simulator and receiver share them)")
    print(
        f"load A: {devices} connections, target {rate:.0f} frames/s for {duration:.0f} s, every frame Flag=5"
    )
    print(line("envplan", ours))
    print(line("naive", theirs))
    print(f"load B (saturation): target {saturate:.0f} frames/s for {duration / 2:.0f} s")
    print(line("envplan", ours_max))
    print(line("naive", theirs_max))
    total_sent = int(ours["sent"]) + int(ours_max["sent"])  # type: ignore[call-overload]  # JSON ints
    print(
        f"envplan landed {landed} of {total_sent} sent (fsyncs {counters['fsyncs']}, "
        f"{counters['frames_landed'] / max(1, counters['fsyncs']):.0f} frames per fsync); "
        f"peak RSS {peak_rss / 1024:.1f} MiB; {per_conn / 1024:.1f} KiB per idle connection"
    )
    zero_loss = (
        ours["unanswered"] == 0
        and ours["bad_replies"] == 0
        and ours_max["bad_replies"] == 0
        and landed >= int(ours["answered"]) + int(ours_max["answered"])  # type: ignore[call-overload]  # JSON ints
    )
    ratio = float(ours_max["answered_per_s"]) / max(1.0, float(theirs_max["answered_per_s"]))  # type: ignore[arg-type]  # JSON numbers
    print(
        f"zero loss at {rate:.0f}/s: {zero_loss}; saturated answered/s ratio envplan/naive = {ratio:.2f} "
        "(envplan fsyncs before replying; naive does not)"
    )
    return 0 if zero_loss else 1


if __name__ == "__main__":
    sys.exit(main())
