"""Queued jobs: work a person asked for that is too long for a request (parsing an uploaded file).

The page that accepts an upload checks who may send it, its type and its size, then calls `enqueue`, which
stores the file and queues a Job, and redirects to the job's page. A worker takes queued jobs one at a time
(`claim_next`, atomic, so any number of workers may run) and runs each (`run_job`) by calling the kind's
function, registered by its app in the app's `jobs` module:

    @job_kind("air.hourly", label=_("Hourly air data import"))
    def run_hourly_import(job: Job, progress: Progress) -> JobOutcome:
        with open_input(job) as upload:
            record = import_hourly(upload, by=job.created_by, ...)
        return JobOutcome(summary=..., url=record.get_absolute_url())

A kind function raises `JobRejected` (a message and the errors found) when the input is refused; any
other exception fails the job with a generic message and its traceback in the log. Who runs jobs:
`envplan worker` (this module registers the scheduled job "queued-jobs"), a thread in each web worker of
`envplan serve` (`JobRunner`), and tests through `run_pending_jobs()`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from envplan.core.models import Job, JobState
from envplan.core.services import Actor, person, record_audit
from envplan.core.worker import register, tidy_connections
from envplan.lake.landing import process_alive
from envplan.problems import DEFAULT_LIMIT

logger = logging.getLogger("envplan.jobs")

# A job keeps at most this many errors; the page says how many there were in all.
MAX_STORED_ERRORS = DEFAULT_LIMIT  # as every bounded list (envplan.problems)
POLL_SECONDS = 2.0


class Progress(Protocol):
    def __call__(self, done: int, total: int | None = None, message: str = "") -> None: ...


def counts_only(progress: Progress) -> Progress:
    """`progress` without the messages: for a service whose step names (for a terminal's progress bar)
    are not words to show a person on the job's page."""

    def forward(done: int, total: int | None = None, message: str = "") -> None:
        progress(done, total)

    return forward


@dataclass
class JobOutcome:
    """What a finished job shows: one translated summary line, the errors it found (for a file stored
    with some rows left out), a link to what it made, and any data a caller may want."""

    summary: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class JobRejected(Exception):
    """The input was refused: `message` says why, `errors` lists every problem (where, line, field,
    column, message), and nothing was stored."""

    def __init__(
        self,
        message: str,
        errors: list[dict[str, Any]] | None = None,
        url: str = "",
        total: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.url = url
        self.total = len(self.errors) if total is None else total  # the errors may be the first of more


KindFunction = Callable[[Job, Progress], JobOutcome]


@dataclass(frozen=True)
class JobKind:
    name: str
    function: KindFunction
    label: str | Promise


KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, label: str | Promise) -> Callable[[KindFunction], KindFunction]:
    """Register the function that runs jobs of this kind; registering the same function again is harmless."""

    def decorate(function: KindFunction) -> KindFunction:
        existing = KINDS.get(name)
        if existing is not None and existing.function is not function:
            raise ValueError(f"job kind {name!r} is already registered")
        KINDS[name] = JobKind(name=name, function=function, label=label)
        return function

    return decorate


def kind_label(kind: str) -> str:
    if kind not in KINDS:
        discover_kinds()
    known = KINDS.get(kind)
    return str(known.label) if known is not None else kind


def discover_kinds() -> None:
    """Import every app's `jobs` module, where the kinds are registered."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs")


def error_entry(
    *, message: str, where: str = "", line: int | None = None, field: str = "", column: str = ""
) -> dict[str, Any]:
    """One error as jobs store it, whatever its origin (a sheet's row and column, a file's line and field)."""
    return {"where": where, "line": line, "column": column, "field": field, "message": message}


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- writes ------------------------------------------------------------------------------------------


@transaction.atomic
def enqueue(
    kind: str,
    *,
    by: Actor,
    upload: File[Any] | None = None,
    params: dict[str, Any] | None = None,
    language: str | None = None,
) -> Job:
    """Store the upload (if any) and queue a job of `kind` for the worker.

    `language` is the one the person uses: the job's messages are written in it. Side effect: audit
    `job.queued`. The file is written to storage before the row commits; a failed commit leaves an
    orphan file, never a job without its file.
    """
    if kind not in KINDS:
        discover_kinds()
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(
        kind=kind,
        params=params or {},
        token=uuid.uuid4().hex,
        language=language or translation.get_language() or "",
        created_by=person(by),
    )
    if upload is not None:
        job.input_name = os.path.basename(upload.name or "upload")[:255]
        job.input_size = upload.size or 0
        upload.seek(0)
        job.input_file.save(job.input_name, upload, save=False)
    job.save()
    record_audit(
        job,
        action="job.queued",
        actor=person(by),
        after={"kind": kind, "file": job.input_name, "size": job.input_size, "params": job.params},
    )
    return job


def claim_next(*, worker: str | None = None) -> Job | None:
    """Take the oldest queued job for this worker, or None. Safe with several workers: the claim is one
    conditional update, and a job another worker took first is skipped. Side effect: audit `job.started`."""
    worker = worker or this_worker()
    while True:
        candidate = Job.objects.filter(state=JobState.QUEUED).order_by("created_at", "id").first()
        if candidate is None:
            return None
        with transaction.atomic():
            now = timezone.now()
            taken = Job.objects.filter(pk=candidate.pk, state=JobState.QUEUED).update(
                state=JobState.RUNNING, started_at=now, worker=worker[:100], updated_at=now
            )
            if not taken:
                continue
            candidate.refresh_from_db()
            record_audit(candidate, action="job.started", actor=None, after={"worker": candidate.worker})
            return candidate


def report_progress(job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Show how far a running job is. Not audited: progress is not a change of state."""
    changes: dict[str, Any] = {
        "progress_done": max(0, done),
        "progress_total": total,
        "updated_at": timezone.now(),
    }
    if message:
        changes["message"] = message[:500]
    Job.objects.filter(pk=job.pk).update(**changes)
    for name, value in changes.items():
        setattr(job, name, value)


@transaction.atomic
def finish(job: Job, *, state: str, message: str, result: dict[str, Any]) -> Job:
    """Record the end of a job. Side effect: audit `job.done` or `job.failed`; the stored input is
    deleted after commit (what was made from it keeps its checksum)."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    before = {"state": job.state}
    job.state = state
    job.message = message[:500]
    job.result = result
    job.finished_at = timezone.now()
    if state == JobState.DONE and job.progress_total:
        job.progress_done = job.progress_total
    job.save()
    record_audit(
        job,
        action=f"job.{state}",
        actor=None,
        before=before,
        after={"state": state, "message": job.message, "errors": result.get("errors_total", 0)},
    )
    stored = job.input_file.name if job.input_file else None
    if stored:
        storage = job.input_file.storage
        transaction.on_commit(lambda: storage.delete(stored))
    return job


def bounded(errors: list[dict[str, Any]], total: int | None = None) -> dict[str, Any]:
    return {"errors": errors[:MAX_STORED_ERRORS], "errors_total": len(errors) if total is None else total}


def run_job(job: Job) -> Job:
    """Run a claimed job to its end; never raises. The kind's function runs in the language of the person
    who queued the job, outside any transaction of ours (its services open their own). One log line
    says how it ended and how long it took."""
    from envplan.core import metrics

    started = time.monotonic()
    finished = _run_kind(job)
    seconds = time.monotonic() - started
    result = (
        "ok"
        if finished.state == JobState.DONE
        else "failed"
        if finished.result.get("crashed")
        else "rejected"
    )
    metrics.observe_job(f"queued:{job.kind}", result=result, seconds=seconds)
    logger.info(
        "queued job %s (%s) %s in %.2fs",
        job.pk,
        job.kind,
        result,
        seconds,
        extra={"job": job.kind, "job_id": job.pk, "result": result, "duration_ms": round(seconds * 1000, 1)},
    )
    return finished


def _run_kind(job: Job) -> Job:
    kind = KINDS.get(job.kind)
    if kind is None:
        discover_kinds()
        kind = KINDS.get(job.kind)
    if kind is None:
        return finish(
            job,
            state=JobState.FAILED,
            message=_("Unknown kind of job: %(kind)s.") % {"kind": job.kind},
            result={},
        )

    def progress(done: int, total: int | None = None, message: str = "") -> None:
        report_progress(job, done, total, message)

    with translation.override(job.language or None):
        try:
            outcome = kind.function(job, progress)
        except JobRejected as rejected:
            result = {"url": rejected.url, **bounded(rejected.errors, rejected.total)}
            return finish(job, state=JobState.FAILED, message=rejected.message, result=result)
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            message = _(
                "The job stopped on an unexpected error. Nothing was stored; "
                "the administrators can find the error in the log."
            )
            return finish(job, state=JobState.FAILED, message=message, result={"crashed": True})
        finally:
            tidy_connections()
        result = {
            "summary": outcome.summary,
            "url": outcome.url,
            "data": outcome.data,
            **bounded(outcome.errors),
        }
        return finish(job, state=JobState.DONE, message=outcome.summary, result=result)


def run_pending_jobs(*, limit: int | None = None, worker: str | None = None) -> list[Job]:
    """Run queued jobs, oldest first, until none is left (or `limit` ran). Returns the finished jobs."""
    finished: list[Job] = []
    while limit is None or len(finished) < limit:
        job = claim_next(worker=worker)
        if job is None:
            break
        finished.append(run_job(job))
    return finished


def fail_interrupted_jobs() -> int:
    """Fail the jobs left running by a process of this host that no longer exists (a stopped or crashed
    worker), so that their pages stop waiting. Returns how many."""
    host = socket.gethostname()
    count = 0
    for job in Job.objects.filter(state=JobState.RUNNING, worker__startswith=f"{host}:"):
        pid_text = job.worker.rpartition(":")[2]
        if not pid_text.isdigit() or process_alive(int(pid_text)):
            continue
        finish(
            job,
            state=JobState.FAILED,
            message=_("The job was interrupted: the process running it stopped. Upload the file again."),
            result={},
        )
        count += 1
    return count


@contextmanager
def open_input(job: Job) -> Iterator[File[Any]]:
    """The job's stored upload, opened, named as the person's file (the services name it in messages)."""
    handle = job.input_file.open("rb")
    try:
        yield File(handle, name=job.input_name or "upload")
    finally:
        handle.close()


# --- running ----------------------------------------------------------------------------------------


class JobRunner(threading.Thread):
    """Runs queued jobs in the background of a long-running process (each web worker of `envplan serve`),
    looking for new ones every POLL_SECONDS. A failing job never stops it."""

    def __init__(self, *, poll_seconds: float = POLL_SECONDS) -> None:
        super().__init__(name="envplan-jobs", daemon=True)
        self.poll_seconds = poll_seconds
        self.stop_event = threading.Event()

    def run(self) -> None:
        try:
            self.sweep()
            while not self.stop_event.is_set():
                try:
                    ran = run_pending_jobs(limit=1)
                except Exception:  # the database went away, say: log, wait, try again
                    logger.exception("job runner: cannot take jobs")
                    ran = []
                finally:
                    tidy_connections()
                if not ran:
                    self.stop_event.wait(self.poll_seconds)
        finally:
            from django.db import connections

            connections.close_all()

    def sweep(self) -> None:
        try:
            fail_interrupted_jobs()
        except Exception:
            logger.exception("job runner: cannot check for interrupted jobs")

    def stop(self) -> None:
        self.stop_event.set()


def run_queued_jobs_job(today: dt.date) -> dict[str, int]:
    """For `envplan worker`: run what is queued (the schedule's `today` does not matter to uploads)."""
    fail_interrupted_jobs()
    finished = run_pending_jobs()
    return {"ran": len(finished), "failed": sum(1 for job in finished if job.state == JobState.FAILED)}


register("queued-jobs", run_queued_jobs_job, every=dt.timedelta(seconds=5))
