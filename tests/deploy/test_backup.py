"""`envplan backup` and `envplan restore` for real, in subprocesses: the demo (with evidence files and
landing files added) is backed up, wiped, restored into an empty instance, and every report, evidence
file (by its recorded SHA-256) and lake row (by a hash of each kind's rows) is found again; on SQLite and
on a throw-away PostgreSQL server. Bad input stops with one line and exit code 2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from envplan.hj212.simulator import device_frames
from envplan.lake.landing import LandingLog
from tests.commandline import in_child
from tests.progress.factories import minimal_pdf

pytestmark = [pytest.mark.once, pytest.mark.slow]

# Run inside `envplan shell`: everything the test compares, as one JSON line.
FACTS = """
import hashlib, json
import polars as pl
from django.conf import settings
from envplan.lake import Lake
from envplan.progress.models import Evidence, ProgressReport
lake = Lake(settings.LAKE_URL)
rows = {}
for kind in lake.kinds():
    frame = lake.scan(kind).collect()
    frame = frame.select(sorted(frame.columns)).sort(sorted(frame.columns), nulls_last=True)
    rows[kind] = [frame.height, int(frame.hash_rows(seed=7).sum())]
evidence = []
for item in Evidence.objects.order_by("pk"):
    with item.file.open("rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    evidence.append([item.pk, item.report_id, item.file.name, item.sha256, digest])
reports = list(ProgressReport.objects.order_by("pk").values_list("pk", "state", "version", "narrative"))
landing = sorted(p.name for p in (settings.DATA_DIR / "landing").glob("*.log"))
print(json.dumps({"lake": rows, "evidence": evidence, "reports": reports, "landing": landing}))
"""

ADD_EVIDENCE = """
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from envplan.progress.models import ProgressReport
from envplan.progress.services import attach_evidence
pdf = bytes.fromhex("{pdf}")
with transaction.atomic():
    for number, report in enumerate(ProgressReport.objects.order_by("pk")[:3]):
        content = pdf + b"%" + str(number).encode()
        upload = SimpleUploadedFile(f"evidence-{{number}}.pdf", content, "application/pdf")
        attach_evidence(report, upload=upload, by=User.objects.get(username="supervisor"))
"""


@dataclass
class Instance:
    data_dir: Path
    env: dict[str, str]

    def run(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        result = in_child(*args, env=self.env, timeout=600)
        assert result.returncode == code, result.stderr
        return result

    def facts(self) -> dict[str, object]:
        return json.loads(self.run("shell", "-c", FACTS).stdout.strip().splitlines()[-1])


def postgres_database(server_url: str) -> Iterator[str]:
    name = f"backup_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield server_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def instance(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Instance]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVPLAN_", "DJANGO_"))}
    env["ENVPLAN_DATA_DIR"] = str(tmp_path / "data")
    if request.param == "sqlite":
        yield Instance(tmp_path / "data", env)
        return
    databases = postgres_database(request.getfixturevalue("throwaway_postgres"))
    env["ENVPLAN_DATABASE_URL"] = next(databases)
    yield Instance(tmp_path / "data", env)
    next(databases, None)


def wipe(instance: Instance) -> None:
    """Lose everything: the data folder (uploads, lake, landing, SQLite) and the PostgreSQL database."""
    shutil.rmtree(instance.data_dir)
    url = instance.env.get("ENVPLAN_DATABASE_URL")
    if url:
        server, name = url.rsplit("/", 1)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {name}")


def land_frames(instance: Instance) -> None:
    """Frames a receiver answered and the worker has not ingested yet: a closed landing file."""
    log = LandingLog(instance.data_dir / "landing", prefix="backup.test_1")
    for _, frame in device_frames(5, 6):
        log.append(frame, received_ns=1_750_000_000_000_000_000, peer="127.0.0.1:1", meta={"mn": "x"})
    log.flush_durable()
    log.close()


def test_backup_then_restore_into_an_empty_instance_finds_everything(instance: Instance, tmp_path: Path):
    instance.run("migrate", "--no-input", "-v0")
    instance.run("demo")
    instance.run("shell", "-c", ADD_EVIDENCE.format(pdf=minimal_pdf().hex()))
    land_frames(instance)
    before = instance.facts()

    instance.run("backup", str(tmp_path / "backup"))
    wipe(instance)
    restored = instance.run("restore", str(tmp_path / "backup"))
    after = instance.facts()

    assert len(before["evidence"]) == 3
    assert all(recorded == actual for *_, recorded, actual in before["evidence"])
    assert len(before["reports"]) > 0 and set(before["lake"]) >= {"air_hourly", "water_samples"}
    assert before["landing"] == ["backup.test_1-000000000001.log"]
    assert after == before
    assert restored.stdout.startswith("restored: ")


def test_backup_and_restore_refuse_bad_input_with_one_line(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVPLAN_", "DJANGO_"))}
    instance = Instance(tmp_path / "data", {**env, "ENVPLAN_DATA_DIR": str(tmp_path / "data")})
    instance.run("migrate", "--no-input", "-v0")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something").write_text("x")
    instance.run("backup", str(tmp_path / "good"))

    not_empty = instance.run("backup", str(tmp_path / "full"), code=2)
    missing = instance.run("restore", str(tmp_path / "missing"), code=2)
    not_a_backup = instance.run("restore", str(tmp_path / "full"), code=2)
    into_used = instance.run("restore", str(tmp_path / "good"), code=2)

    tables = len(json.loads((tmp_path / "good" / "manifest.json").read_text())["database"]["tables"])
    assert [r.stderr.strip().splitlines() for r in (not_empty, missing, not_a_backup, into_used)] == [
        [f"CommandError: {tmp_path / 'full'} exists and is not an empty folder"],
        [f"CommandError: {tmp_path / 'missing'} is not a folder"],
        [f"CommandError: {tmp_path / 'full'} holds no manifest.json: not an envplan backup"],
        [f"CommandError: the database already has {tables} tables: restore needs an empty database"],
    ]
