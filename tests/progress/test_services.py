from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from envplan.core.models import AuditEntry
from envplan.indicators.models import IndicatorValue
from envplan.progress import notifications, services
from envplan.progress.models import Evidence, Notification, ProgressReport, ReportEvent, ReportState
from tests.progress.factories import World, housing_report, minimal_pdf

JUNE = dt.date(2025, 6, 1)
MAY = dt.date(2025, 5, 1)


def test_save_report_creates_a_draft_with_values_and_audit(world: World):
    report = housing_report(world)
    assert (report.state, report.version, report.narrative) == ("draft", 1, "Laid 4.5 km of pipe.")
    assert list(report.values.values_list("target_id", "value")) == [(world.target.pk, Decimal("4.5"))]
    entry = AuditEntry.objects.get(action="report.saved")
    assert (entry.actor_id, entry.before, entry.after["narrative"]) == (
        world.housing_reporter.pk,
        None,
        "Laid 4.5 km of pipe.",
    )


def test_save_report_stale_version_is_refused_and_writes_nothing(world: World):
    report = housing_report(world)
    services.save_report(
        **world.housing_writes(MAY),
        narrative="Second edit",
        status="at_risk",
        expected_version=1,
    )
    audit_before = AuditEntry.objects.count()
    with pytest.raises(services.ProgressError, match="changed this report"):
        services.save_report(
            **world.housing_writes(MAY),
            narrative="Stale edit",
            status="done",
            expected_version=1,
        )
    report.refresh_from_db()
    assert (report.narrative, report.status, report.version) == ("Second edit", "at_risk", 2)
    assert AuditEntry.objects.count() == audit_before


def test_save_report_for_a_closed_period_is_refused(world: World):
    services.close_periods(world.plan, through=MAY, by=world.supervisor)
    with pytest.raises(services.ProgressError, match="closed"):
        housing_report(world, period=MAY)
    assert ProgressReport.objects.count() == 0


def test_save_report_for_another_units_report_is_refused(world: World):
    with pytest.raises(services.ProgressError, match="own units"):
        services.save_report(
            task=world.lead_task,
            unit=world.housing,
            period=MAY,
            by=world.ecology_reporter,
            narrative="Not mine",
            status="done",
        )
    assert ProgressReport.objects.count() == 0


def test_submit_then_return_then_approve_keeps_full_history(world: World, django_capture_on_commit_callbacks):
    report = housing_report(world, submit=True)
    with pytest.raises(services.ProgressError, match="Say what needs fixing"):
        services.review_report(report, by=world.ecology_admin, approve=False, comment="  ")
    services.review_report(report, by=world.ecology_admin, approve=False, comment="Add the photos.")
    report = services.save_report(
        **world.housing_writes(MAY),
        narrative="Laid 4.5 km; photos attached.",
        status="in_progress",
        values={world.target.pk: "4.6"},
        expected_version=2,
        submit=True,
    )
    services.review_report(report, by=world.ecology_admin, approve=True)
    report.refresh_from_db()
    actions = list(ReportEvent.objects.filter(report=report).values_list("action", flat=True))
    assert actions == ["submitted", "returned", "submitted", "approved"]
    assert report.state == ReportState.APPROVED
    comments = list(ReportEvent.objects.filter(action="returned").values_list("comment", flat=True))
    assert comments == ["Add the photos."]


def test_review_by_a_unit_that_does_not_lead_is_refused(world: World):
    report = housing_report(world, submit=True)
    with pytest.raises(services.ProgressError, match="lead unit"):
        services.review_report(report, by=world.water_admin, approve=True)
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_only_approved_values_reach_indicator_values(world: World):
    report = housing_report(world, submit=True, value="4.5")
    assert IndicatorValue.objects.count() == 0
    services.review_report(report, by=world.ecology_admin, approve=False, comment="Check the figure.")
    assert IndicatorValue.objects.count() == 0
    report = services.save_report(
        **world.housing_writes(MAY),
        narrative="Corrected",
        status="in_progress",
        values={world.target.pk: "5.25"},
        submit=True,
    )
    services.review_report(report, by=world.ecology_admin, approve=True)
    rows = list(IndicatorValue.objects.values_list("indicator__target_id", "date", "value", "origin"))
    assert rows == [(world.target.pk, dt.date(2025, 5, 31), Decimal("5.25"), f"report:{report.pk}")]


def test_submission_notifies_the_lead_admin_once_after_commit(
    world: World, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = housing_report(world, submit=True)
    assert len(callbacks) == 1
    notes = list(Notification.objects.values_list("user__username", "kind", "link"))
    assert notes == [("eco-admin", "report_submitted", report.get_absolute_url())]


def test_review_notifies_the_reporting_units_writers_after_commit(
    world: World, django_capture_on_commit_callbacks
):
    report = housing_report(world, submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_report(report, by=world.ecology_admin, approve=False, comment="Photos please.")
    notes = list(Notification.objects.values_list("user__username", "kind"))
    assert notes == [("housing-rep", "report_returned")]


def test_office_task_report_goes_to_the_supervisors(world: World, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.save_report(
            **world.water_writes(MAY),
            narrative="Drains cleared",
            status="done",
            submit=True,
        )
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["super"]


def test_add_evidence_accepts_a_real_pdf(world: World):
    report = housing_report(world)
    upload = SimpleUploadedFile("photos.pdf", minimal_pdf(), content_type="application/pdf")
    evidence = services.add_evidence(report, upload=upload, by=world.housing_reporter)
    assert (evidence.content_type, evidence.size, evidence.original_name) == (
        "application/pdf",
        len(minimal_pdf()),
        "photos.pdf",
    )
    with evidence.file.open("rb") as handle:
        assert handle.read() == minimal_pdf()


def test_add_evidence_refuses_a_text_file_named_pdf(world: World):
    report = housing_report(world)
    upload = SimpleUploadedFile("fake.pdf", b"just some text, not a PDF", content_type="application/pdf")
    with pytest.raises(services.ProgressError, match="not an accepted file type"):
        services.add_evidence(report, upload=upload, by=world.housing_reporter)
    assert Evidence.objects.count() == 0


@override_settings(ENVPLAN_MAX_UPLOAD_MB=1)
def test_add_evidence_refuses_an_oversize_file(world: World):
    report = housing_report(world)
    body = minimal_pdf() + b"%" + b"x" * (1024 * 1024)
    with pytest.raises(services.ProgressError, match="the limit is 1 MB"):
        services.add_evidence(report, upload=SimpleUploadedFile("big.pdf", body), by=world.housing_reporter)
    assert Evidence.objects.count() == 0


def test_due_reminders_list_upcoming_reports_in_the_window(world: World):
    housing_report(world, submit=True)  # housing's task-1 May report is done
    reminders = notifications.due_reminders(world.plan, today=dt.date(2025, 6, 21))
    got = sorted((r.username, r.kind, r.task_number, r.unit_code, r.period) for r in reminders)
    # May reports are due 2025-06-25; the window opens 5 days before. Earlier periods are overdue.
    may = [row for row in got if row[4] == MAY]
    assert may == [
        ("eco-admin", "upcoming", 1, "ecology", MAY),
        ("eco-rep", "upcoming", 1, "ecology", MAY),
        ("housing-rep", "upcoming", 2, "housing", MAY),
        ("water-admin", "upcoming", 2, "water", MAY),
        ("water-rep", "upcoming", 2, "water", MAY),
    ]


def test_send_reminders_notifies_each_writer_once(world: World):
    today = dt.date(2025, 2, 26)  # January's reports were due on 2025-02-25
    first = notifications.send_reminders(world.plan, today=today)
    again = notifications.send_reminders(world.plan, today=today)
    assert {r.kind for r in first} == {"overdue"}
    # eco-admin and eco-rep (task 1), housing-rep (tasks 1 and 2), water-admin and water-rep (task 2)
    assert len(first) == len(again) == 6
    assert Notification.objects.count() == 6
