"""`envplan serve` for real, in a subprocess on a free loopback port: it answers soon after it starts,
slow clients do not stall it, an oversized body is refused before it is sent, and queued uploads are read
by the job runner inside it (no separate worker, as with `make run`).

Timeouts below are failure conditions (a server that never answers), not measurements.
"""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.commandline import add_supervisor, free_port, installed, succeeds

PLAN_TEXT = Path(__file__).resolve().parents[1] / "data" / "plantext" / "plan_en.txt"
PASSWORD = "serve-test-password"
START_TIMEOUT = 5.0


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    answered_after_start: bool


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("serve-data")
    env = installed(data_dir)
    succeeds("migrate", "--no-input", "-v0", env=env)
    succeeds("static", env=env)  # as `make run` and an install do, once
    add_supervisor("chief", PASSWORD, env=env)
    port = free_port()
    log = (data_dir / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "envplan", "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    answered = wait_for_health(url, timeout=START_TIMEOUT)
    try:
        yield Server(url=url, port=port, process=process, answered_after_start=answered)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def wait_for_health(url: str, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health/", timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            time.sleep(0.1)
    return False


def test_serve_answers_within_five_seconds_of_starting(server: Server):
    assert server.answered_after_start


def logged_in(server: Server) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    cookies = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    browser.open(f"{server.url}/accounts/login/", timeout=10).read()
    login = urllib.parse.urlencode(
        {"username": "chief", "password": PASSWORD, "csrfmiddlewaretoken": cookie(cookies, "csrftoken")}
    ).encode()
    browser.open(f"{server.url}/accounts/login/", data=login, timeout=10).read()
    return browser, cookies


def cookie(cookies: http.cookiejar.CookieJar, name: str) -> str:
    return next(str(item.value) for item in cookies if item.name == name)


def test_serve_slow_uploads_do_not_stall_a_normal_request(server: Server):
    _browser, cookies = logged_in(server)
    headers = (
        f"POST /imports/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Cookie: csrftoken={cookie(cookies, 'csrftoken')}; sessionid={cookie(cookies, 'sessionid')}\r\n"
        f"X-CSRFToken: {cookie(cookies, 'csrftoken')}\r\n"
        "Content-Type: multipart/form-data; boundary=slow\r\nContent-Length: 100000\r\n\r\n"
    ).encode()
    body = b'--slow\r\nContent-Disposition: form-data; name="file"; filename="plan.txt"\r\n\r\n' + b"x" * 200
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        # A person uploading over a bad line: a byte every 0.2 s, for at most 15 s. The page reads the
        # body as it comes, and with it holds whatever serves the request.
        for byte in body[:75]:
            if stop.wait(0.2):
                return
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                return

    # Four, as in the issue. Two sync workers would each be held by one, the others waiting behind.
    slow = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(4)]
    threads = [threading.Thread(target=drip, args=(conn,), daemon=True) for conn in slow]
    for conn, thread in zip(slow, threads, strict=True):
        conn.sendall(headers)
        thread.start()
    try:
        time.sleep(0.5)  # let the slow uploads take their place first
        answers = []
        for _ in range(3):
            with urllib.request.urlopen(f"{server.url}/health/", timeout=10) as response:
                answers.append((response.status, response.read()))
    finally:
        stop.set()
        for conn in slow:
            conn.close()
        for thread in threads:
            thread.join(timeout=5)

    assert answers == [(200, b'{"status": "ok"}')] * 3


def test_serve_refuses_a_gigabyte_body_from_its_headers_alone(server: Server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=xyz\r\n"
            b"Content-Length: 1073741824\r\n\r\n--xyz\r\n"
        )
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = conn.recv(65536)
            if not chunk:
                break
            reply += chunk

    assert reply.split(b"\r\n", 1)[0] == b"HTTP/1.1 413 Request Entity Too Large"


def multipart(fields: dict[str, str], file_field: str, file_name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_serve_runs_a_queued_plan_import_without_a_separate_worker(server: Server):
    browser, cookies = logged_in(server)

    def csrf() -> str:
        return cookie(cookies, "csrftoken")

    body, content_type = multipart(
        {"csrfmiddlewaretoken": csrf()}, "file", "plan_en.txt", PLAN_TEXT.read_bytes()
    )
    request = urllib.request.Request(
        f"{server.url}/imports/", data=body, headers={"Content-Type": content_type}
    )
    with browser.open(request, timeout=10) as response:
        job_url = response.geturl()
    assert re.fullmatch(rf"{server.url}/jobs/\d+/", job_url)

    deadline = time.monotonic() + 60  # a failure condition: the runner never took the job
    state = ""
    while time.monotonic() < deadline:
        page = browser.open(job_url, timeout=10).read().decode()
        state = re.search(r'data-state="(\w+)"', page).group(1)  # type: ignore[union-attr]
        if state in ("done", "failed"):
            break
        time.sleep(0.5)

    assert state == "done", page
    assert re.search(r'href="/imports/\d+/" data-testid="job-result-link"', page)
