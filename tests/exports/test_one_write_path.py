"""One path per write: the report page, the API and the Excel batch refuse the same bad value with the same
field error, and store nothing. The batch refuses stale rows and formula cells; the ledger writes text as
text and shows narratives only to those who may read the report."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from envplan.api.tokens import create_token
from envplan.core.models import AuditEntry
from envplan.exports.batch import (
    COL_NARRATIVE,
    COL_NUMBER,
    COL_PERIOD_SHOWN,
    COL_STATUS,
    COL_VERSION,
    REPORTS_SHEET,
)
from envplan.exports.ledger import LEDGER_SHEET, build_ledger
from envplan.plans.models import Task
from envplan.progress.models import ProgressReport, ReportValue
from envplan.progress.services import save_report
from tests.exports.factories import FEB, TODAY, World
from tests.exports.workbooks import (
    XLSX_TYPE,
    download_template,
    february,
    row_of,
    upload,
    upload_february_value,
)

BAD_VALUES = {
    "1e20": "'1e20' is out of range: a value must be smaller than 10,000,000,000 in magnitude.",
    "1e999": "'1e999' is out of range: a value must be smaller than 10,000,000,000 in magnitude.",
    "12345678901234567": (
        "'12345678901234567' is out of range: a value must be smaller than 10,000,000,000 in magnitude."
    ),
    "Infinity": "'Infinity' is not a number.",
    "NaN": "'NaN' is not a number.",
    "0.0000001": "'0.0000001' has more than 6 decimals.",
}


def housing_report(world: World, task: Task | None = None, **fields: Any) -> ProgressReport:
    """The housing bureau's February report on task 1 (or `task`), written through the service."""
    defaults: dict[str, Any] = {"narrative": "v1", "status": "in_progress"}
    return save_report(
        task=task or world.task1,
        unit=world.housing,
        period=FEB,
        by=world.housing_reporter,
        **(defaults | fields),
    )


def nothing_stored() -> tuple[int, int, int]:
    return (
        ProgressReport.objects.count(),
        ReportValue.objects.count(),
        AuditEntry.objects.filter(action__startswith="report").count(),
    )


def through_page(client: Client, world: World, value: str) -> str:
    response = client.post(
        reverse("progress:edit", args=[world.task1.pk, "housing", "2025-02"]),
        {"narrative": "", "status": "in_progress", f"value_{world.target1.pk}": value, "version": "0"},
    )
    assert response.status_code == 400
    return response.context["form"].errors[f"value_{world.target1.pk}"][0]


def through_api(world: World, value: str) -> str:
    token = create_token(world.housing_reporter, name="tests").raw
    body = {
        "plan": world.plan.pk,
        "task": 1,
        "unit": "housing",
        "period": "2025-02",
        "values": {str(world.target1.pk): value},
    }
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        "/api/reports", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    payload = response.json()
    assert payload["field"] == f"values.{world.target1.pk}"
    return str(payload["detail"])


def through_batch(client: Client, world: World, value: str) -> str:
    response, row = upload_february_value(client, world, value)
    [error] = response.context["errors"]
    assert (error["line"], error["column"]) == (row, "L")
    return str(error["message"])


@pytest.mark.parametrize("value", sorted(BAD_VALUES))
def test_bad_value_same_field_error_through_page_api_and_batch_and_nothing_stored(
    world: World, login: Callable[[User], Client], value: str
) -> None:
    client = login(world.housing_reporter)

    messages = [
        through_page(client, world, value),
        through_api(world, value),
        through_batch(client, world, value),
    ]

    assert messages == [BAD_VALUES[value]] * 3
    assert nothing_stored() == (0, 0, 0)


def test_api_number_too_large_for_a_float_is_refused_not_stored(world: World) -> None:
    token = create_token(world.housing_reporter, name="tests").raw
    # Written by hand: a JSON number that no float holds exactly, as an attacker would send it.
    raw = (
        f'{{"plan": {world.plan.pk}, "task": 1, "unit": "housing", "period": "2025-02", '
        f'"values": {{"{world.target1.pk}": 1e20}}}}'
    )

    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        "/api/reports", data=raw, content_type="application/json"
    )

    assert (response.status_code, response.json()["errors"][0]["kind"]) == (400, "out_of_range")
    assert nothing_stored() == (0, 0, 0)
    listing = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/reports")
    assert listing.status_code == 200


def test_batch_from_an_older_template_is_refused_as_stale_and_changes_nothing(
    world: World, login: Callable[[User], Client]
) -> None:
    housing_report(world)
    client = login(world.housing_reporter)
    old = download_template(client, world)
    newer = housing_report(
        world, narrative="newer text", status="at_risk", values={world.target1.pk: "7"}, expected_version=1
    )
    sheet = old[REPORTS_SHEET]
    row = row_of(sheet, 1, "2025-02")
    sheet.cell(row=row, column=COL_NARRATIVE, value="older text from the old template")

    response = upload(client, world, old)

    [error] = response.context["errors"]
    assert (error["line"], error["column"]) == (row, "E")
    assert "version 2" in error["message"] and "version 1" in error["message"]
    newer.refresh_from_db()
    assert (newer.narrative, newer.status, newer.version) == ("newer text", "at_risk", 2)
    assert list(ReportValue.objects.values_list("value", flat=True)) == [7]


def test_batch_template_carries_each_reports_version(world: World, login: Callable[[User], Client]) -> None:
    housing_report(world)
    sheet = download_template(login(world.housing_reporter), world)[REPORTS_SHEET]

    versions = {
        sheet.cell(row=r, column=COL_PERIOD_SHOWN).value: sheet.cell(row=r, column=COL_VERSION).value
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(row=r, column=COL_NUMBER).value == 1
    }

    assert versions == {"2025-01": 0, "2025-02": 1, "2025-03": 0}


def test_batch_formula_cells_are_refused_with_a_clear_message(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.housing_reporter)

    response, row = upload_february_value(client, world, "=50+50")

    assert [(e["line"], e["column"], e["message"]) for e in response.context["errors"]] == [
        (row, "L", "This cell holds a formula (=50+50); type the value itself.")
    ]
    assert nothing_stored() == (0, 0, 0)


def test_ledger_writes_formula_like_text_as_text(world: World) -> None:
    world.housing.name = "=cmd|' /C calc'!A0"
    world.housing.save()
    report = housing_report(world, narrative='=HYPERLINK("http://example.invalid","click")')
    report.state = "approved"
    report.save()

    buffer = io.BytesIO()
    build_ledger(world.plan, today=TODAY, reader=None).save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))[LEDGER_SHEET]

    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells}
    assert '=HYPERLINK("http://example.invalid","click")' in texts
    assert any(isinstance(v, str) and v.startswith("=cmd|") for v in texts)


def ledger_narratives(client: Client, world: World) -> list[str]:
    response = client.get(reverse("exports:ledger", args=[world.plan.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))[LEDGER_SHEET]
    header = [c.value for c in sheet[1]]
    column = next(i for i, title in enumerate(header) if str(title).startswith("进展摘要"))
    statuses = next(i for i, title in enumerate(header) if str(title).startswith("报告进展状态"))
    return [
        f"{row[statuses].value or ''}|{row[column].value or ''}"
        for row in sheet.iter_rows(min_row=2)
        if row[statuses].value
    ]


def test_ledger_shows_a_narrative_only_to_those_who_may_read_the_report(
    world: World, login: Callable[[User], Client]
) -> None:
    report = housing_report(world, world.task2, narrative="private", status="done")
    report.state = "approved"
    report.save()

    own = ledger_narratives(login(world.housing_reporter), world)
    other = ledger_narratives(login(world.water_reporter), world)

    assert (own, other) == (["done|private"], ["done|"])


def test_batch_keeps_the_first_thousand_problems_and_counts_them_all(
    world: World, login: Callable[[User], Client]
) -> None:
    client = login(world.housing_reporter)
    workbook, sheet, row = february(client, world)
    keys = [sheet.cell(row=row, column=c).value for c in range(1, COL_VERSION + 1)]
    for extra in range(1_500):  # 1,500 rows with an unknown status, 1,499 of them repeating the first
        target = sheet.max_row + 1
        for column, value in enumerate(keys, start=1):
            sheet.cell(row=target, column=column, value=value)
        sheet.cell(row=target, column=COL_STATUS, value=f"status {extra}")

    response = upload(client, world, workbook)

    assert (len(response.context["errors"]), response.context["errors_total"]) == (1_000, 2_999)
    assert response.context["job"].message == "reports.xlsx was not saved: 2999 problems."
    assert b"The first 1000 are listed." in response.content
    assert nothing_stored() == (0, 0, 0)


def test_batch_archive_that_would_expand_too_far_is_refused_before_opening(
    world: World, login: Callable[[User], Client]
) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (101 * 1024 * 1024))  # 101 MB of zeros
    file = SimpleUploadedFile("reports.xlsx", buffer.getvalue(), content_type=XLSX_TYPE)

    response = login(world.housing_reporter).post(
        reverse("exports:batch", args=[world.plan.pk, "housing"]), {"file": file, "mode": "draft"}
    )

    assert response.status_code == 400
    [message] = response.context["form"].errors["file"]
    assert message.startswith("reports.xlsx would expand to 101.0 MB, more than the 100 MB allowed")
    assert nothing_stored() == (0, 0, 0)
