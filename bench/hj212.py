"""Benchmark the HJ 212 receiver (loopback only).

Measures, in one run:
  1. CRC speed: the Annex A bitwise routine, a table loop, and envplan's folded table (the one used).
  2. Sustained frames/s with N concurrent connections (default 1,000), driven by `envplan hj212 simulate`
     in its own process against `serve-standalone` in another; every reply is checked (zero loss means
     unanswered = 0, bad = 0, and landed frames = sent frames).
  3. Reply latency p50/p99 (from the simulator) and receiver memory per idle connection (RSS delta).
  4. The same load against a naive receiver (asyncio streams: split on CRLF, check CRC, reply, append
     to a file, no fsync) for a ratio.  Saturation runs alternate between the two receivers (AB BA ...)
     and the ratio uses the median of the rounds, because the machine's other load drifts; each run also
     reports the receiver's own CPU time per answered frame (from /proc), which that load barely affects.

  5. With --ingest, instead: `envplan sources ingest` over a generated backlog of landing files (default
     1 GiB, --quick 64 MiB), its peak memory (the process's maximum RSS) against the backlog's size,
     and its rate.

Usage: python bench/hj212.py [--quick] [--devices N] [--rate R] [--duration S] [--rounds K]
       python bench/hj212.py --ingest [--quick] [--backlog-mb M]
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
from tests.commandline import ENTRY, standalone_receiver  # noqa: E402  # after sys.path

CLI = ENTRY.format(group="hj212")


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
    process, port = standalone_receiver(landing, "--stats-json", str(stats))
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(pid: int, port: int, devices: int, rate: float, duration: float) -> dict[str, object]:
    """One simulator run, plus the receiver's CPU time per answered frame and the load average."""
    load = os.getloadavg()[0]
    before = cpu_seconds(pid)
    result = simulate(port, devices, rate, duration)
    used = cpu_seconds(pid) - before
    result["cpu_us_per_frame"] = used / max(1, int(result["answered"])) * 1e6  # type: ignore[call-overload]  # JSON int
    result["load"] = load
    return result


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


# ---------------------------------------------------------------------------------------------- ingest


def write_backlog(folder: Path, target_bytes: int) -> tuple[int, int]:
    """Closed landing files holding about ``target_bytes`` of distinct uploads: many devices, each sending
    real-time, minute and hourly data (as the simulator does) over the same few days, as a backlog left
    by an ingest outage would hold; returns (files, frames)."""
    from envplan.hj212.simulator import device_frames, device_mn
    from envplan.lake.landing import LandingLog

    log = LandingLog(folder, prefix="bench")
    frames = 0
    device = 0
    while sum(p.stat().st_size for p in folder.glob("*.*")) < target_bytes:
        for _ in range(500):  # devices between size checks
            device += 1
            mn = device_mn(device)
            for _, frame in device_frames(device, 120):  # hourly data over five days
                cn = frame[frame.index(b"CN=") + 3 : frame.index(b"CN=") + 7].decode()
                meta = {"mn": mn, "cn": cn, "crc": "standard", "status": "accepted"}
                log.append(frame, received_ns=1_767_225_600_000_000_000 + frames, peer="bench", meta=meta)
                frames += 1
            log.flush_durable()
    log.close()
    return len(list(folder.glob("*.log"))), frames


def bench_ingest(backlog_mb: int) -> int:
    with tempfile.TemporaryDirectory(prefix="hj212-ingest-") as tmp:
        data = Path(tmp) / "data"
        landing = Path(tmp) / "landing"
        landing.mkdir(parents=True)
        started = time.perf_counter()
        files, frames = write_backlog(landing, backlog_mb << 20)
        size = sum(p.stat().st_size for p in landing.glob("*.log"))
        print(
            f"backlog: {files} landing files, {size / 2**20:.0f} MiB, {frames} frames "
            f"(written in {time.perf_counter() - started:.0f} s)"
        )
        env = {**os.environ, "ENVPLAN_DATA_DIR": str(data)}
        env.pop("ENVPLAN_DATABASE_URL", None)
        subprocess.run([sys.executable, "-m", "envplan", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        command = [sys.executable, "-m", "envplan", "sources", "ingest", "--landing", str(landing)]
        out_path, err_path = Path(tmp) / "out.txt", Path(tmp) / "err.txt"
        started = time.perf_counter()
        with out_path.open("wb") as out_file, err_path.open("wb") as err_file:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out_file, stderr=err_file)
            # wait4 gives the maximum RSS of this one process (KiB on Linux)
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        peak = usage.ru_maxrss
        if process.returncode != 0:
            print(err_path.read_text()[-2000:])
            return 1
        out = out_path.read_bytes()
        print(f"envplan sources ingest: {out.decode().strip()}")
        lake_files = sum(1 for _ in (data / "lake").rglob("*.parquet"))
        print(
            f"ingest of {size / 2**20:.0f} MiB: peak RSS {peak / 1024:.0f} MiB "
            f"({peak * 1024 / size:.2f} x the backlog), {elapsed:.0f} s, {frames / elapsed:.0f} frames/s, "
            f"{lake_files} lake files written"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--devices", type=int)
    parser.add_argument("--rate", type=float)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--rounds", type=int, help="saturation rounds per receiver, interleaved (default 2)")
    parser.add_argument(
        "--saturation-factor", type=float, default=6.0, help="saturation target as a multiple of --rate"
    )
    parser.add_argument("--naive-server")
    parser.add_argument("--ingest", action="store_true", help="measure `sources ingest` over a backlog")
    parser.add_argument(
        "--backlog-mb", type=int, help="MiB of landing files for --ingest (default 1024, quick 64)"
    )
    args = parser.parse_args()
    if args.ingest:
        return bench_ingest(args.backlog_mb or (64 if args.quick else 1024))
    if args.naive_server:
        run_event_loop(naive_server(Path(args.naive_server)))
        return 0
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(65536, hard), hard))
    devices = args.devices or (100 if args.quick else 1000)
    rate = args.rate or (2000.0 if args.quick else 20000.0)
    duration = args.duration or (2.0 if args.quick else 10.0)
    rounds = args.rounds or (1 if args.quick else 2)

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
    # Saturation: a target well above what either receiver answers on this machine (the simulator alone
    # sends about 120,000 frames/s from one core), so both receivers run flat out.
    saturate = rate * args.saturation_factor
    runs: dict[str, dict[str, object]] = {}
    saturated: dict[str, list[dict[str, object]]] = {"envplan": [], "naive": []}
    with tempfile.TemporaryDirectory(prefix="hj212-bench-") as tmp:
        landing = Path(tmp) / "landing"
        receiver, port, stats_path = start_receiver(landing)
        naive, naive_port = start_naive(Path(tmp) / "naive.log")
        PORTS[receiver.pid] = port
        PORTS[naive.pid] = naive_port
        targets = {"envplan": (receiver.pid, port), "naive": (naive.pid, naive_port)}
        try:
            per_conn = memory_per_connection(receiver.pid, min(devices, 1000))
            naive_per_conn = memory_per_connection(naive.pid, min(devices, 1000))
            for name, (pid, target_port) in targets.items():
                runs[name] = measured(pid, target_port, devices, rate, duration)
            peak_rss = rss_kib(receiver.pid)
            # saturation rounds alternate the order (AB BA ...) so that a drift in the machine's other load
            # does not favour either receiver
            for round_no in range(rounds):
                order = ["envplan", "naive"] if round_no % 2 == 0 else ["naive", "envplan"]
                for name in order:
                    pid, target_port = targets[name]
                    saturated[name].append(measured(pid, target_port, devices, saturate, duration / 2))
        finally:
            for process in (receiver, naive):
                process.send_signal(signal.SIGTERM)
            receiver.wait(30)
            naive.wait(30)
        counters = json.loads(stats_path.read_text())
        landed = sum(1 for p in sorted(landing.glob("*.log")) for _ in replay(p))

    def line(name: str, r: dict[str, object]) -> str:
        return (
            f"  {name:8s} sent {r['sent']} answered {r['answered']} unanswered {r['unanswered']} "
            f"bad {r['bad_replies']} | sent {r['sent_per_s']}/s answered {r['answered_per_s']}/s | "
            f"p50 {r['latency_p50_ms']:.1f} ms p99 {r['latency_p99_ms']:.1f} ms | "
            f"receiver CPU {r['cpu_us_per_frame']:.1f} us/frame | load {r['load']:.1f}"
        )

    print(f"event loop: {loop_name}; CPU cores: {os.cpu_count()} (simulator and receivers share them)")
    print(
        f"load A: {devices} connections, target {rate:.0f} frames/s for {duration:.0f} s, every frame Flag=5"
    )
    print(line("envplan", runs["envplan"]))
    print(line("naive", runs["naive"]))
    print(
        f"load B (saturation): target {saturate:.0f} frames/s for {duration / 2:.0f} s, "
        f"{rounds} round(s) per receiver, interleaved"
    )
    for name, results in saturated.items():
        for result in results:
            print(line(name, result))

    def med(name: str, key: str) -> float:
        return median([float(r[key]) for r in saturated[name]])  # type: ignore[arg-type]  # JSON numbers

    total_sent = sum(int(r["sent"]) for r in [runs["envplan"], *saturated["envplan"]])  # type: ignore[call-overload]  # JSON ints
    total_answered = sum(int(r["answered"]) for r in [runs["envplan"], *saturated["envplan"]])  # type: ignore[call-overload]  # JSON ints
    print(
        f"envplan landed {landed} of {total_sent} sent (fsyncs {counters['fsyncs']}, "
        f"{counters['frames_landed'] / max(1, counters['fsyncs']):.0f} frames per fsync); "
        f"peak RSS {peak_rss / 1024:.1f} MiB; {per_conn / 1024:.1f} KiB per idle connection "
        f"(naive {naive_per_conn / 1024:.1f} KiB)"
    )
    ours = runs["envplan"]
    zero_loss = (
        ours["unanswered"] == 0
        and ours["bad_replies"] == 0
        and all(r["bad_replies"] == 0 for r in saturated["envplan"])
        and landed >= total_answered
    )
    ratio = med("envplan", "answered_per_s") / max(1.0, med("naive", "answered_per_s"))
    cpu_ratio = med("naive", "cpu_us_per_frame") / max(1e-9, med("envplan", "cpu_us_per_frame"))
    print(
        f"zero loss at {rate:.0f}/s: {zero_loss}; saturated answered/s (median of rounds) envplan "
        f"{med('envplan', 'answered_per_s'):.0f} / naive {med('naive', 'answered_per_s'):.0f} = {ratio:.2f}; "
        f"receiver CPU per frame naive/envplan = {cpu_ratio:.2f}"
    )
    print("  (envplan lands, fsyncs and counts before replying; naive appends to a file without fsync)")
    return 0 if zero_loss else 1


if __name__ == "__main__":
    sys.exit(main())
