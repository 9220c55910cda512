"""The cases tests' world: the sources demo (two honest illustrative enterprises) and the doctored one,
each test in its own lake and data folder, the clock pinned to the demo's moment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from envplan.cases.jobs import screening_end
from envplan.cases.models import ScreeningRun
from envplan.cases.services import run_screening
from envplan.core.clock import pin as pin_clock
from envplan.sources.demo_data import load_doctored_demo, load_sources_demo
from tests.fixtures import demo_login, role_users

ZONE = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2025, 10, 20, 12, 0, tzinfo=ZONE)
END = screening_end(NOW.date())  # 2025-10-21 00:00, as the daily job on the demo's day
PASSWORD = "cases-test-pw"


@pytest.fixture(autouse=True)
def folders(settings, tmp_path: Path) -> Path:
    """Every test writes to its own lake and landing folder."""
    settings.LAKE_URL = str(tmp_path / "lake")
    settings.DATA_DIR = tmp_path / "data"
    (tmp_path / "data").mkdir()
    return tmp_path


@pytest.fixture
def demo(db: None) -> dict[str, object]:
    pin_clock(NOW)
    return {"sources": load_sources_demo(now=NOW), "doctored": load_doctored_demo(now=NOW)}


@pytest.fixture
def screened(demo: dict[str, object]) -> ScreeningRun:
    return run_screening(end=END)


@pytest.fixture
def users(db: None) -> dict[str, User]:
    """A district supervisor, a bureau officer and a unit reporter (no group)."""
    return role_users(PASSWORD, ungrouped="reporter")


def login(client: Client, username: str) -> Client:
    return demo_login(client, username, PASSWORD)
