from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from envplan.api.tokens import create_token
from tests.fixtures import small_world

# small_world: the fixture world (its passwords are hashed quickly, by tests/envsetup.py)
__all__ = ["api_client", "small_world"]


@pytest.fixture
def api_client() -> Callable[[User], Client]:
    """A client sending a fresh token of the given user (no session: the API must not need one)."""

    def for_user(user: User) -> Client:
        raw = create_token(user, name="tests").raw
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return for_user
