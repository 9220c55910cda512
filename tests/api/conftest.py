from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from envplan.api.tokens import create_token
from tests.progress.factories import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Seven users per test: the production hasher's deliberate slowness would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client() -> Callable[[Any], Client]:
    """A client sending a fresh token of the given user (no session: the API must not need one)."""

    def for_user(user: Any) -> Client:
        raw = create_token(user, name="tests").raw
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return for_user
