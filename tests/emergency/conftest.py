from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from envplan.accounts.models import BUREAU_OFFICERS_GROUP
from envplan.demo.loader import DemoResult, load_demo
from envplan.demo.logins import DEMO_PASSWORD
from tests.fixtures import demo_login as login
from tests.fixtures import member, own_lake

__all__ = ["login", "own_lake"]  # the fixture lake_folder; the tests' login

DATA = Path(__file__).resolve().parents[1] / "data" / "emergency"
ZONE = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2025, 10, 20, 12, 0, tzinfo=ZONE)


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
    return member("officer", DEMO_PASSWORD, BUREAU_OFFICERS_GROUP)
