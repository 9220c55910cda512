"""Alerts on silence, with the clock frozen: a device that stops sending, a landing backlog that grows, a
job that failed. Each raises one audited alert, shown on the sources page, and notifies the unit
responsible once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from envplan.core.models import AuditEntry
from envplan.core.worker import FAILING, Job, run_job
from envplan.progress.models import Notification
from envplan.sources.alerts import check_alerts
from envplan.sources.jobs import alerts_job
from envplan.sources.models import Device, SourceAlert
from tests.sources.conftest import login

ZONE = ZoneInfo("Asia/Shanghai")
LAST_FRAME = dt.datetime(2026, 5, 4, 9, 0, tzinfo=ZONE)


@pytest.fixture
def sending(device: Device) -> Device:
    device.last_seen_at = LAST_FRAME
    device.save(update_fields=["last_seen_at"])
    return device


def worker_check_at(moment: dt.datetime, callbacks) -> str:
    """The worker's `sources-alerts` job, the clock frozen at `moment`, its notifications sent."""
    with time_machine.travel(moment, tick=False), callbacks(execute=True):
        return alerts_job(moment.date())


def test_a_device_that_stops_sending_notifies_the_responsible_unit_once(
    sending: Device, users, settings, django_capture_on_commit_callbacks
):
    settings.ENVPLAN_SILENCE_MINUTES = 60
    check = django_capture_on_commit_callbacks

    early = worker_check_at(LAST_FRAME + dt.timedelta(minutes=59), check)
    late = worker_check_at(LAST_FRAME + dt.timedelta(minutes=61), check)
    again = worker_check_at(LAST_FRAME + dt.timedelta(minutes=66), check)

    assert early == "0 alerts raised, 0 cleared, 0 still open"
    assert late == "1 alerts raised, 0 cleared, 0 still open"
    assert again == "0 alerts raised, 0 cleared, 1 still open"
    alert = SourceAlert.objects.get()
    assert (alert.kind, alert.key, alert.device, alert.cleared_at) == (
        "silent_device",
        f"device:{sending.mn}",
        sending,
        None,
    )
    assert alert.raised_at == LAST_FRAME + dt.timedelta(minutes=61)
    told = Notification.objects.filter(kind="alert_silent_device").order_by("user__username")
    assert [n.user.username for n in told] == ["chief", "officer"]  # not the reader of no group
    assert told[0].message == (
        f"Data logger {sending.mn} ({sending.outlet.enterprise.name}) has sent nothing for over 60 minutes; "
        "its last frame came at 2026-05-04 09:00."
    )
    assert alert.notified == 2
    assert AuditEntry.objects.filter(action="sources.alert_raised").count() == 1


def test_the_devices_own_threshold_wins_and_a_frame_clears_the_alert(
    sending: Device, users, settings, django_capture_on_commit_callbacks
):
    settings.ENVPLAN_SILENCE_MINUTES = 60
    sending.silence_minutes = 180
    sending.save(update_fields=["silence_minutes"])
    check = django_capture_on_commit_callbacks

    assert worker_check_at(LAST_FRAME + dt.timedelta(minutes=179), check).startswith("0 alerts raised")
    assert worker_check_at(LAST_FRAME + dt.timedelta(minutes=181), check).startswith("1 alerts raised")
    sending.last_seen_at = LAST_FRAME + dt.timedelta(minutes=190)  # it sends again
    sending.save(update_fields=["last_seen_at"])
    cleared = worker_check_at(LAST_FRAME + dt.timedelta(minutes=195), check)

    assert cleared == "0 alerts raised, 1 cleared, 0 still open"
    assert SourceAlert.objects.get().cleared_at == LAST_FRAME + dt.timedelta(minutes=195)
    assert AuditEntry.objects.filter(action="sources.alert_cleared").count() == 1
    assert Notification.objects.count() == 2  # told once, when it was raised


def test_an_inactive_device_raises_nothing(sending: Device, users, django_capture_on_commit_callbacks):
    sending.active = False
    sending.save(update_fields=["active"])

    assert worker_check_at(LAST_FRAME + dt.timedelta(days=3), django_capture_on_commit_callbacks).startswith(
        "0 alerts raised"
    )


def test_a_growing_backlog_raises_an_alert(
    db, users, settings, tmp_path: Path, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    settings.ENVPLAN_BACKLOG_ALERT_MB = 1
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "r1-000000000001.log").write_bytes(b"x" * (600 * 1024))
    check = django_capture_on_commit_callbacks

    under = worker_check_at(LAST_FRAME, check)
    (landing / "r1-000000000002.log").write_bytes(b"x" * (600 * 1024))
    over = worker_check_at(LAST_FRAME + dt.timedelta(minutes=5), check)

    assert (under[0], over[0]) == ("0", "1")
    alert = SourceAlert.objects.get()
    assert (alert.kind, alert.details) == ("backlog", {"files": 2, "mb": 1, "limit_mb": 1})
    assert Notification.objects.filter(kind="alert_backlog").count() == 2


def test_a_failed_job_raises_an_alert_until_it_runs_again(db, users, django_capture_on_commit_callbacks):
    broken = {"yes": True}

    def flaky(today: dt.date) -> str:
        if broken["yes"]:
            raise OSError("the lake's disk is full")
        return "ok"

    job = Job("flaky", flaky, every=dt.timedelta(minutes=1))
    check = django_capture_on_commit_callbacks
    try:
        run_job(job, today=LAST_FRAME.date())
        raised = worker_check_at(LAST_FRAME, check)
        broken["yes"] = False
        run_job(job, today=LAST_FRAME.date())
        cleared = worker_check_at(LAST_FRAME + dt.timedelta(minutes=5), check)
    finally:
        FAILING.pop("flaky", None)

    assert raised.startswith("1 alerts raised") and cleared.startswith("0 alerts raised, 1 cleared")
    (told, _) = Notification.objects.filter(kind="alert_job_failed")
    assert told.message == "The job flaky failed: OSError: the lake's disk is full"


def test_the_sources_page_shows_the_open_alerts(sending: Device, users, client: Client):
    with time_machine.travel(LAST_FRAME + dt.timedelta(hours=2), tick=False):
        check_alerts()

    page = login(client, "officer").get("/sources/").content.decode()

    assert 'data-testid="alert"' in page
    assert f"Data logger {sending.mn}" in page


def test_a_queued_job_that_crashed_is_an_alert_for_a_day(db, users, django_capture_on_commit_callbacks):
    from envplan.core.models import Job as QueuedJob
    from envplan.core.models import JobState

    crashed = QueuedJob.objects.create(
        kind="air.hourly",
        token="a" * 32,
        state=JobState.FAILED,
        message="The job stopped on an unexpected error.",
        result={"crashed": True},
        finished_at=LAST_FRAME,
    )
    QueuedJob.objects.create(  # refused input: an expected end, no alert
        kind="air.hourly",
        token="b" * 32,
        state=JobState.FAILED,
        message="Bad file.",
        result={},
        finished_at=LAST_FRAME,
    )
    check = django_capture_on_commit_callbacks

    raised = worker_check_at(LAST_FRAME + dt.timedelta(hours=1), check)
    over = worker_check_at(LAST_FRAME + dt.timedelta(days=1, hours=1), check)

    assert raised.startswith("1 alerts raised") and over.startswith("0 alerts raised, 1 cleared")
    assert SourceAlert.objects.get().key == f"queued-job:{crashed.pk}"
    (told, _) = Notification.objects.filter(kind="alert_job_failed")
    assert told.message == f"The job air.hourly #{crashed.pk} failed: The job stopped on an unexpected error."
