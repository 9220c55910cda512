"""Shared fixtures: the reference plan (read from ../shared/seed) and the hand-written test plans."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envplan.plantext import Draft, parse_file, parse_text

REPO = Path(__file__).resolve().parents[3]
# The shared folder lies next to the repository; ENVPLAN_SHARED_DIR points elsewhere (a git worktree).
SHARED = Path(os.environ.get("ENVPLAN_SHARED_DIR") or REPO / ".." / "shared")
SEED = SHARED / "seed" / "000_ec31d6e5ef1e973d.txt"
DATA = REPO / "tests" / "data" / "plantext"


def _seed_path() -> Path:
    if not SEED.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"reference plan missing at {SEED} (CI is set, so this is a failure, not a skip)")
        pytest.skip(f"reference plan not found at {SEED}")
    return SEED


@pytest.fixture(scope="session")
def seed_text() -> str:
    return _seed_path().read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_draft(seed_text: str) -> Draft:
    return parse_text(seed_text)


@pytest.fixture(scope="session")
def zh_draft() -> Draft:
    return parse_file(DATA / "plan_zh.txt")


@pytest.fixture(scope="session")
def en_draft() -> Draft:
    return parse_file(DATA / "plan_en.txt")


@pytest.fixture(scope="session")
def plans_zh_dir() -> Path:
    """Real plan openings with hand-read gold files (../shared/reference/data/plans-zh)."""
    folder = SHARED / "reference" / "data" / "plans-zh"
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(
                f"real plan openings missing at {folder} (CI is set, so this is a failure, not a skip)"
            )
        pytest.skip(f"real plan openings not found at {folder}")
    return folder
