from __future__ import annotations

import pytest

from tests.exports.factories import World, build_world, seed_history
from tests.fixtures import world_login

__all__ = ["world_login"]  # the fixture login


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def history(world: World) -> World:
    seed_history(world)
    return world
