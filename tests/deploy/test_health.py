"""`/health/parts/`: each part's state for anyone, the detail for the district office, 503 when a part
fails; the worker's heartbeat job and the receivers' heartbeat files are what it reads."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from envplan.lake.landing import landing_prefix
from envplan.site.jobs import heartbeat_job, process_name
from envplan.site.models import Heartbeat
from envplan.site.services import record_heartbeat
from tests.plans.conftest import demo, supervisor_client  # noqa: F401  (shared demo fixtures)

NOW = dt.datetime(2025, 10, 20, 4, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    settings.LAKE_URL = str(tmp_path / "lake")
    return tmp_path


def beat_file(data_dir: Path, *, pid: int, beat: dt.datetime) -> Path:
    folder = data_dir / "landing" / "heartbeats"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{landing_prefix(pid)}.json"
    path.write_text(
        json.dumps({"host": "127.0.0.1", "port": 9212, "beat": beat.timestamp(), "frames_landed": 3})
    )
    return path


def parts(client: Client) -> tuple[int, dict[str, object]]:
    response = client.get(reverse("health-parts"))
    return response.status_code, response.json()


@time_machine.travel(NOW, tick=False)
def test_health_parts_all_ok_tells_anyone_each_state_and_nothing_more(
    client: Client, db: None, data_dir: Path
):
    heartbeat_job(NOW.date())
    beat_file(data_dir, pid=os.getpid(), beat=NOW - dt.timedelta(seconds=5))

    status, body = parts(client)

    assert (status, body) == (
        200,
        {"status": "ok", "parts": {"database": "ok", "worker": "ok", "receivers": "ok", "lake": "ok"}},
    )


@time_machine.travel(NOW, tick=False)
def test_health_parts_stale_worker_and_receiver_fail_with_503(client: Client, db: None, data_dir: Path):
    record_heartbeat(part="worker", name="host:1", started_at=NOW, now=NOW - dt.timedelta(minutes=3))
    beat_file(data_dir, pid=os.getpid(), beat=NOW - dt.timedelta(seconds=45))

    status, body = parts(client)

    assert status == 503
    assert body["status"] == "failing"
    assert body["parts"] == {"database": "ok", "worker": "stale", "receivers": "stale", "lake": "ok"}


@time_machine.travel(NOW, tick=False)
def test_health_parts_without_any_worker_fails_and_without_receivers_does_not(client: Client, db: None):
    status, body = parts(client)

    assert status == 503
    assert body["parts"]["worker"] == "down"
    assert body["parts"]["receivers"] == "none"


@time_machine.travel(NOW, tick=False)
def test_health_parts_ignores_the_file_of_a_receiver_killed_without_its_clean_stop(
    client: Client, db: None, data_dir: Path
):
    heartbeat_job(NOW.date())
    dead = 2**22 + 12345  # above the kernel's default pid_max: no such process
    beat_file(data_dir, pid=dead, beat=NOW - dt.timedelta(hours=1))

    status, body = parts(client)

    assert (status, body["parts"]["receivers"]) == (200, "none")


@time_machine.travel(NOW, tick=False)
def test_health_parts_details_processes_for_the_district_office(
    supervisor_client: Client,  # noqa: F811
    data_dir: Path,
):
    heartbeat_job(NOW.date())
    beat_file(data_dir, pid=os.getpid(), beat=NOW - dt.timedelta(seconds=5))

    status, body = parts(supervisor_client)

    assert status == 200
    detail = body["detail"]
    assert [w["name"] for w in detail["worker"]["workers"]] == [process_name()]
    assert [(r["name"], r["age_seconds"], r["frames_landed"]) for r in detail["receivers"]["receivers"]] == [
        (landing_prefix(os.getpid()), 5.0, 3)
    ]
    assert detail["lake"]["url"] == str(data_dir / "lake")


@time_machine.travel(NOW, tick=False)
def test_heartbeat_keeps_one_row_per_process_and_forgets_the_silent(db: None):
    record_heartbeat(part="worker", name="old:1", started_at=NOW, now=NOW - dt.timedelta(days=2))
    heartbeat_job(NOW.date())
    heartbeat_job(NOW.date())

    assert list(Heartbeat.objects.values_list("name", flat=True)) == [process_name()]


def test_health_stays_terse_for_load_balancers(client: Client, db: None):
    assert client.get(reverse("health")).json() == {"status": "ok"}
