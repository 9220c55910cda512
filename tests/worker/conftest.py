from __future__ import annotations

from tests.fixtures import small_world

__all__ = ["small_world"]  # the fixture world (passwords are hashed quickly by tests/envsetup.py)
