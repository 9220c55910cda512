from __future__ import annotations

import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from envplan.hj212.simulator import device_mn
from envplan.sources.models import Device, Enterprise, FactorLimit, Outlet
from tests.fixtures import demo_login, own_lake, role_users
from tests.sources.loopback import migrated_data_dir

DATA = Path(__file__).resolve().parents[1] / "data" / "hj212"
PASSWORD = "123456"  # the simulator's devices use this PW

__all__ = ["own_lake"]  # the fixture lake_folder


@pytest.fixture(scope="session")
def serve_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated data folder for `envplan hj212 serve` subprocesses, made once per run."""
    return migrated_data_dir(tmp_path_factory.mktemp("serve-data"))


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Subprocesses a test starts; any still running at its end is killed."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(20)


@pytest.fixture
def outlet(db: None) -> Outlet:
    enterprise = Enterprise.objects.create(name="Test Power Plant", industry="thermal power")
    outlet = Outlet.objects.create(enterprise=enterprise, code="DA001", name="Stack 1", kind="gas")
    # ultra-low emission, 环发〔2015〕164号: SO2 35 mg/m³ at 6 % O2
    FactorLimit.objects.create(
        outlet=outlet,
        factor="a21026",
        field="ZsAvg",
        limit=Decimal("35"),
        unit_of_measure="mg/m³",
        standard="ultra-low emission",
        reference_o2=Decimal("6"),
    )
    return outlet


@pytest.fixture
def device(outlet: Outlet) -> Device:
    return Device.objects.create(outlet=outlet, mn=device_mn(1), password=PASSWORD)


USER_PASSWORD = "sources-test"


@pytest.fixture
def users(db: None) -> dict[str, User]:
    """A district supervisor, a bureau officer and a user of no group (each logs in with USER_PASSWORD)."""
    return role_users(USER_PASSWORD, ungrouped="reader")


def login(client: Client, username: str) -> Client:
    return demo_login(client, username, USER_PASSWORD)
