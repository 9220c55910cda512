"""`envplan up` for real: on a throw-away PostgreSQL server, in a subprocess, on free loopback ports. Each
part answers through the health page, a killed receiver and a killed worker are started again, and
SIGTERM stops everything cleanly.

Timeouts are failure conditions (something that never happens), not measurements.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from envplan.hj212.simulator import device_frames
from tests.commandline import add_supervisor, free_port, installed, succeeds

pytestmark = [pytest.mark.once, pytest.mark.slow]
PASSWORD = "stack-test-password"
TIMEOUT = 120.0


def wait_for(condition: Callable[[], Any], *, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"still not true after {timeout:g} s: {condition.__doc__}")


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    log: Path
    url: str
    hj212_port: int
    browser: urllib.request.OpenerDirector | None = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def pids(self, name: str) -> list[int]:
        return [int(pid) for pid in re.findall(rf"started {re.escape(name)} \(pid (\d+)\)", self.output())]

    def health(self) -> tuple[int, dict[str, Any]]:
        opener = self.browser or urllib.request.build_opener()
        try:
            with opener.open(f"{self.url}/health/parts/", timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)
        except OSError:
            return 0, {}

    def log_in(self) -> None:
        cookies = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
        browser.open(f"{self.url}/accounts/login/", timeout=10).read()
        token = next(str(c.value) for c in cookies if c.name == "csrftoken")
        form = urllib.parse.urlencode(
            {"username": "chief", "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        browser.open(f"{self.url}/accounts/login/", data=form.encode(), timeout=10).read()
        self.browser = browser


@pytest.fixture(scope="module")
def stack(throwaway_postgres: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("stack")
    env = installed(data_dir, ENVPLAN_DATABASE_URL=throwaway_postgres)
    succeeds("migrate", "--no-input", "-v0", env=env)
    add_supervisor("chief", PASSWORD, env=env)
    port, hj212_port = free_port(), free_port()
    log = data_dir / "up.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "envplan", "up", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--threads", "2", "--receivers", "2", "--hj212-host", "127.0.0.1",
             "--hj212-port", str(hj212_port), "--accept-unknown-devices", "--grace", "20"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    running = Stack(process=process, log=log, url=f"http://127.0.0.1:{port}", hj212_port=hj212_port)
    try:
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def all_parts_ok(stack: Stack) -> dict[str, Any] | None:
    """every part of the stack reports ok"""
    status, body = stack.health()
    return body if status == 200 and set(body.get("parts", {}).values()) == {"ok"} else None


def test_stack_health_reports_each_part_ok_to_anyone_and_details_to_the_office(stack: Stack):
    anonymous = wait_for(lambda: all_parts_ok(stack))
    stack.log_in()
    detail = wait_for(lambda: all_parts_ok(stack))["detail"]

    assert anonymous == {
        "status": "ok",
        "parts": {"database": "ok", "worker": "ok", "receivers": "ok", "lake": "ok"},
    }
    assert detail["database"]["vendor"] == "postgresql"
    assert [w["name"].split(":")[1] for w in detail["worker"]["workers"]] == [str(stack.pids("worker")[-1])]
    assert sorted(int(r["name"].rsplit("_", 1)[1]) for r in detail["receivers"]["receivers"]) == sorted(
        stack.pids("hj212-1") + stack.pids("hj212-2")
    )
    assert {r["listening"] for r in detail["receivers"]["receivers"]} == {f"127.0.0.1:{stack.hj212_port}"}


def test_stack_receivers_answer_on_their_shared_port(stack: Stack):
    wait_for(lambda: all_parts_ok(stack))
    frames = [frame for _, frame in device_frames(3, 4)]

    with socket.create_connection(("127.0.0.1", stack.hj212_port), timeout=10) as sock:
        sock.sendall(b"".join(frames))
        replies = b""
        deadline = time.monotonic() + 30
        while replies.count(b"\r\n") < len(frames) and time.monotonic() < deadline:
            replies += sock.recv(65536)

    assert replies.count(b"\r\n") == len(frames)


def receiver_names(stack: Stack) -> set[int]:
    _, body = stack.health()
    return {
        int(r["name"].rsplit("_", 1)[1])
        for r in body.get("detail", {}).get("receivers", {}).get("receivers", [])
    }


def test_stack_starts_a_killed_receiver_and_a_killed_worker_again(stack: Stack):
    wait_for(lambda: all_parts_ok(stack))
    stack.log_in()
    (receiver,) = stack.pids("hj212-1")
    (worker,) = stack.pids("worker")

    os.kill(receiver, signal.SIGKILL)
    os.kill(worker, signal.SIGKILL)

    new_receiver = wait_for(lambda: len(stack.pids("hj212-1")) == 2 and stack.pids("hj212-1")[-1])
    new_worker = wait_for(lambda: len(stack.pids("worker")) == 2 and stack.pids("worker")[-1])
    wait_for(lambda: receiver_names(stack) == {new_receiver, *stack.pids("hj212-2")})

    def new_worker_beats() -> bool:
        """the restarted worker's heartbeat reaches the health page"""
        _, body = stack.health()
        names = [w["name"] for w in body.get("detail", {}).get("worker", {}).get("workers", [])]
        return bool(names) and names[0].endswith(f":{new_worker}")

    wait_for(new_worker_beats)
    assert f"hj212-1 (pid {receiver}) exited with signal 9" in stack.output()
    assert f"worker (pid {worker}) exited with signal 9" in stack.output()
    assert wait_for(lambda: all_parts_ok(stack))["status"] == "ok"


def test_stack_stops_cleanly_on_sigterm(stack: Stack):
    wait_for(lambda: all_parts_ok(stack))
    children = [pid for name in ("web", "worker", "hj212-1", "hj212-2") for pid in stack.pids(name)]

    stack.process.send_signal(signal.SIGTERM)

    assert stack.process.wait(60) == 0
    assert stack.output().rstrip().endswith("| stopped")
    assert [pid for pid in children if Path(f"/proc/{pid}").exists()] == []
