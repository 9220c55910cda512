"""The Excel batch template as a reporter uses it in the tests: download it, find a report's row, fill it,
upload it (the worker reads it at once)."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from envplan.exports.batch import COL_NUMBER, COL_PERIOD_SHOWN, COL_STATUS, FIRST_SLOT, REPORTS_SHEET
from tests.exports.factories import World
from tests.jobrunner import finish_job

FIRST_VALUE = FIRST_SLOT + 1  # the value column of a report's first target
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_template(client: Client, world: World, code: str = "housing") -> Workbook:
    response = client.get(reverse("exports:template", args=[world.plan.pk, code]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def row_of(sheet: Worksheet, task_number: int, period: str) -> int:
    """The row of a task's report for a period (YYYY-MM)."""
    for row in range(2, sheet.max_row + 1):
        number = sheet.cell(row=row, column=COL_NUMBER).value
        if number == task_number and sheet.cell(row=row, column=COL_PERIOD_SHOWN).value == period:
            return row
    raise AssertionError(f"no row for task {task_number} {period}")


def upload(
    client: Client, world: World, workbook: Workbook, *, mode: str = "draft", code: str = "housing"
) -> Any:
    """The job's page, once the worker has read the uploaded workbook."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("reports.xlsx", buffer.getvalue(), content_type=XLSX_TYPE)
    response = client.post(reverse("exports:batch", args=[world.plan.pk, code]), {"file": file, "mode": mode})
    return finish_job(client, response)


def february(client: Client, world: World) -> tuple[Workbook, Worksheet, int]:
    """A fresh template of the housing bureau, its reports sheet and the row of task 1 in February."""
    workbook = download_template(client, world)
    sheet = workbook[REPORTS_SHEET]
    return workbook, sheet, row_of(sheet, 1, "2025-02")


def upload_february_value(client: Client, world: World, value: object) -> tuple[Any, int]:
    """Upload a template whose task 1 February report is in progress with `value` as its first value:
    the job's page and the row."""
    workbook, sheet, row = february(client, world)
    sheet.cell(row=row, column=COL_STATUS, value="in progress")
    sheet.cell(row=row, column=FIRST_VALUE, value=value)
    return upload(client, world, workbook), row
