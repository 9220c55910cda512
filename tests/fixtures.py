"""Fixtures and helpers that several test folders share. A folder's conftest imports the ones it uses:
pytest finds a fixture in the conftest by the name given to `pytest.fixture`, wherever the function was
written (the functions are named apart from their fixtures so that a test's argument never shadows one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from envplan.demo.loader import DemoResult, load_demo
from envplan.demo.logins import DEMO_PASSWORD
from tests.progress.factories import PASSWORD, World, build_world


@pytest.fixture(name="lake_folder", autouse=True)
def own_lake(settings: Settings, tmp_path: Path) -> Path:
    """Every test writes to its own lake."""
    folder = tmp_path / "lake"
    settings.LAKE_URL = str(folder)
    return folder


@pytest.fixture(name="demo")
def plan_demo(db: None) -> DemoResult:
    """The plan demo (plan, units, the demo logins)."""
    return load_demo()


def demo_login(client: Client, username: str) -> Client:
    """The client, logged in as one of the demo's users."""
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


@pytest.fixture(name="world")
def small_world(db: None) -> World:
    """The small world of tests/world.py on the progress tests' day."""
    return build_world()


@pytest.fixture(name="login")
def world_login(client: Client) -> Callable[[User], Client]:
    """Log the test's client in as a user of the small world."""

    def log_in(user: User) -> Client:
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return log_in
