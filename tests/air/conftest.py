from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from envplan.air.models import Station
from envplan.demo.loader import DemoResult, load_demo
from envplan.demo.logins import DEMO_PASSWORD

DATA = Path(__file__).resolve().parents[1] / "data" / "air"


@pytest.fixture(autouse=True)
def lake_folder(settings, tmp_path: Path) -> Path:
    """Every test writes to its own lake."""
    folder = tmp_path / "lake"
    settings.LAKE_URL = str(folder)
    return folder


@pytest.fixture
def demo(db: None) -> DemoResult:
    return load_demo()


@pytest.fixture
def supervisor(demo: DemoResult) -> User:
    return User.objects.get(username="supervisor")


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


@pytest.fixture
def stations(db: None) -> list[Station]:
    """Two Baotou stations as the CNEMC publishes them, and a station of another city."""
    return [
        Station.objects.create(
            code="1585A", name="City Monitoring Station", name_zh="市环境监测站", city="Baotou"
        ),
        Station.objects.create(code="1586A", name="Baobai Building", name_zh="包百大楼", city="Baotou"),
        Station.objects.create(code="T001", name="Test", city="Elsewhere"),
    ]
