"""The rectification ledger in Excel: exported in the office layout with text never written as a formula,
imported back (every bad row listed by row and column, nothing stored unless all pass), and uploaded as a
queued job."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from envplan.core.jobs import run_pending_jobs
from envplan.core.models import Job, JobState
from envplan.inspections.models import RectificationTask
from envplan.inspections.services.ledger import LedgerRejected, import_ledger
from envplan.inspections.spreadsheets import ledger_workbook, parse_deadline, workbook_bytes
from tests.inspections.conftest import login

HEADER = ["序号", "整改任务", "整改实施主体", "验收单位", "整改目标", "完成时限", "整改措施"]


def _book(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    return workbook_bytes(book)


def test_ledger_deadlines_in_the_ways_ledgers_write_them():
    assert parse_deadline("2025-11-30") == dt.date(2025, 11, 30)
    assert parse_deadline("2025年11月30日") == dt.date(2025, 11, 30)
    assert parse_deadline("2025年11月底前") == dt.date(2025, 11, 30)
    assert parse_deadline("2025年2月") == dt.date(2025, 2, 28)
    assert parse_deadline("2025年底前") == dt.date(2025, 12, 31)
    assert parse_deadline(dt.datetime(2025, 6, 30, 0, 0)) == dt.date(2025, 6, 30)
    assert parse_deadline("soon") is None
    assert parse_deadline("2025-02-30") is None


def test_ledger_import_registers_rows_and_again_changes_nothing(enforcement):
    content = _book(
        [
            [
                12,
                "Dust nets torn",
                "the contractors",
                "Housing bureau",
                "covered",
                "2025年11月底前",
                "inspect weekly",
            ],
            [
                14,
                "Outlet signs missing",
                "the plants",
                "生态环境局",
                "signposted",
                dt.datetime(2025, 6, 30),
                None,
            ],
        ]
    )

    first = import_ledger(
        "ledger.xlsx",
        content,
        by=enforcement.world.officer,
        round_name="round A",
        feedback_on=dt.date(2025, 3, 1),
    )
    again = import_ledger("ledger.xlsx", content, by=enforcement.world.officer, round_name="round A")

    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    tasks = {t.number: t for t in RectificationTask.objects.all()}
    assert tasks[12].accepting_unit == enforcement.world.housing
    assert tasks[12].deadline == dt.date(2025, 11, 30)
    assert tasks[14].accepting_unit == enforcement.world.ecology
    assert tasks[14].events.get().action == "created"


def test_ledger_import_lists_every_bad_row_and_stores_nothing(enforcement):
    content = _book(
        [
            [1, "ok row", "x", "ecology", "goal", "2025-11-30", ""],
            [2, "bad date", "x", "ecology", "goal", "whenever", ""],
            [2, "duplicate number", "x", "No such bureau", "goal", "2025-11-30", ""],
            [3, "", "x", "ecology", "goal", "=TODAY()", ""],
        ]
    )

    with pytest.raises(LedgerRejected) as raised:
        import_ledger("ledger.xlsx", content, by=None, round_name="round A")

    problems = [(e.row, e.column, e.field) for e in raised.value.errors]
    assert problems == [
        (3, "F", "deadline"),
        (4, "A", "number"),
        (4, "D", "accepting_unit"),
        (5, "B", "problem"),
        (5, "F", "deadline"),
    ]
    assert "formula" in raised.value.errors[-1].message
    assert not RectificationTask.objects.exists()


def test_ledger_import_names_a_missing_column(enforcement):
    content = _book([[1, "x"]], header=["序号", "整改任务"])

    with pytest.raises(LedgerRejected, match="整改实施主体"):
        import_ledger("ledger.xlsx", content, by=None, round_name="round A")


def test_ledger_export_writes_formula_like_text_as_text_and_imports_back(enforcement):
    world = enforcement.world
    RectificationTask.objects.create(
        round="round A",
        number=3,
        problem='=HYPERLINK("http://evil","click")',
        subject="+plant",
        accepting_unit=world.water,
        goal="-goal",
        deadline=dt.date(2025, 9, 30),
    )

    content = workbook_bytes(ledger_workbook(RectificationTask.objects.all(), today=dt.date(2025, 10, 20)))
    sheet = load_workbook(io.BytesIO(content)).active
    cell = sheet["B2"]

    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil","click")', "s")
    assert sheet["C2"].data_type == "s"
    assert sheet["I2"].value == "滞后"  # open and past its deadline
    outcome = import_ledger("ledger.xlsx", content, by=None, round_name="round A")
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 1)


def test_ledger_upload_is_read_by_a_queued_job(enforcement, client):
    login(client, enforcement.world.supervisor)
    content = _book([[7, "Sinter belts open", "steel plant", "ecology", "enclosed", "2025-11-30", ""]])
    upload = SimpleUploadedFile("ledger.xlsx", content, content_type="application/octet-stream")

    response = client.post(
        "/inspections/rectifications/import/",
        {"file": upload, "round": "round B", "feedback_on": "2025-03-01"},
    )

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert not RectificationTask.objects.exists()
    [finished] = run_pending_jobs()
    assert finished.state == JobState.DONE
    task = RectificationTask.objects.get()
    assert (task.round, task.number, task.feedback_on) == ("round B", 7, dt.date(2025, 3, 1))
    assert finished.result["url"] == "/inspections/rectifications/"


def test_ledger_upload_with_bad_rows_fails_the_job_with_each_problem(enforcement, client):
    login(client, enforcement.world.officer)
    content = _book([[1, "x", "y", "nobody", "goal", "2025-11-30", ""]])

    client.post(
        "/inspections/rectifications/import/", {"file": SimpleUploadedFile("l.xlsx", content), "round": "r"}
    )
    [finished] = run_pending_jobs()

    assert finished.state == JobState.FAILED
    assert [(e["line"], e["column"], e["field"]) for e in finished.result["errors"]] == [
        (2, "D", "accepting_unit")
    ]
    assert not RectificationTask.objects.exists()


def test_ledger_upload_that_is_not_excel_is_refused_at_once(enforcement, client):
    login(client, enforcement.world.supervisor)
    fake = SimpleUploadedFile(
        "ledger.xlsx", b"not a workbook at all", content_type="application/vnd.ms-excel"
    )

    response = client.post("/inspections/rectifications/import/", {"file": fake, "round": "r"})

    assert response.status_code == 400
    assert "not an accepted file type" in response.content.decode()
    assert not Job.objects.exists()


def test_ledger_upload_is_for_the_office(enforcement, client):
    login(client, enforcement.world.ecology_admin)

    assert client.get("/inspections/rectifications/import/").status_code == 403
    assert client.get("/inspections/rectifications/export.xlsx").status_code == 403
