"""Fixtures of the deployment tests: a local S3 server (moto's server mode on 127.0.0.1), a throw-away
bucket per test, and the AWS variables that every S3 client (obstore, Polars) reads."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on the loopback and a free port, for the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty bucket on the local S3 server; the AWS variables point every client at it."""
    import boto3

    for name, value in {
        "AWS_ACCESS_KEY_ID": "envplan-test",
        "AWS_SECRET_ACCESS_KEY": "envplan-test-secret",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ALLOW_HTTP": "true",
    }.items():
        monkeypatch.setenv(name, value)
    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    return bucket


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `once` run in the SQLite run only: they start their own servers (PostgreSQL, S3,
    Spark) or need no database, so the PostgreSQL run would repeat them unchanged. They are deselected
    there (counted as such in the summary), never skipped."""
    if not os.environ.get("ENVPLAN_DATABASE_URL"):
        return
    once = [item for item in items if item.get_closest_marker("once")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if not item.get_closest_marker("once")]


@pytest.fixture(scope="session")
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server of its own for the session, run by scripts/with-postgres.sh (as the PostgreSQL
    test run is): the script's command prints the URL and waits for its standard input to close."""
    waiter = "import os, sys; print(os.environ['ENVPLAN_DATABASE_URL'], flush=True); sys.stdin.read()"
    process = subprocess.Popen(
        ["bash", str(REPO / "scripts" / "with-postgres.sh"), sys.executable, "-c", waiter],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    url = ""
    seen = []
    for line in process.stdout:
        seen.append(line)
        if line.startswith("postgres://"):
            url = line.strip()
            break
    assert url, "".join(seen)
    try:
        yield url
    finally:
        process.stdin.close()
        process.wait(timeout=60)


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[object]:
    """One Spark session (local mode, two cores) for the whole test session: starting one takes seconds."""
    from envplan.engines.spark import SparkEngine

    engine = SparkEngine.start(master="local[2]")
    try:
        yield engine
    finally:
        engine.stop()
