from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from envplan.core import worker
from envplan.core.worker import Job, Worker, run_job

TODAY = dt.date(2025, 6, 10)
TICK = dt.timedelta(milliseconds=5)


def fixed_today() -> dt.date:
    return TODAY


def test_worker_run_once_runs_each_job_once_with_today(db):
    calls: list[dt.date] = []
    runner = Worker(
        jobs=[Job("a", calls.append, every=dt.timedelta(hours=1))], now=timezone.now, today=fixed_today
    )

    results = runner.run_once()

    assert calls == [TODAY]
    assert [(r.job, r.ok) for r in results] == [("a", True)]


def test_worker_failing_job_is_logged_and_returned_not_raised(db, caplog):
    def broken(today: dt.date) -> None:
        raise RuntimeError("disk full")

    with caplog.at_level(logging.ERROR, logger="envplan.worker"):
        result = run_job(Job("broken", broken, every=dt.timedelta(hours=1)), today=TODAY)

    assert (result.ok, result.error) == (False, "RuntimeError: disk full")
    assert "job broken failed" in caplog.text
    assert "disk full" in caplog.text


def test_worker_loop_survives_a_failing_job_and_keeps_running_the_others(db):
    runs: list[str] = []

    def broken(today: dt.date) -> None:
        runs.append("broken")
        raise ValueError("bad row")

    def counting(today: dt.date) -> None:
        runs.append("counting")
        if runs.count("counting") == 3:
            runner.stop()

    runner = Worker(
        jobs=[Job("broken", broken, every=TICK), Job("counting", counting, every=TICK)],
        now=timezone.now,
        today=fixed_today,
    )

    runner.run_forever()

    assert runs.count("counting") == 3
    assert runs.count("broken") >= 3


def test_worker_stops_cleanly_on_sigterm(db):
    runs: list[int] = []

    def signal_self(today: dt.date) -> None:
        runs.append(1)
        os.kill(os.getpid(), signal.SIGTERM)

    runner = Worker(jobs=[Job("self", signal_self, every=TICK)], now=timezone.now, today=fixed_today)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        worker.install_signal_handlers(runner, signals=(signal.SIGTERM,))
        runner.run_forever()
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert runs == [1]
    assert runner.stop_event.is_set()


def test_worker_daily_job_waits_for_its_time_then_runs_once_a_day():
    job = Job("daily", fixed_today, daily_at=dt.time(7, 0))
    before = dt.datetime(2025, 6, 10, 6, 0)
    after = dt.datetime(2025, 6, 10, 8, 0)

    assert job.next_run(None, before) == dt.datetime(2025, 6, 10, 7, 0)
    assert job.next_run(None, after) <= after
    assert job.next_run(after, after) == dt.datetime(2025, 6, 11, 7, 0)
    assert job.next_run(dt.datetime(2025, 6, 9, 7, 0), after) <= after


def test_worker_interval_job_is_due_again_after_its_interval():
    job = Job("hourly", fixed_today, every=dt.timedelta(hours=1))
    ran = dt.datetime(2025, 6, 10, 6, 0)

    assert job.next_run(ran, ran) == dt.datetime(2025, 6, 10, 7, 0)


def test_worker_job_needs_exactly_one_schedule():
    with pytest.raises(ValueError, match="exactly one"):
        Job("none", fixed_today)
    with pytest.raises(ValueError, match="exactly one"):
        Job("both", fixed_today, every=dt.timedelta(hours=1), daily_at=dt.time(7))


def test_worker_select_names_the_unknown_job():
    jobs = {"a": Job("a", fixed_today, every=TICK)}

    with pytest.raises(KeyError, match="nope"):
        worker.select(jobs, ["a", "nope"])


def test_worker_discover_registers_reminders_and_indicators(db):
    jobs = worker.discover()

    assert {"reminders", "indicators"} <= set(jobs)
    assert jobs["reminders"].daily_at is not None
    assert jobs["indicators"].every == dt.timedelta(hours=1)


def test_worker_command_once_runs_the_reminders_job(world):
    from envplan.progress.models import Notification

    out = StringIO()

    call_command("worker", "--once", "--only", "reminders", "--verbosity", "0", stdout=out)

    assert out.getvalue().startswith("reminders: ok")
    assert Notification.objects.filter(kind="reminder_overdue").exists()


def test_worker_command_unknown_job_exits_2(db):
    with pytest.raises(CommandError) as raised:
        call_command("worker", "--once", "--only", "nope", stdout=StringIO())

    assert raised.value.returncode == 2
    assert "nope" in str(raised.value)


def test_worker_command_json_lists_jobs_and_results(world):
    listed, ran = StringIO(), StringIO()

    call_command("worker", "--list", "--json", stdout=listed)
    call_command("worker", "--once", "--only", "reminders", "--json", "--verbosity", "0", stdout=ran)

    jobs = {job["name"]: job["schedule"] for job in json.loads(listed.getvalue())["jobs"]}
    results = json.loads(ran.getvalue())["results"]
    assert {"reminders", "indicators", "queued-jobs"} <= set(jobs)
    assert [(r["job"], r["ok"], r["error"]) for r in results] == [("reminders", True, None)]
