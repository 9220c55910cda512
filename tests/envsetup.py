"""Loaded first (`-p tests.envsetup`): every test run uses a throw-away data folder, never ./var."""

from __future__ import annotations

import os
import tempfile

import pytest

# Settings read ENVPLAN_DATA_DIR at import: point it at a temporary folder before Django starts.
os.environ.setdefault("ENVPLAN_DATA_DIR", tempfile.mkdtemp(prefix="envplan-test-"))


@pytest.fixture(autouse=True)
def fast_password_hasher(request: pytest.FixtureRequest) -> None:
    """Password hashing is deliberately slow; tests log in often and do not test hashing strength."""
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
