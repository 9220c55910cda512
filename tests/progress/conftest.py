from __future__ import annotations

from tests.fixtures import small_world, world_login

__all__ = ["small_world", "world_login"]  # the fixtures world and login
