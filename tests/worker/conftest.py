from __future__ import annotations

from typing import Any

import pytest

from tests.progress.factories import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # Seven users per test: the production hasher's deliberate slowness would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
