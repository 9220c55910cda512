from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from envplan.accounts.models import SUPERVISORS_GROUP
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

REPO = Path(__file__).resolve().parents[2]
# ENVPLAN_REFERENCE_SEED names the file where ../shared is mounted elsewhere (a git worktree).
SEED = Path(
    os.environ.get("ENVPLAN_REFERENCE_SEED") or REPO / ".." / "shared" / "seed" / "000_ec31d6e5ef1e973d.txt"
)
SAMPLES = REPO / "tests" / "data" / "plantext"
PASSWORD = "import-test-password"


def read_seed() -> bytes:
    """The reference plan (French translation with web noise); fails instead of skipping under CI."""
    if not SEED.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{SEED} is missing: CI needs the reference seed")
        pytest.skip(f"{SEED} is absent (../shared not mounted)")
    return SEED.read_bytes()


def read_sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: the sample plans of tests/data/plantext are part of the repository")
    return path.read_bytes()


@pytest.fixture
def seed() -> bytes:
    return read_seed()


@pytest.fixture
def supervisor(db: None) -> User:
    user = User.objects.create_user("chief", password=PASSWORD)
    group, _ = Group.objects.get_or_create(name=SUPERVISORS_GROUP)
    user.groups.add(group)
    return user


@pytest.fixture
def reporter(db: None) -> User:
    return User.objects.create_user("reporter", password=PASSWORD)


@pytest.fixture
def supervisor_client(supervisor: User) -> Client:
    client = Client()
    client.force_login(supervisor)
    return client


@pytest.fixture
def reporter_client(reporter: User) -> Client:
    client = Client()
    client.force_login(reporter)
    return client


@pytest.fixture
def in_browser() -> Iterator[Callable[[Callable[[Any], Any]], Any]]:
    """Run steps against one Chromium page (Debian's, as in tests/browser) in a thread of its own.

    The `browser` fixture (tests/conftest.py) keeps a Playwright running in the main thread during a
    browser test module, and a second sync Playwright cannot start in a thread that already runs one; so
    this page lives in one worker thread, and `in_browser(lambda page: ...)` runs a step there and returns
    its result. Database checks stay here.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (Debian package chromium)")
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
    state: dict[str, Any] = {}

    def start() -> None:
        from playwright.sync_api import sync_playwright

        state["playwright"] = sync_playwright().start()
        state["browser"] = state["playwright"].chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        state["page"] = state["browser"].new_context(locale="en-US").new_page()

    def stop() -> None:
        if "browser" in state:
            state["browser"].close()
        if "playwright" in state:
            state["playwright"].stop()

    def run(step: Callable[[Any], Any]) -> Any:
        return executor.submit(lambda: step(state["page"])).result(timeout=120)

    try:
        executor.submit(start).result(timeout=120)
        yield run
    finally:
        executor.submit(stop).result(timeout=60)
        executor.shutdown()
