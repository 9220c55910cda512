from __future__ import annotations

import pytest
from django.test import Client

from tests.progress.factories import PASSWORD, World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def login(client: Client):  # type: ignore[no-untyped-def]  # returns a helper
    def log_in(user) -> Client:  # type: ignore[no-untyped-def]
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return log_in
