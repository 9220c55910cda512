"""Queued jobs: queue, claim, run, fail, audit, the job page and the runners."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_lazy
from pytest_django import DjangoCaptureOnCommitCallbacks

from envplan.core import jobs
from envplan.core.jobs import (
    JobOutcome,
    JobRejected,
    enqueue,
    error_entry,
    job_kind,
    open_input,
    run_pending_jobs,
)
from envplan.core.models import AuditEntry, Job
from tests.progress.factories import PASSWORD, World, build_world

ECHO = "tests.echo"
REFUSE = "tests.refuse"
CRASH = "tests.crash"
SEEN: dict[str, Any] = {}


@job_kind(ECHO, label=gettext_lazy("Echo"))
def echo(job: Job, progress: jobs.Progress) -> JobOutcome:
    with open_input(job) as upload:
        content = upload.read()
        SEEN["name"] = upload.name
    SEEN["language"] = translation.get_language()
    progress(1, 2, "half way")
    SEEN["progress"] = Job.objects.values_list("progress_done", "progress_total", "message").get(pk=job.pk)
    return JobOutcome(summary=f"{len(content)} bytes", url="/", data={"upper": content.decode().upper()})


@job_kind(REFUSE, label=gettext_lazy("Refuse"))
def refuse(job: Job, progress: jobs.Progress) -> JobOutcome:
    errors = [
        error_entry(where="data.csv", line=n, field="pm25", message=f"bad value on {n}") for n in (2, 3)
    ]
    raise JobRejected("data.csv was not stored: 2 problems.", errors)


@job_kind(CRASH, label=gettext_lazy("Crash"))
def crash(job: Job, progress: jobs.Progress) -> JobOutcome:
    raise ZeroDivisionError("a bug of ours")


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def queue(kind: str, by: User, content: bytes = b"hello", **options: Any) -> Job:
    return enqueue(kind, by=by, upload=SimpleUploadedFile("data.csv", content), **options)


def actions(job: Job) -> list[str]:
    return list(AuditEntry.objects.for_object(job).order_by("id").values_list("action", flat=True))


def test_jobs_queued_job_runs_to_done_with_its_result_and_every_change_audited(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
):
    job = queue(ECHO, world.housing_reporter, language="fr")
    stored = job.input_file.name
    assert (job.state, job.input_name, job.input_size, job.created_by) == (
        "queued",
        "data.csv",
        5,
        world.housing_reporter,
    )

    with django_capture_on_commit_callbacks(execute=True):
        [finished] = run_pending_jobs()

    assert (finished.pk, finished.state, finished.message) == (job.pk, "done", "5 bytes")
    assert finished.result["data"] == {"upper": "HELLO"}
    assert (SEEN["name"], SEEN["language"], SEEN["progress"]) == ("data.csv", "fr", (1, 2, "half way"))
    assert actions(job) == ["job.queued", "job.started", "job.done"]
    assert not job.input_file.storage.exists(stored)  # what was made keeps the checksum, not the file
    assert run_pending_jobs() == []


def test_jobs_rejected_input_fails_the_job_with_every_error(world: World):
    job = queue(REFUSE, world.housing_reporter)

    run_pending_jobs()

    job.refresh_from_db()
    assert (job.state, job.message, job.result["errors_total"]) == (
        "failed",
        "data.csv was not stored: 2 problems.",
        2,
    )
    assert [(e["line"], e["field"], e["message"]) for e in job.result["errors"]] == [
        (2, "pm25", "bad value on 2"),
        (3, "pm25", "bad value on 3"),
    ]
    assert actions(job) == ["job.queued", "job.started", "job.failed"]


def test_jobs_unexpected_error_fails_the_job_with_a_plain_message_and_logs_the_traceback(
    world: World, caplog
):
    job = queue(CRASH, world.housing_reporter)

    with caplog.at_level(logging.ERROR, logger="envplan.jobs"):
        run_pending_jobs()

    job.refresh_from_db()
    assert job.state == "failed"
    assert job.message.startswith("The job stopped on an unexpected error. Nothing was stored;")
    assert "a bug of ours" not in job.message
    assert "ZeroDivisionError: a bug of ours" in caplog.text


def test_jobs_error_list_is_bounded(world: World, monkeypatch):
    monkeypatch.setattr(jobs, "MAX_STORED_ERRORS", 1)
    job = queue(REFUSE, world.housing_reporter)

    run_pending_jobs()

    job.refresh_from_db()
    assert (len(job.result["errors"]), job.result["errors_total"]) == (1, 2)


def test_jobs_claim_takes_the_oldest_and_never_the_same_job_twice(world: World):
    first = queue(ECHO, world.housing_reporter)
    second = queue(ECHO, world.housing_reporter)

    claims = [jobs.claim_next(worker="a:1"), jobs.claim_next(worker="b:2"), jobs.claim_next(worker="c:3")]

    assert [(job.pk, job.worker) if job else None for job in claims] == [
        (first.pk, "a:1"),
        (second.pk, "b:2"),
        None,
    ]


def test_jobs_left_running_by_a_dead_process_are_failed(world: World):
    job = queue(ECHO, world.housing_reporter)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    jobs.claim_next(worker=f"{socket.gethostname()}:{gone.stdout.strip()}")
    alive = queue(ECHO, world.housing_reporter)
    jobs.claim_next(worker=f"{socket.gethostname()}:{os.getpid()}")

    assert jobs.fail_interrupted_jobs() == 1

    job.refresh_from_db()
    alive.refresh_from_db()
    assert (job.state, alive.state) == ("failed", "running")
    assert job.message.startswith("The job was interrupted")


def test_jobs_unknown_kind_is_refused_when_queued(world: World):
    with pytest.raises(ValueError, match=r"unknown job kind 'nothing\.such'"):
        enqueue("nothing.such", by=world.housing_reporter)
    assert Job.objects.count() == 0


# --- the job page ------------------------------------------------------------------------------------


def page_of(client: Client, user: User, job: Job):  # type: ignore[no-untyped-def]
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client.get(job.get_absolute_url())


def test_job_page_is_for_its_sender_and_supervisors_only(world: World, client: Client):
    job = queue(ECHO, world.housing_reporter)

    statuses = {
        user.username: page_of(client, user, job).status_code
        for user in (world.housing_reporter, world.supervisor, world.housing_viewer, world.ecology_reporter)
    }
    client.logout()
    anonymous = client.get(job.get_absolute_url())

    assert statuses == {
        world.housing_reporter.username: 200,
        world.supervisor.username: 200,
        world.housing_viewer.username: 403,
        world.ecology_reporter.username: 403,
    }
    assert anonymous.status_code == 302


def test_job_page_reloads_itself_until_the_job_is_finished(world: World, client: Client):
    job = queue(ECHO, world.housing_reporter)

    waiting = page_of(client, world.housing_reporter, job).content.decode()
    run_pending_jobs()
    finished = page_of(client, world.housing_reporter, job).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert 'data-state="queued"' in waiting
    assert '<meta http-equiv="refresh"' not in finished
    assert 'data-testid="job-summary">5 bytes</p>' in finished


def test_job_page_lists_the_errors_of_a_failed_job(world: World, client: Client):
    job = queue(REFUSE, world.housing_reporter)
    run_pending_jobs()

    page = page_of(client, world.housing_reporter, job).content.decode()

    assert 'data-testid="job-message">data.csv was not stored: 2 problems.</p>' in page
    assert page.count("<td>bad value on") == 2


# --- runners -----------------------------------------------------------------------------------------


def test_worker_command_runs_queued_jobs(world: World):
    job = queue(ECHO, world.housing_reporter)
    out = io.StringIO()

    call_command("worker", "--once", "--only", "queued-jobs", stdout=out)

    job.refresh_from_db()
    assert job.state == "done"
    assert out.getvalue().startswith("queued-jobs: ok")


def test_worker_lists_the_queued_jobs_runner(db: None):
    out = io.StringIO()

    call_command("worker", "--list", stdout=out)

    assert "queued-jobs: every 0:00:05" in out.getvalue().splitlines()


@pytest.mark.django_db(transaction=True)
def test_job_runner_thread_picks_up_a_queued_job():
    world = build_world()
    runner = jobs.JobRunner(poll_seconds=0.05)
    runner.start()
    try:
        job = queue(ECHO, world.housing_reporter)
        deadline = time.monotonic() + 10  # the failure condition, not a measurement
        while Job.objects.get(pk=job.pk).state != "done" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        runner.stop()
        runner.join(timeout=10)

    assert Job.objects.get(pk=job.pk).state == "done"
    assert not runner.is_alive()
