from __future__ import annotations

import io
import json
from collections.abc import Callable

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from envplan.exports.assessment import assess_units
from envplan.exports.ledger import LEDGER_SHEET, TARGETS_SHEET, UNITS_SHEET, build_ledger
from tests.commandline import in_group
from tests.exports.factories import TODAY, World

main = in_group("ledger")


def ledger_rows(world: World) -> list[tuple[object, ...]]:
    sheet = build_ledger(world.plan, today=TODAY, reader=None)[LEDGER_SHEET]
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=2)]


def test_ledger_has_one_row_per_assignment_with_unit_and_role(history: World) -> None:
    rows = ledger_rows(history)

    assert [(row[0], row[3], row[7], row[8]) for row in rows] == [
        (1, "1. Build sewers", "Ecology bureau", "lead unit"),
        (2, "1. Build sewers", "Housing bureau", "responsible unit"),
        (3, "2. Clean drains", "Housing bureau", "implementing unit"),
        (4, "2. Clean drains", "Water bureau", "implementing unit"),
        (5, "3. Sweep streets", "All towns", "implementing unit"),
    ]


def test_ledger_shows_latest_approved_report_and_task_status(history: World) -> None:
    rows = ledger_rows(history)

    # (latest approved period, reported status, excerpt, task status) per row
    assert [row[11:15] for row in rows] == [
        ("2025-02", "done", "ecology 2025-02", "done"),
        ("", "", "", "done"),
        ("", "", "", "overdue"),  # water owes February's report
        ("", "", "", "overdue"),
        ("2025-02", "done", "town-a 2025-02", "done"),  # a group row shows its members' reports
    ]
    assert rows[0][4:7] == ("Ecology bureau", "Housing bureau", "")
    assert rows[0][9] == "new sewer pipes ≥ 10 km"


def test_ledger_targets_and_units_sheets(history: World) -> None:
    workbook = build_ledger(history.plan, today=TODAY, reader=None)

    targets = [tuple(c.value for c in row) for row in workbook[TARGETS_SHEET].iter_rows(min_row=2)]
    units = [tuple(c.value for c in row) for row in workbook[UNITS_SHEET].iter_rows(min_row=2)]

    assert [(row[0], row[1], row[4], row[7]) for row in targets] == [
        (1, "new sewer pipes", 12, "绿 met"),
        (2, "drains cleared", None, "— no value"),
    ]
    assert units == [
        ("All towns", "", "", "3", 1),
        ("Ecology bureau", "1", "", "", 1),
        ("Housing bureau", "", "1", "2", 2),
        ("Water bureau", "", "", "2", 1),
    ]


def test_ledger_headers_are_bilingual_and_frozen(world: World) -> None:
    sheet = build_ledger(world.plan, today=TODAY, reader=None)[LEDGER_SHEET]

    assert (sheet["A1"].value, sheet["E1"].value, sheet.freeze_panes) == (
        "序号 / No.",
        "牵头单位 / Lead unit",
        "A2",
    )


def test_ledger_download_for_any_logged_in_user(history: World, login: Callable[[User], Client]) -> None:
    client = login(history.water_reporter)

    response = client.get(reverse("exports:ledger", args=[history.plan.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [LEDGER_SHEET, TARGETS_SHEET, UNITS_SHEET]
    assert (workbook[LEDGER_SHEET]["A1"].value, workbook[LEDGER_SHEET]["H2"].value) == ("序号", "生态环境局")


def test_ledger_download_sends_anonymous_to_login(world: World, client: Client) -> None:
    response = client.get(reverse("exports:ledger", args=[world.plan.pk]))

    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("login"))


def test_ledger_command_writes_the_workbook(history: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "ledger.xlsx"

    code = main(["export", "--plan", str(history.plan.pk), "-o", str(target)], stdout=out, stderr=err)

    assert (code, err.getvalue()) == (0, "")
    assert load_workbook(target)[LEDGER_SHEET].max_row == 6


def test_ledger_command_rejects_unknown_plan(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    err = io.StringIO()

    code = main(["export", "--plan", "999", "-o", str(tmp_path / "x.xlsx")], stdout=io.StringIO(), stderr=err)

    assert (code, err.getvalue()) == (2, "envplan ledger: --plan 999: no such plan\n")


def test_ledger_command_usage_error_returns_2(world: World) -> None:
    err = io.StringIO()

    code = main(["export"], stdout=io.StringIO(), stderr=err)

    assert code == 2
    assert (
        err.getvalue()
        == "envplan ledger export: error: the following arguments are required: --plan, -o/--output\n"
    )


def test_assessment_command_json_lists_units_in_ranking_order(history: World) -> None:
    out, err = io.StringIO(), io.StringIO()

    code = main(["assessment", "--plan", str(history.plan.pk), "--json"], stdout=out, stderr=err)

    document = json.loads(out.getvalue())
    expected = assess_units(history.plan, today=TODAY)
    assert (code, err.getvalue(), out.getvalue().count("\n")) == (0, "", 1)
    assert (document["plan"], document["date"], document["pdf"]) == (history.plan.pk, TODAY.isoformat(), None)
    assert [(u["code"], u["rank"], u["score"]) for u in document["units"]] == [
        (row.unit.code, row.rank, float(row.score) if row.score is not None else None)
        for row in expected.rows
    ]
    assert set(document["units"][0]) == {
        "rank", "score", "code", "name", "tasks", "timeliness", "completion", "attainment"
    }  # fmt: skip
    assert sum(document["weights"].values()) == 100
