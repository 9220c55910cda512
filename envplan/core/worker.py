"""A tiny scheduler for background jobs, run by `envplan worker`.

Apps register jobs in a `jobs` module (found in every installed app, like Django's admin modules) or in
their AppConfig.ready():

    from envplan.core.worker import register
    register("reminders", send_due_reminders, daily_at=dt.time(7, 0))
    register("indicators", evaluate_indicators, every=dt.timedelta(hours=1))

A job is a function taking `today` (the application's date, pinned in the demo). Scheduling itself runs
on the real clock. Each run is logged; a failing job is logged with its traceback and the worker goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

logger = logging.getLogger("envplan.worker")

JobFunction = Callable[[dt.date], Any]

# Never sleep longer than this between checks, so a changed clock or a new day is noticed soon.
MAX_SLEEP_SECONDS = 60.0


@dataclass(frozen=True)
class Job:
    name: str
    function: JobFunction
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"job {self.name!r} needs exactly one of `every` or `daily_at`")
        if self.every is not None and self.every <= dt.timedelta(0):
            raise ValueError(f"job {self.name!r}: `every` must be positive")

    def next_run(self, last_run: dt.datetime | None, now: dt.datetime) -> dt.datetime:
        """When the job is next due. A job never run is due now (a daily job: once its time has come)."""
        if self.every is not None:
            return now if last_run is None else last_run + self.every
        assert self.daily_at is not None
        todays = now.replace(
            hour=self.daily_at.hour, minute=self.daily_at.minute, second=self.daily_at.second, microsecond=0
        )
        if last_run is not None and last_run >= todays:
            return todays + dt.timedelta(days=1)
        return todays  # already past today's time and not yet run today: due now

    @property
    def schedule(self) -> str:
        if self.every is not None:
            return f"every {self.every}"
        assert self.daily_at is not None
        return f"daily at {self.daily_at:%H:%M}"


REGISTRY: dict[str, Job] = {}
# The jobs of this process whose last run failed, with the error (sources' alerts read it: a job that
# failed is an alert until it runs again without error).
FAILING: dict[str, str] = {}


def failing_jobs() -> dict[str, str]:
    """The scheduled jobs of this process whose last run failed: name -> error."""
    return dict(FAILING)


def register(
    name: str,
    function: JobFunction,
    *,
    every: dt.timedelta | None = None,
    daily_at: dt.time | None = None,
) -> Job:
    """Register a job under a unique name; registering the same function again is harmless."""
    job = Job(name=name, function=function, every=every, daily_at=daily_at)
    existing = REGISTRY.get(name)
    if existing is not None and existing.function is not function:
        raise ValueError(f"job {name!r} is already registered")
    REGISTRY[name] = job
    return job


def discover() -> dict[str, Job]:
    """Import every installed app's `jobs` module (which registers its jobs); return the registry."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs")
    return dict(REGISTRY)


@dataclass
class RunResult:
    job: str
    ok: bool
    seconds: float
    result: Any = None
    error: str = ""


def run_job(job: Job, *, today: dt.date) -> RunResult:
    """Run one job now; never raises (a failure is logged and returned)."""
    tidy_connections()
    started = time.monotonic()
    try:
        result = job.function(today)
    except Exception as error:
        seconds = time.monotonic() - started
        logger.exception(
            "job %s failed after %.2fs", job.name, seconds, extra=job_fields(job.name, seconds, ok=False)
        )
        observe_job(job.name, ok=False, seconds=seconds)
        FAILING[job.name] = f"{type(error).__name__}: {error}"
        return RunResult(job.name, False, seconds, error=FAILING[job.name])
    finally:
        tidy_connections()
    seconds = time.monotonic() - started
    logger.info(
        "job %s ran in %.2fs: %s", job.name, seconds, summarize(result), extra=job_fields(job.name, seconds)
    )
    observe_job(job.name, ok=True, seconds=seconds)
    FAILING.pop(job.name, None)
    return RunResult(job.name, True, seconds, result=result)


def job_fields(name: str, seconds: float, *, ok: bool = True) -> dict[str, Any]:
    """A job's log line's fields (in the JSON format): its name, result and duration."""
    return {"job": name, "result": "ok" if ok else "failed", "duration_ms": round(seconds * 1000, 1)}


def observe_job(name: str, *, ok: bool, seconds: float) -> None:
    from envplan.core import metrics

    metrics.observe_job(name, result="ok" if ok else "failed", seconds=seconds)


def tidy_connections() -> None:
    """Drop broken or expired database connections between runs (as Django does between requests)."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:  # inside a transaction (tests), leave the connection alone
            connection.close_if_unusable_or_obsolete()


def summarize(result: Any) -> str:
    text = "done" if result is None else str(result)
    return text if len(text) <= 200 else text[:197] + "..."


@dataclass
class Worker:
    """Runs due jobs until stopped. `now` is the real clock; `today` the application's date."""

    jobs: list[Job]
    now: Callable[[], dt.datetime]
    today: Callable[[], dt.date]
    stop_event: threading.Event = field(default_factory=threading.Event)
    last_runs: dict[str, dt.datetime] = field(default_factory=dict)

    def run_due(self) -> list[RunResult]:
        results = []
        for job in self.jobs:
            if self.stop_event.is_set():
                break
            current = self.now()
            if job.next_run(self.last_runs.get(job.name), current) <= current:
                results.append(run_job(job, today=self.today()))
                self.last_runs[job.name] = current
        return results

    def seconds_to_next(self) -> float:
        current = self.now()
        waits = [
            (job.next_run(self.last_runs.get(job.name), current) - current).total_seconds()
            for job in self.jobs
        ]
        return max(0.0, min([MAX_SLEEP_SECONDS, *waits]))

    def run_once(self) -> list[RunResult]:
        """Run every job now, whatever its schedule."""
        results = []
        for job in self.jobs:
            if self.stop_event.is_set():
                break
            results.append(run_job(job, today=self.today()))
            self.last_runs[job.name] = self.now()
        return results

    def run_forever(self) -> None:
        logger.info("worker started: %s", ", ".join(f"{j.name} ({j.schedule})" for j in self.jobs))
        while not self.stop_event.is_set():
            self.run_due()
            self.stop_event.wait(self.seconds_to_next())
        logger.info("worker stopped")

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        if signum is not None:
            logger.info("worker received signal %s; stopping after the current job", signum)
        self.stop_event.set()


def install_signal_handlers(worker: Worker, signals: Iterable[int] = (signal.SIGTERM, signal.SIGINT)) -> None:
    for signum in signals:
        signal.signal(signum, worker.stop)


def select(jobs: dict[str, Job], only: list[str] | None) -> list[Job]:
    """The jobs to run, by name; an unknown name raises KeyError naming it."""
    if not only:
        return list(jobs.values())
    unknown = [name for name in only if name not in jobs]
    if unknown:
        raise KeyError(", ".join(unknown))
    return [jobs[name] for name in only]
