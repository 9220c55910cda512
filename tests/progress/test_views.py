from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from envplan.core.models import AuditEntry
from envplan.plans.models import Assignment, Task
from envplan.progress import services
from envplan.progress.models import Evidence, Notification, ProgressReport, ReportingSettings
from tests.fixtures import assert_sent_to_login
from tests.progress.factories import World, minimal_pdf

MAY = dt.date(2025, 5, 1)


def edit_url(world: World, unit_code: str = "housing", period: str = "2025-05") -> str:
    return reverse("progress:edit", args=[world.lead_task.pk, unit_code, period])


def form_data(world: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "narrative": "Laid 3 km of pipe along the river.",
        "status": "in_progress",
        f"value_{world.target.pk}": "3",
        "version": "0",
        "save": "1",
    }
    data.update(changes)
    return data


def submitted(world: World) -> ProgressReport:
    return services.save_report(
        **world.housing_writes(MAY),
        narrative="Done so far",
        status="in_progress",
        values={world.target.pk: "3"},
        submit=True,
    )


# --- anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [("progress:mine", []), ("progress:review_queue", []), ("progress:notifications", [])],
)
def test_progress_pages_redirect_anonymous_to_login(world: World, client: Client, name: str, args: list[int]):
    response = client.get(reverse(name, args=args))
    assert_sent_to_login(response)


def test_edit_page_redirects_anonymous_to_login(world: World, client: Client):
    response = client.post(edit_url(world), form_data(world))
    assert_sent_to_login(response)
    assert ProgressReport.objects.count() == 0


# --- my reports -------------------------------------------------------------------------------------


def test_my_reports_lists_units_tasks_for_current_and_previous_period(world: World, login):
    response = login(world.housing_reporter).get(reverse("progress:mine"))
    assert response.status_code == 200
    slots = [(s.task.number, s.unit.code, f"{s.period:%Y-%m}", s.state) for s in response.context["slots"]]
    assert slots == [
        (1, "housing", "2025-06", ""),
        (2, "housing", "2025-06", ""),
        (1, "housing", "2025-05", ""),
        (2, "housing", "2025-05", ""),
    ]


def test_my_reports_leaves_out_closed_periods(world: World, login):
    services.close_periods(world.plan, through=MAY, by=world.supervisor)
    response = login(world.housing_reporter).get(reverse("progress:mine"))
    assert sorted({f"{s.period:%Y-%m}" for s in response.context["slots"]}) == ["2025-06"]


def test_my_reports_shows_supervisor_the_review_queue(world: World, login):
    report = submitted(world)
    response = login(world.supervisor).get(reverse("progress:mine"))
    assert [r.pk for r in response.context["queue"]] == [report.pk]
    assert response.context["slots"] == []


def test_my_reports_renders_with_a_fixed_number_of_queries(
    world: World, login, django_assert_max_num_queries
):
    # Eight more tasks for housing: a per-row query would blow the bound.
    for position in range(4, 12):
        task = Task.objects.create(
            plan=world.plan,
            section=world.lead_task.section,
            position=position,
            number=position,
            title="t",
            summary="s",
        )
        Assignment.objects.create(task=task, unit=world.housing, role="implementing")
    client = login(world.housing_reporter)
    submitted(world)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("progress:mine"))
    assert len(response.context["slots"]) == 20


# --- the edit form ----------------------------------------------------------------------------------


def test_edit_page_shows_a_form_with_one_field_per_target(world: World, login):
    response = login(world.housing_reporter).get(edit_url(world))
    assert response.status_code == 200
    form = response.context["form"]
    assert [f.name for f in form.value_fields()] == [f"value_{world.target.pk}"]
    assert form.initial["version"] == 0


def test_edit_page_is_forbidden_to_another_units_reporter(world: World, login):
    client = login(world.ecology_reporter)
    assert client.get(edit_url(world)).status_code == 403
    assert client.post(edit_url(world), form_data(world)).status_code == 403
    assert ProgressReport.objects.count() == 0


def test_edit_page_is_forbidden_to_a_viewer(world: World, login):
    assert login(world.housing_viewer).post(edit_url(world), form_data(world)).status_code == 403


def test_edit_page_of_a_unit_without_part_in_the_task_is_404(world: World, login):
    url = reverse("progress:edit", args=[world.lead_task.pk, "water", "2025-05"])
    assert login(world.water_admin).get(url).status_code == 404


def test_edit_page_saves_a_draft(world: World, login):
    response = login(world.housing_reporter).post(edit_url(world), form_data(world))
    report = ProgressReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert (report.state, report.narrative) == ("draft", "Laid 3 km of pipe along the river.")


def test_edit_page_submits_with_evidence(world: World, login):
    pdf = SimpleUploadedFile("site.pdf", minimal_pdf(), content_type="application/pdf")
    data = form_data(world, evidence=[pdf], submit="1")
    del data["save"]
    response = login(world.housing_reporter).post(edit_url(world), data)
    report = ProgressReport.objects.get()
    assert response.status_code == 302
    assert report.state == "submitted"
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["site.pdf"]
    assert list(report.events.values_list("action", flat=True)) == ["evidence_added", "submitted"]


def test_edit_page_refuses_a_fake_pdf_and_keeps_the_text(world: World, login):
    fake = SimpleUploadedFile("fake.pdf", b"plain text pretending", content_type="application/pdf")
    response = login(world.housing_reporter).post(edit_url(world), form_data(world, evidence=[fake]))
    assert response.status_code == 400
    assert "fake.pdf is not an accepted file type" in response.content.decode()
    assert "Laid 3 km of pipe along the river." in response.content.decode()
    assert ProgressReport.objects.count() == 0


def test_edit_page_refuses_an_oversize_file_and_keeps_the_text(world: World, login, settings):
    settings.ENVPLAN_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.pdf", minimal_pdf() + b"%" + b"x" * (1024 * 1024))
    response = login(world.housing_reporter).post(edit_url(world), form_data(world, evidence=[big]))
    assert response.status_code == 400
    assert "the limit is 1 MB" in response.content.decode()
    assert response.context["form"]["narrative"].value() == "Laid 3 km of pipe along the river."
    assert ProgressReport.objects.count() == 0


def test_edit_page_closed_period_gives_a_message_and_keeps_the_text(world: World, login):
    client = login(world.housing_reporter)
    services.close_periods(world.plan, through=MAY, by=world.supervisor)
    response = client.post(edit_url(world), form_data(world))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "The period 2025-05 is closed; its reports can no longer change."
    ]
    assert response.context["form"]["narrative"].value() == "Laid 3 km of pipe along the river."
    assert ProgressReport.objects.count() == 0


def test_edit_page_stale_form_gives_a_message_and_keeps_the_text(world: World, login):
    client = login(world.housing_reporter)
    client.post(edit_url(world), form_data(world))  # version 1
    services.save_report(
        **world.housing_writes(MAY),
        narrative="Colleague's text",
        status="at_risk",
        expected_version=1,
    )
    response = client.post(edit_url(world), form_data(world, narrative="My late edit", version="1"))
    assert response.status_code == 400
    assert response.context["stale"] is True
    assert response.context["form"]["narrative"].value() == "My late edit"
    assert response.context["form"]["version"].value() == "2"
    report = ProgressReport.objects.get()
    assert (report.narrative, report.version) == ("Colleague's text", 2)
    # Saving again, knowingly, replaces the colleague's version.
    again = client.post(edit_url(world), form_data(world, narrative="My late edit", version="2"))
    assert again.status_code == 302
    report.refresh_from_db()
    assert report.narrative == "My late edit"


def test_edit_page_of_a_submitted_report_redirects_to_the_report(world: World, login):
    report = submitted(world)
    response = login(world.housing_reporter).get(edit_url(world))
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()


# --- report page, review, evidence ------------------------------------------------------------------


def test_report_page_shows_history_and_review_form_to_the_lead_admin(world: World, login):
    report = submitted(world)
    response = login(world.ecology_admin).get(report.get_absolute_url())
    assert response.status_code == 200
    assert response.context["review_form"] is not None
    assert [e.action for e in response.context["report"].events.all()] == ["submitted"]


def test_report_page_hides_the_review_form_from_the_reporter(world: World, login):
    report = submitted(world)
    response = login(world.housing_reporter).get(report.get_absolute_url())
    assert response.status_code == 200
    assert response.context["review_form"] is None


def test_report_page_is_forbidden_to_an_uninvolved_unit(world: World, login):
    report = submitted(world)
    assert login(world.water_admin).get(report.get_absolute_url()).status_code == 403


def test_review_return_and_approve_through_the_page(world: World, login):
    report = submitted(world)
    client = login(world.ecology_admin)
    url = reverse("progress:review", args=[report.pk])
    refused = client.post(url, {"decision": "return", "comment": "", "version": report.version})
    assert refused.status_code == 400
    assert refused.context["review_form"].non_field_errors() == [
        "Say what needs fixing when you return a report."
    ]
    returned = client.post(url, {"decision": "return", "comment": "Add photos", "version": report.version})
    assert returned.status_code == 302
    report.refresh_from_db()
    assert report.state == "returned"


def test_review_post_is_forbidden_to_the_reporter_and_other_admins(world: World, login, client: Client):
    report = submitted(world)
    url = reverse("progress:review", args=[report.pk])
    data = {"decision": "approve", "comment": "", "version": report.version}
    assert login(world.housing_reporter).post(url, data).status_code == 403
    client.logout()
    assert login(world.water_admin).post(url, data).status_code == 403
    report.refresh_from_db()
    assert report.state == "submitted"


def test_review_by_supervisor_approves(world: World, login):
    report = submitted(world)
    url = reverse("progress:review", args=[report.pk])
    response = login(world.supervisor).post(url, {"decision": "approve", "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "approved"


def test_evidence_download_checks_permission(world: World, login, client: Client):
    report = services.save_report(
        **world.housing_writes(MAY),
        narrative="x",
        status="in_progress",
    )
    evidence = services.add_evidence(
        report, upload=SimpleUploadedFile("a.pdf", minimal_pdf()), by=world.housing_reporter
    )
    url = reverse("progress:evidence", args=[evidence.pk])
    response = login(world.ecology_admin).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == minimal_pdf()
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    client.logout()
    assert login(world.water_admin).get(url).status_code == 403


# --- review queue -----------------------------------------------------------------------------------


def test_review_queue_lists_reports_for_the_lead_admin(world: World, login):
    report = submitted(world)
    office = services.save_report(
        **world.water_writes(MAY),
        narrative="x",
        status="done",
        submit=True,
    )
    assert [
        r.pk for r in login(world.ecology_admin).get(reverse("progress:review_queue")).context["queue"]
    ] == [report.pk]
    assert office.pk not in [r.pk for r in queries_queue(world)]


def queries_queue(world: World) -> list[ProgressReport]:
    from envplan.progress.queries import review_queue

    return review_queue(world.ecology_admin)


def test_review_queue_is_forbidden_to_reporters(world: World, login):
    assert login(world.housing_reporter).get(reverse("progress:review_queue")).status_code == 403


def test_review_queue_renders_with_a_fixed_number_of_queries(
    world: World, login, django_assert_max_num_queries
):
    client = login(world.supervisor)
    for task, unit, user in [
        (world.lead_task, world.housing, world.housing_reporter),
        (world.lead_task, world.ecology, world.ecology_reporter),
        (world.office_task, world.water, world.water_admin),
        (world.office_task, world.housing, world.housing_reporter),
    ]:
        services.save_report(
            task=task, unit=unit, period=MAY, by=user, narrative="x", status="done", submit=True
        )
    with django_assert_max_num_queries(12):
        response = client.get(reverse("progress:review_queue"))
    assert len(response.context["queue"]) == 4


# --- audit trail ------------------------------------------------------------------------------------


def test_task_audit_lists_report_changes_newest_first(world: World, login):
    report = submitted(world)
    services.review_report(report, by=world.ecology_admin, approve=False, comment="Add photos")
    response = login(world.ecology_admin).get(reverse("progress:audit", args=[world.lead_task.pk]))
    assert response.status_code == 200
    assert [e.action for e in response.context["entries"]] == ["report.returned", "report.submitted"]
    rows = {row.field: (row.before, row.after) for row in response.context["entries"][0].rows}
    assert rows["state"] == ("submitted", "returned")
    assert b"<form" not in response.content.split(b"<main>")[1].split(b"</main>")[0]


def test_task_audit_is_forbidden_to_an_uninvolved_unit(world: World, login):
    assert (
        login(world.water_admin).get(reverse("progress:audit", args=[world.lead_task.pk])).status_code == 403
    )


def test_audit_entries_cannot_be_changed(world: World):
    submitted(world)
    entry = AuditEntry.objects.get(action="report.submitted")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


# --- notifications ----------------------------------------------------------------------------------


def test_notifications_list_badge_and_mark_read(world: World, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submitted(world)
    client = login(world.ecology_admin)
    page = client.get(reverse("progress:notifications"))
    assert page.status_code == 200
    assert '<span class="badge unread" data-testid="unread-count">1</span>' in page.content.decode()
    note = Notification.objects.get()
    client.post(reverse("progress:notifications"), {"notification": str(note.pk)})
    note.refresh_from_db()
    assert note.read_at is not None


def test_notifications_mark_read_touches_only_own(world: World, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submitted(world)
    note = Notification.objects.get()
    login(world.housing_reporter).post(reverse("progress:notifications"), {"notification": "all"})
    note.refresh_from_db()
    assert note.read_at is None


# --- settings ---------------------------------------------------------------------------------------


def settings_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "action": "settings",
        "settings-frequency": "monthly",
        "settings-due_day": "20",
        "settings-first_period": "2025-01-01",
        "settings-last_period": "2025-12-01",
        "settings-remind_days_before": "3",
        "settings-weight_timeliness": "30",
        "settings-weight_completion": "40",
        "settings-weight_attainment": "30",
    }
    data.update(changes)
    return data


def test_settings_page_saves_due_day_and_audits(world: World, login):
    url = reverse("progress:settings", args=[world.plan.pk])
    response = login(world.supervisor).post(url, settings_data())
    assert response.status_code == 302
    stored = ReportingSettings.objects.get(plan=world.plan)
    assert (stored.due_day, stored.remind_days_before) == (20, 3)
    entry = AuditEntry.objects.get(action="reporting.settings_changed")
    assert (entry.before, entry.after) == (
        {"due_day": 25, "remind_days_before": 5},
        {"due_day": 20, "remind_days_before": 3},
    )


def test_settings_page_refuses_weights_not_adding_to_100(world: World, login):
    url = reverse("progress:settings", args=[world.plan.pk])
    response = login(world.supervisor).post(url, settings_data(**{"settings-weight_attainment": "50"}))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["The three assessment weights must add up to 100."]


def test_settings_page_closes_periods(world: World, login):
    url = reverse("progress:settings", args=[world.plan.pk])
    response = login(world.supervisor).post(url, {"action": "close", "close-through": "2025-04"})
    assert response.status_code == 302
    assert ReportingSettings.objects.get(plan=world.plan).closed_through == dt.date(2025, 4, 1)


def test_settings_page_is_forbidden_to_unit_admins(world: World, login):
    url = reverse("progress:settings", args=[world.plan.pk])
    client = login(world.ecology_admin)
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "close", "close-through": "2025-04"}).status_code == 403


# --- the task page's Reports card -------------------------------------------------------------------


def test_task_page_reports_card_offers_write_to_own_unit_only(world: World, login):
    submitted(world)
    response = login(world.housing_reporter).get(world.lead_task.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="write-housing"' in html
    assert 'data-testid="write-ecology"' not in html
    assert reverse("progress:audit", args=[world.lead_task.pk]) in html


def test_my_reports_links_unit_admins_to_their_members_page(world: World, login):
    response = login(world.ecology_admin).get(reverse("progress:mine"))
    assert [unit.code for unit in response.context["managed_units"]] == ["ecology"]
    assert reverse("accounts:members", args=["ecology"]) in response.content.decode()
