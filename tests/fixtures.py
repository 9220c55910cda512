"""Fixtures and helpers that several test folders share. A folder's conftest imports the ones it uses:
pytest finds a fixture in the conftest by the name given to `pytest.fixture`, wherever the function was
written (the functions are named apart from their fixtures so that a test's argument never shadows one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
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


def demo_login(client: Client, username: str, password: str = DEMO_PASSWORD) -> Client:
    """The client, logged in as one of the demo's users (or as another user, with that user's password)."""
    assert client.login(username=username, password=password)
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


def import_pages(client: Client, app: str, pk: int) -> tuple[str, str]:
    """An import's page and the list of imports of an app (`air`, `water`), as a superuser reads them."""
    client.force_login(User.objects.create_superuser("chief", password="pw-chief-1"))
    detail = client.get(reverse(f"{app}:import_detail", args=[pk])).content.decode()
    listing = client.get(reverse(f"{app}:import")).content.decode()
    return detail, listing


def assert_lists_a_thousand_of_5000_errors(detail: str, listing: str, error: str) -> None:
    """The import's page lists the first 1,000 of its 5,000 errors (each holding `error`) and counts the
    others; the list of imports gives the count."""
    assert "<h2>5000 errors</h2>" in detail
    assert detail.count(error) == 1_000
    assert "… and 4,000 more errors, not listed here." in detail
    assert '<td data-label="Errors" class="num">5000</td>' in listing


def assert_sent_to_login(response: HttpResponse) -> None:
    """The page sent its visitor to the login page."""
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
