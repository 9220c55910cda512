"""`envplan inspections …`: the Django sub-commands beside the pure `draw` and `verify`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from envplan.commandline import NEEDS_DJANGO
from envplan.commands import build_parser
from envplan.inspections.models import InspectionRecord, RectificationTask
from envplan.inspections.services import draws
from tests.commandline import envplan
from tests.inspections.conftest import NOW, at, drawn, inspected


def run(argv: list[str]) -> tuple[int, str, str]:
    return envplan("inspections", *argv)


@pytest.fixture
def revealed(enforcement):
    draw = drawn(enforcement.task, "key")
    for record in InspectionRecord.objects.filter(drawn_target__draw=draw):
        inspected(record, dt.date(2025, 7, 15), now=NOW)
    return draws.reveal_seed(draw, by=None, now=at(dt.date(2025, 7, 20)))


def test_command_draw_and_verify_stay_pure_and_the_rest_goes_to_django():
    parser = build_parser()
    needs = [
        vars(parser.parse_args(["inspections", *words]))[NEEDS_DJANGO]
        for words in (["draw", "pool.csv", "--count", "1", "--seed", "00"], ["pool", "export"])
    ]

    assert needs == [False, True]


def test_command_exported_pool_roster_and_published_draw_verify(revealed, tmp_path: Path):
    for argv in (
        ["pool", "export", "--draw", str(revealed.pk), "-o", str(tmp_path / "pool.csv")],
        ["roster", "export", "--draw", str(revealed.pk), "-o", str(tmp_path / "roster.csv")],
        ["published", "--draw", str(revealed.pk), "-o", str(tmp_path / "draw.json")],
    ):
        assert run(argv)[0] == 0

    code, out, err = run(
        [
            "verify",
            str(tmp_path / "pool.csv"),
            str(tmp_path / "draw.json"),
            "--seed",
            revealed.seed_hex,
            "--inspectors",
            str(tmp_path / "roster.csv"),
        ]
    )

    assert (code, err) == (0, "")
    assert out == f"reproduced: {revealed.count} id(s) drawn by envplan-draw-1\n"


def test_command_a_drawn_but_unrevealed_draw_stays_confidential(enforcement):
    draw = drawn(enforcement.task, "key")

    code, out, err = run(["published", "--draw", str(draw.pk)])

    assert (code, out) == (2, "")
    assert "confidential" in err


def test_command_pool_export_of_the_register_and_bad_draw_ids(enforcement):
    code, out, _err = run(["pool", "export", "--year", "2025"])

    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "id,stratum,category,name,name_zh,credit_code,reasons"
    assert len(lines) == 11
    assert run(["pool", "export", "--draw", "999"])[0] == 2
    assert "no draw 999" in run(["roster", "export", "--draw", "999"])[2]


def test_command_usage_errors_exit_2():
    assert run(["pool"])[0] == 2
    assert run(["rectifications", "import"])[0] == 2


def _ledger(path: Path, rows: list[list[object]]) -> None:
    book = Workbook()
    book.active.append(["序号", "整改任务", "整改实施主体", "验收单位", "整改目标", "完成时限"])
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_command_rectifications_import_and_export(enforcement, tmp_path: Path):
    good = tmp_path / "good.xlsx"
    _ledger(good, [[1, "Slag heap", "Kunhe town", "ecology", "removed", "2025-11-30"]])

    code, out, err = run(
        ["rectifications", "import", str(good), "--round", "round A", "--feedback-date", "2025-03-01"]
    )
    export_code, export_out, _ = run(["rectifications", "export", "-o", str(tmp_path / "out.xlsx")])

    assert (code, err) == (0, "")
    assert out == "good.xlsx: 1 registered, 0 updated, 0 unchanged\n"
    assert RectificationTask.objects.get().feedback_on == dt.date(2025, 3, 1)
    assert (export_code, export_out) == (0, f"{tmp_path / 'out.xlsx'}: 1 tasks\n")


def test_command_rectifications_import_with_bad_rows_exits_1_and_names_them(enforcement, tmp_path: Path):
    bad = tmp_path / "bad.xlsx"
    _ledger(bad, [[1, "Slag heap", "Kunhe town", "nobody", "removed", "later"]])

    code, out, err = run(["rectifications", "import", str(bad), "--round", "round A"])

    assert (code, out) == (1, "")
    assert "bad.xlsx, sheet Sheet, row 2, column D (accepting_unit)" in err
    assert "bad.xlsx, sheet Sheet, row 2, column F (deadline)" in err
    assert not RectificationTask.objects.exists()


def test_command_rectifications_import_of_an_unreadable_file_exits_2(enforcement, tmp_path: Path):
    assert run(["rectifications", "import", str(tmp_path / "missing.xlsx"), "--round", "r"])[0] == 2
    (tmp_path / "text.xlsx").write_text("plain text")
    code, _out, err = run(["rectifications", "import", str(tmp_path / "text.xlsx"), "--round", "r"])
    assert code == 2
    assert "text.xlsx" in err


def test_command_published_prints_the_draw_and_exits_2_for_an_unknown_one(revealed):
    code, out, _err = run(["published", "--draw", str(revealed.pk)])
    missing, _out, err = run(["published", "--draw", "999"])

    assert (code, json.loads(out)) == (0, revealed.result)
    assert (missing, "no draw 999" in err) == (2, True)
