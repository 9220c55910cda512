from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from envplan.accounts.models import BUREAU_OFFICERS_GROUP
from envplan.demo.loader import DemoResult, load_demo
from envplan.demo.logins import DEMO_PASSWORD

DATA = Path(__file__).resolve().parents[1] / "data" / "emergency"
ZONE = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2025, 10, 20, 12, 0, tzinfo=ZONE)


@pytest.fixture(autouse=True)
def lake_folder(settings, tmp_path: Path) -> Path:
    """Every test writes to its own lake."""
    folder = tmp_path / "lake"
    settings.LAKE_URL = str(folder)
    return folder


@pytest.fixture
def plan_demo(db: None) -> DemoResult:
    return load_demo()


@pytest.fixture
def demo(plan_demo: DemoResult) -> DemoResult:
    """The plan, the sources demo and the emergency demo, at the demo's pinned moment."""
    from envplan.core import clock
    from envplan.emergency.demo_data import load_emergency_demo
    from envplan.sources.demo_data import load_sources_demo

    clock.pin(NOW)
    load_sources_demo(now=NOW)
    load_emergency_demo(plan=plan_demo.plan)
    return plan_demo


@pytest.fixture
def officer(plan_demo: DemoResult) -> User:
    user = User.objects.create_user(username="officer", password=DEMO_PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=BUREAU_OFFICERS_GROUP)[0])
    return user


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client
