from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from envplan.air.models import Station
from envplan.demo.loader import DemoResult
from tests.fixtures import demo_login as login
from tests.fixtures import own_lake, plan_demo

__all__ = ["login", "own_lake", "plan_demo"]  # the fixtures lake_folder and demo; the tests' login

DATA = Path(__file__).resolve().parents[1] / "data" / "air"


@pytest.fixture
def supervisor(demo: DemoResult) -> User:
    return User.objects.get(username="supervisor")


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
