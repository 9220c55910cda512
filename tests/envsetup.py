"""Loaded first (`-p tests.envsetup`): every test run uses a throw-away data folder, never ./var.

Two switches, both set by `make test` / `.ci/run`:
- `ENVPLAN_TEST_HOUR=HH:MM` runs the whole session as if the wall clock read that time of day in
  Asia/Shanghai (today's date, the clock ticking from there). `make test` runs the SQLite suite at 23:00
  and the PostgreSQL suite at 09:00, so a test that secretly depends on the hour fails in one of them.
- `ENVPLAN_STRICT_SKIPS=1` turns every skip into a failure: CI never passes by skipping a test because
  something it needs (the reference seed, a Debian package) is missing.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zoneinfo
from collections.abc import Iterator

import pytest

# Settings read ENVPLAN_DATA_DIR at import: point it at a temporary folder before Django starts.
os.environ.setdefault("ENVPLAN_DATA_DIR", tempfile.mkdtemp(prefix="envplan-test-"))

DISTRICT_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")


def session_moment(hour_text: str) -> dt.datetime:
    """Today's date in the district at the given time of day (HH:MM)."""
    try:
        time = dt.time.fromisoformat(hour_text)
    except ValueError:
        raise pytest.UsageError(f"ENVPLAN_TEST_HOUR={hour_text!r} is not a time of day (HH:MM)") from None
    return dt.datetime.combine(dt.datetime.now(DISTRICT_ZONE).date(), time, tzinfo=DISTRICT_ZONE)


@pytest.fixture(scope="session", autouse=True)
def wall_clock_at_test_hour() -> Iterator[None]:
    hour_text = os.environ.get("ENVPLAN_TEST_HOUR", "").strip()
    if not hour_text:
        yield
        return
    import time_machine

    with time_machine.travel(session_moment(hour_text), tick=True):
        yield


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    if os.environ.get("ENVPLAN_TEST_HOUR"):
        lines.append(f"wall clock moved to {os.environ['ENVPLAN_TEST_HOUR']} Asia/Shanghai")
    if os.environ.get("ENVPLAN_STRICT_SKIPS"):
        lines.append("strict skips: a skipped test fails the run")
    return lines


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("ENVPLAN_STRICT_SKIPS") and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under ENVPLAN_STRICT_SKIPS (CI): {reason}"


@pytest.fixture(autouse=True)
def fast_password_hasher(request: pytest.FixtureRequest) -> None:
    """Password hashing is deliberately slow; tests log in often and do not test hashing strength."""
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
