from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from envplan.accounts.models import MemberRole, Membership
from envplan.core.models import AuditEntry
from envplan.exports.batch import (
    COL_NARRATIVE,
    COL_NUMBER,
    COL_PERIOD_SHOWN,
    COL_STATUS,
    FIRST_SLOT,
    REPORTS_SHEET,
)
from envplan.progress.models import ProgressReport, ReportingSettings, ReportValue
from tests.exports.factories import World
from tests.exports.workbooks import FIRST_VALUE, XLSX_TYPE, download_template, row_of, upload


def test_template_has_a_row_per_task_and_open_period(world: World, login: Callable[[User], Client]) -> None:
    sheet = download_template(login(world.housing_reporter), world)[REPORTS_SHEET]

    rows = [
        (
            sheet.cell(row=r, column=COL_NUMBER).value,
            sheet.cell(row=r, column=COL_PERIOD_SHOWN).value,
            sheet.cell(row=r, column=FIRST_SLOT).value,
        )
        for r in range(2, sheet.max_row + 1)
    ]
    assert rows == [
        (1, "2025-01", "new sewer pipes ≥ 10 km [km]"),
        (1, "2025-02", "new sewer pipes ≥ 10 km [km]"),
        (1, "2025-03", "new sewer pipes ≥ 10 km [km]"),
        (2, "2025-01", "drains cleared ≥ 100 (2025-11-30) [count]"),
        (2, "2025-02", "drains cleared ≥ 100 (2025-11-30) [count]"),
        (2, "2025-03", "drains cleared ≥ 100 (2025-11-30) [count]"),
    ]
    assert [sheet.column_dimensions[c].hidden for c in "ABCDEF"] == [True, True, True, True, True, False]


def test_template_round_trip_saves_filled_rows_as_drafts(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.housing_reporter)
    workbook = download_template(client, world)
    sheet = workbook[REPORTS_SHEET]
    first = row_of(sheet, 1, "2025-01")
    second = row_of(sheet, 2, "2025-02")
    sheet.cell(row=first, column=COL_STATUS, value="in progress")
    sheet.cell(row=first, column=COL_NARRATIVE, value="3 km laid")
    sheet.cell(row=first, column=FIRST_VALUE, value=3.5)
    sheet.cell(row=second, column=COL_STATUS, value="done")
    sheet.cell(row=second, column=COL_NARRATIVE, value="all drains cleared")
    sheet.cell(row=second, column=FIRST_VALUE, value="120")

    response = upload(client, world, workbook)

    assert (response.context["job"].state, response.context["job"].message) == (
        "done",
        "2 reports were saved.",
    )
    reports = ProgressReport.objects.filter(unit=world.housing).order_by("task__number")
    assert [(r.task.number, r.period, r.status, r.state, r.narrative) for r in reports] == [
        (1, dt.date(2025, 1, 1), "in_progress", "draft", "3 km laid"),
        (2, dt.date(2025, 2, 1), "done", "draft", "all drains cleared"),
    ]
    assert sorted(ReportValue.objects.values_list("target_id", "value")) == [
        (world.target1.pk, Decimal("3.5")),
        (world.target2.pk, Decimal("120")),
    ]
    assert AuditEntry.objects.filter(action="reports.batch_imported").count() == 1


def test_template_upload_can_submit(world: World, login: Callable[[User], Client]) -> None:
    client = login(world.housing_reporter)
    workbook = download_template(client, world)
    sheet = workbook[REPORTS_SHEET]
    sheet.cell(row=row_of(sheet, 1, "2025-02"), column=COL_STATUS, value="in_progress")

    response = upload(client, world, workbook, mode="submit")

    assert response.context["job"].state == "done"
    assert list(ProgressReport.objects.values_list("state", flat=True)) == ["submitted"]


def test_template_prefills_drafts_and_leaves_out_submitted_reports(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.housing_reporter)
    workbook = download_template(client, world)
    sheet = workbook[REPORTS_SHEET]
    sheet.cell(row=row_of(sheet, 1, "2025-01"), column=COL_STATUS, value="at risk")
    sheet.cell(row=row_of(sheet, 1, "2025-01"), column=COL_NARRATIVE, value="pipes late")
    sheet.cell(row=row_of(sheet, 2, "2025-01"), column=COL_STATUS, value="done")
    upload(client, world, workbook, mode="draft")
    ProgressReport.objects.filter(task=world.task2).update(state="submitted")

    again = download_template(client, world)[REPORTS_SHEET]

    row = row_of(again, 1, "2025-01")
    assert (
        again.cell(row=row, column=COL_STATUS).value,
        again.cell(row=row, column=COL_NARRATIVE).value,
    ) == (
        "at risk",
        "pipes late",
    )
    assert again.max_row == 6  # task 2 January is submitted: not offered again


def test_batch_bad_rows_are_all_reported_and_nothing_is_stored(
    world: World, login: Callable[[User], Client]
) -> None:
    both = User.objects.get(username="water-rep")
    Membership.objects.create(user=both, unit=world.housing, role=MemberRole.REPORTER)
    ReportingSettings.objects.filter(plan=world.plan).update(closed_through=dt.date(2025, 1, 1))
    client = login(both)
    workbook = download_template(client, world)  # February and March only: January is closed
    sheet = workbook[REPORTS_SHEET]
    good = row_of(sheet, 1, "2025-02")
    sheet.cell(row=good, column=COL_STATUS, value="done")  # a good row: must not be saved either
    rows = [row_of(sheet, 1, "2025-03"), row_of(sheet, 2, "2025-02"), row_of(sheet, 2, "2025-03")]
    sheet.cell(row=rows[0], column=COL_STATUS, value="finished")  # H: unknown status
    sheet.cell(row=rows[0], column=FIRST_VALUE, value="lots")  # K: not a number
    sheet.cell(row=rows[1], column=1, value=99999)  # A: unknown task
    sheet.cell(row=rows[1], column=COL_STATUS, value="done")
    sheet.cell(row=rows[2], column=2, value="water")  # B: another unit of this user
    sheet.cell(row=rows[2], column=COL_STATUS, value="done")
    extra = sheet.max_row + 1
    for column, value in enumerate([world.task1.pk, "housing", "2025-01", str(world.target1.pk), 0], start=1):
        sheet.cell(row=extra, column=column, value=value)  # C: closed period
    sheet.cell(row=extra, column=COL_STATUS, value="done")
    late = extra + 1
    for column, value in enumerate([world.task1.pk, "housing", "2026-01", str(world.target1.pk), 0], start=1):
        sheet.cell(row=late, column=column, value=value)  # C: out of range
    sheet.cell(row=late, column=COL_STATUS, value="done")
    foreign = late + 1
    for column, value in enumerate([world.task1.pk, "ecology", "2025-02", str(world.target1.pk), 0], start=1):
        sheet.cell(row=foreign, column=column, value=value)  # B: a unit this user may not write for
    sheet.cell(row=foreign, column=COL_STATUS, value="done")

    response = upload(client, world, workbook)

    assert response.context["job"].state == "failed"
    errors = [(e["line"], e["column"]) for e in response.context["errors"]]
    assert errors == [
        (rows[0], "I"),
        (rows[0], "L"),
        (rows[1], "A"),
        (rows[2], "B"),
        (extra, "C"),
        (late, "C"),
        (foreign, "B"),
    ]
    messages = [e["message"] for e in response.context["errors"]]
    assert messages[3] == "This row is for Water bureau; this upload is for Housing bureau."
    assert messages[6] == "You may not report for Ecology bureau."
    assert (
        ProgressReport.objects.count(),
        AuditEntry.objects.filter(action__startswith="report").count(),
    ) == (0, 0)
    assert b"reports.xlsx was not saved: 7 problems." in response.content


def test_batch_wrong_file_type_is_refused_by_content(world: World, login: Callable[[User], Client]) -> None:
    client = login(world.housing_reporter)
    file = SimpleUploadedFile("reports.xlsx", b"task,status\n1,done\n", content_type=XLSX_TYPE)

    response = client.post(
        reverse("exports:batch", args=[world.plan.pk, "housing"]), {"file": file, "mode": "draft"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "reports.xlsx is not an accepted file type (accepted: Excel)."
    ]
    assert ProgressReport.objects.count() == 0


def test_batch_workbook_without_the_reports_sheet_is_refused(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.housing_reporter)

    response = upload(client, world, Workbook())

    assert (response.context["job"].state, response.context["job"].message) == (
        "failed",
        "reports.xlsx has no sheet named “填报 Reports”: start from the template of this page.",
    )


def test_batch_pages_are_forbidden_to_other_units_and_viewers(
    world: World, login: Callable[[User], Client]
) -> None:
    page = reverse("exports:batch", args=[world.plan.pk, "housing"])
    template = reverse("exports:template", args=[world.plan.pk, "housing"])
    statuses = []
    for user in (world.housing_viewer, world.ecology_reporter, world.supervisor):
        client = login(user)
        statuses.append(
            (client.get(page).status_code, client.get(template).status_code, client.post(page).status_code)
        )
        client.logout()

    assert statuses == [(403, 403, 403)] * 3
    assert ProgressReport.objects.count() == 0


def test_batch_page_sends_anonymous_to_login(world: World, client: Client) -> None:
    response = client.get(reverse("exports:batch", args=[world.plan.pk, "housing"]))

    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("login"))


def test_batch_page_shows_download_and_upload_to_writers(
    world: World, login: Callable[[User], Client]
) -> None:
    response = login(world.housing_reporter).get(reverse("exports:batch", args=[world.plan.pk, "housing"]))

    assert response.status_code == 200
    assert response.content.count(b'data-testid="template-link"') == 1
