"""Fixtures and helpers that several test folders share. A folder's conftest imports the ones it uses:
pytest finds a fixture in the conftest by the name given to `pytest.fixture`, wherever the function was
written (the functions are named apart from their fixtures so that a test's argument never shadows one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from pytest_django.fixtures import Settings

from envplan.accounts.models import BUREAU_OFFICERS_GROUP, SUPERVISORS_GROUP
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


def member(username: str, password: str, group: str | None = None) -> User:
    """A new user, in the named group (district supervisors, bureau officers) when one is given."""
    user = User.objects.create_user(username=username, password=password)
    if group is not None:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def role_users(password: str, *, ungrouped: str) -> dict[str, User]:
    """A district supervisor `chief`, a bureau officer `officer` and a user of no group, by name."""
    roles = {"chief": SUPERVISORS_GROUP, "officer": BUREAU_OFFICERS_GROUP, ungrouped: None}
    return {name: member(name, password, group) for name, group in roles.items()}
