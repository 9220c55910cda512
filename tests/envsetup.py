"""Loaded first (`-p tests.envsetup`): every test run uses a throw-away data folder, never ./var."""

from __future__ import annotations

import os
import tempfile

# Settings read ENVPLAN_DATA_DIR at import: point it at a temporary folder before Django starts.
os.environ.setdefault("ENVPLAN_DATA_DIR", tempfile.mkdtemp(prefix="envplan-test-"))
