"""Shared fixtures. Browser tests drive Debian's Chromium (/usr/bin/chromium) with Playwright.

No browser is ever downloaded."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("ENVPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the live server's ORM use is in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# One Chromium per test module, not per session: while Playwright's sync API lives it keeps its event loop
# running in this thread, and a later test that calls asyncio.run (the HJ 212 receiver's) could not start
# its own when the whole tree runs in one process.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (Debian package chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _no_failing_jobs_from_other_tests() -> Iterator[None]:
    """The worker remembers, per process, which scheduled jobs last failed (the failed-job alert reads
    it); a test that makes a job fail must not leave an alert for the next one."""
    from envplan.core import worker

    worker.FAILING.clear()
    yield
    worker.FAILING.clear()
