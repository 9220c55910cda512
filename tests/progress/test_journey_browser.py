"""The main reporting journey in a real browser: submit with evidence, return, fix, approve, audit."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.browsing import log_in
from tests.progress.factories import PASSWORD, build_world, minimal_pdf

pytestmark = pytest.mark.browser


def logged_in_page(chromium, live_server, username: str):  # type: ignore[no-untyped-def]  # Playwright objects
    context = chromium.new_context(locale="en-US", viewport={"width": 390, "height": 844})  # a phone screen
    page = context.new_page()
    log_in(page, live_server.url, username, PASSWORD)
    return context, page


def test_report_is_submitted_returned_fixed_and_approved(transactional_db, live_server, browser):
    world = build_world()
    edit = live_server.url + reverse("progress:edit", args=[world.lead_task.pk, "housing", "2025-05"])
    reporter_context, reporter = logged_in_page(browser, live_server, "housing-rep")
    lead_context, lead = logged_in_page(browser, live_server, "eco-admin")
    try:
        reporter.goto(edit)
        reporter.fill("#id_narrative", "Laid 3 km of sewer pipe.")
        reporter.select_option("#id_status", "in_progress")
        reporter.fill(f"#id_value_{world.target.pk}", "3")
        reporter.set_input_files(
            "#id_evidence",
            files=[{"name": "site.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()}],
        )
        reporter.click("button[name=submit]")
        reporter.wait_for_url(re.compile(r"/progress/reports/\d+/$"))
        assert reporter.get_by_test_id("report-state").inner_text() == "submitted"
        assert reporter.get_by_test_id("evidence-list").inner_text().startswith("site.pdf")

        lead.goto(live_server.url + reverse("progress:review_queue"))
        lead.get_by_test_id("review-queue").get_by_role("link", name="Review").click()
        lead.fill("#id_comment", "Please attach the inspection record.")
        lead.click("button[value=return]")
        lead.wait_for_load_state()
        assert lead.get_by_test_id("report-state").inner_text() == "returned"

        reporter.goto(edit)
        assert reporter.input_value("#id_narrative") == "Laid 3 km of sewer pipe."
        reporter.fill("#id_narrative", "Laid 3 km of sewer pipe; inspection record attached.")
        reporter.click("button[name=submit]")
        reporter.wait_for_url(re.compile(r"/progress/reports/\d+/$"))
        assert reporter.get_by_test_id("report-state").inner_text() == "submitted"

        lead.reload()
        lead.click("button[value=approve]")
        lead.wait_for_load_state()
        assert lead.get_by_test_id("report-state").inner_text() == "approved"
        history = lead.get_by_test_id("history").inner_text()
        assert "Please attach the inspection record." in history

        lead.goto(live_server.url + reverse("progress:audit", args=[world.lead_task.pk]))
        actions = lead.get_by_test_id("audit-entry").evaluate_all("els => els.map(e => e.dataset.action)")
        assert actions == [
            "report.approved",
            "report.submitted",
            "report.returned",
            "report.submitted",
            "report.evidence_added",
        ]
    finally:
        reporter_context.close()
        lead_context.close()


def test_reporter_of_another_unit_gets_403_on_the_edit_page(transactional_db, live_server, browser):
    world = build_world()
    context, page = logged_in_page(browser, live_server, "eco-rep")
    try:
        response = page.goto(
            live_server.url + reverse("progress:edit", args=[world.lead_task.pk, "housing", "2025-05"])
        )
        assert response is not None and response.status == 403
    finally:
        context.close()
