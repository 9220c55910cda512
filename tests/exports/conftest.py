from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.exports.factories import PASSWORD, World, build_world, seed_history


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def history(world: World) -> World:
    seed_history(world)
    return world


@pytest.fixture
def login(client: Client) -> Callable[[User], Client]:
    def log_in(user: User) -> Client:
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return log_in
