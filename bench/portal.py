"""Benchmark: the public portal under a crowd of anonymous readers, served by the real server.

Starts `envplan serve` (gunicorn, its default 2 workers x 8 threads) on a fresh data folder with the demo
loaded, then runs N concurrent anonymous readers with an asyncio HTTP/1.1 client (keep-alive, reconnecting
when the server closes an idle connection). Each reader opens a public page or an open-data download in one
of the three languages, reads it for a random 2 to 8 seconds, and opens the next, for the whole run; the
readers arrive over the first 8 seconds. Latency is measured from sending the request to the last byte of
the body. Prints the request rate, p50/p95/p99 and errors, against a baseline measured in the same run: one
reader alone, page after page with no pause.

    .venv/bin/python bench/portal.py                  # 1,000 readers for 60 s
    .venv/bin/python bench/portal.py --quick          # 50 readers for 10 s, the plan-only demo (smoke run)
    .venv/bin/python bench/portal.py --url http://127.0.0.1:8000   # against a server already running

Exit code 1 when a request failed or, in a full run, when p95 is 300 ms or more.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
ENVPLAN = ROOT / ".venv" / "bin" / "envplan"
LANGUAGES = ("en", "zh-hans", "fr")
P95_LIMIT_MS = 300.0
# What a crowd opens: the front page most, then the sections, the lists and the downloads.
PAGES = (
    ("/public/", 6),
    ("/public/plan/", 3),
    ("/public/air/", 4),
    ("/public/water/", 3),
    ("/public/credit/", 2),
    ("/public/corrections/", 1),
    ("/public/data/", 1),
    ("/public/data/catalog.jsonld", 1),
    ("/public/data/air-stations-today.csv", 1),
    ("/public/data/water-sections.json", 1),
    ("/public/data/plan-tasks.csv", 1),
)


@dataclass
class Results:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(ENVPLAN), *args], env=env, check=True, stdout=subprocess.DEVNULL)


def start_server(quick: bool, data: str) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "ENVPLAN_DATA_DIR": data}
    print(
        f"data folder {data}: migrating and loading the demo{' (plan only)' if quick else ''} …", flush=True
    )
    run("migrate", "--no-input", env=env)
    run("demo", *(["--plan-only"] if quick else []), env=env)
    run("static", env=env)
    port = free_port()
    server = subprocess.Popen(
        [str(ENVPLAN), "serve", "--bind", f"127.0.0.1:{port}", "--no-jobs", "--no-collectstatic"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{url}/health/", timeout=1) as answer:
                if answer.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


class Connection:
    """One reader's keep-alive HTTP/1.1 connection, reopened when the server has closed it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str, language: str) -> tuple[int, int]:
        """(status, body bytes); retries once on a fresh connection if a kept one was closed."""
        for attempt in (1, 2):
            reused = self.writer is not None
            if not reused:
                await self.open()
            try:
                return await self._exchange(path, language)
            except (ConnectionError, asyncio.IncompleteReadError, EOFError):
                self.close()
                if not reused or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, path: str, language: str) -> tuple[int, int]:
        assert self.reader is not None and self.writer is not None
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept-Language: {language}\r\n"
            "Accept-Encoding: identity\r\nConnection: keep-alive\r\nUser-Agent: envplan-bench\r\n\r\n"
        )
        self.writer.write(request.encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
        }
        if headers.get("transfer-encoding", "").lower() == "chunked":
            size = 0
            while True:
                chunk = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                await self.reader.readexactly(chunk + 2)
                size += chunk
                if chunk == 0:
                    break
        else:
            size = int(headers.get("content-length", "0"))
            await self.reader.readexactly(size)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, size


def choose(rng: random.Random) -> tuple[str, str]:
    paths = [p for p, weight in PAGES for _ in range(weight)]
    return rng.choice(paths), rng.choice(LANGUAGES)


async def reader_loop(
    number: int, url: str, deadline: float, results: Results, *, think: tuple[float, float], arrive: float
) -> None:
    rng = random.Random(number)
    parts = urlsplit(url)
    connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80)
    await asyncio.sleep(rng.uniform(0, arrive))
    while time.monotonic() < deadline:
        path, language = choose(rng)
        start = time.perf_counter()
        try:
            status, _size = await connection.get(path, language)
        except (OSError, asyncio.IncompleteReadError, EOFError, ValueError) as error:
            results.error(type(error).__name__)
            connection.close()
        else:
            results.latencies_ms.append((time.perf_counter() - start) * 1000)
            if status != 200:
                results.error(f"HTTP {status}")
        await asyncio.sleep(min(rng.uniform(*think), max(0.0, deadline - time.monotonic())))
    connection.close()


async def crowd(url: str, readers: int, seconds: float, think: tuple[float, float]) -> tuple[Results, float]:
    results = Results()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(reader_loop(n, url, deadline, results, think=think, arrive=think[1]) for n in range(readers))
    )
    return results, time.monotonic() - started


async def alone(url: str, requests: int) -> Results:
    results = Results()
    parts = urlsplit(url)
    connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80)
    rng = random.Random(0)
    for _ in range(requests):
        path, language = choose(rng)
        start = time.perf_counter()
        status, _size = await connection.get(path, language)
        results.latencies_ms.append((time.perf_counter() - start) * 1000)
        if status != 200:
            results.error(f"HTTP {status}")
    connection.close()
    return results


async def warm(url: str) -> None:
    """Every page once in every language: the first render of each (and the AQI kernel's first compile in
    each worker) is not what a crowd meets."""
    parts = urlsplit(url)
    for _ in range(8):  # connections spread over the workers
        connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80)
        for path, _weight in PAGES:
            for language in LANGUAGES:
                await connection.get(path, language)
        connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 readers for 10 s on the plan-only demo")
    parser.add_argument("--readers", type=int)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"))
    parser.add_argument("--url", help="an envplan server already running (its demo loaded)")
    args = parser.parse_args()
    readers = args.readers or (50 if args.quick else 1000)
    seconds = args.seconds or (10.0 if args.quick else 60.0)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * readers + 256)), hard))
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    server = None
    url = args.url
    folder = tempfile.TemporaryDirectory(prefix="envplan-bench-portal-")
    if url is None:
        server, url = start_server(args.quick, folder.name)
    try:
        asyncio.run(warm(url))
        baseline = asyncio.run(alone(url, 200))
        results, elapsed = asyncio.run(crowd(url, readers, seconds, tuple(args.think)))
    finally:
        if server is not None:
            os.killpg(server.pid, 15)
            server.wait(30)
        folder.cleanup()

    base_p50 = statistics.median(baseline.latencies_ms)
    lat = results.latencies_ms
    p50, p95, p99 = (percentile(lat, q) for q in (0.50, 0.95, 0.99))
    print(f"one reader alone, no pause: {len(baseline.latencies_ms)} requests, p50 {base_p50:.1f} ms")
    print(
        f"{readers} readers ({args.think[0]:g}-{args.think[1]:g} s on each page) for {elapsed:.0f} s: "
        f"{len(lat)} requests, {len(lat) / elapsed:.0f} requests/s, "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {max(lat):.1f} ms"
    )
    print(f"errors: {results.errors or 'none'}; baseline errors: {baseline.errors or 'none'}")
    print(f"p95 under the crowd / p50 of one reader alone: {p95 / base_p50:.1f}x")
    failed = bool(results.errors or baseline.errors)
    if not args.quick:
        verdict = "under" if p95 < P95_LIMIT_MS else "NOT under"
        print(f"p95 {p95:.1f} ms is {verdict} {P95_LIMIT_MS:.0f} ms")
        failed = failed or p95 >= P95_LIMIT_MS
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
