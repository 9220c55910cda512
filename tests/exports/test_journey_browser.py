"""A unit's writer reports a batch through Excel; a supervisor reads the ranking on a phone."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from envplan.core.jobs import run_pending_jobs
from envplan.demo.loader import load_demo
from envplan.exports.batch import COL_NARRATIVE, COL_STATUS, REPORTS_SHEET
from envplan.progress.models import ProgressReport
from tests.browsing import log_in

pytestmark = pytest.mark.browser


def test_writer_downloads_fills_and_uploads_the_batch_template(transactional_db, live_server, page, tmp_path):  # type: ignore[no-untyped-def]
    demo = load_demo()
    log_in(page, live_server.url, "housing")
    page.goto(f"{live_server.url}/exports/plans/{demo.plan.pk}/")
    page.click("text=Kundulun District Housing and Urban-Rural Development Bureau")
    with page.expect_download() as download_info:
        page.get_by_test_id("template-link").click()
    path = tmp_path / "template.xlsx"
    download_info.value.save_as(path)
    workbook = load_workbook(path)
    sheet = workbook[REPORTS_SHEET]
    sheet.cell(row=2, column=COL_STATUS, value="in_progress")
    sheet.cell(row=2, column=COL_NARRATIVE, value="filled in Excel")
    workbook.save(path)
    task_id, period = sheet.cell(row=2, column=1).value, sheet.cell(row=2, column=3).value

    page.set_input_files("#id_file", str(path))
    with page.expect_navigation():
        page.click("button.primary")
    run_pending_jobs()  # what the job runner of `envplan serve` does
    page.reload()

    assert page.get_by_test_id("job-summary").inner_text() == "1 report was saved."
    report = ProgressReport.objects.get(
        task_id=task_id, unit__code="housing-bureau-kundulun", period=f"{period}-01"
    )
    assert (report.narrative, report.state) == ("filled in Excel", "draft")


def test_supervisor_reads_the_ranking_on_a_phone(transactional_db, live_server, browser):  # type: ignore[no-untyped-def]
    demo = load_demo()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800})
    phone = context.new_page()
    log_in(phone, live_server.url, "supervisor")

    phone.goto(f"{live_server.url}/exports/plans/{demo.plan.pk}/assessment/")

    rows = phone.get_by_test_id("assessment-table").locator("tbody tr")
    assert rows.count() > 5
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls, not the page
    context.close()
