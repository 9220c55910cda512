from __future__ import annotations

import json
from pathlib import Path

import pytest

from envplan.imports.models import ImportStatus, PlanImport
from envplan.plans.models import Plan
from envplan.plantext import parse_file
from tests.commandline import envplan
from tests.imports.conftest import SAMPLES

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    code, out, err = envplan("plan", *args)
    assert code == 0, err
    return out


def test_plan_import_prints_the_id_and_counts():
    output = run("import", str(SAMPLES / "plan_en.txt"))

    imp = PlanImport.objects.get()
    tasks = len(parse_file(SAMPLES / "plan_en.txt").tasks())
    assert output.splitlines()[0].startswith(f"import {imp.pk}: plan_en.txt created;")
    assert f"{tasks} tasks" in output.splitlines()[0]
    assert imp.status == ImportStatus.PENDING


def test_plan_import_accept_stores_the_plan_once():
    first = run("import", str(SAMPLES / "plan_zh.docx"), "--accept")
    second = run("import", str(SAMPLES / "plan_zh.docx"), "--accept")

    plan = Plan.objects.get()
    assert first.splitlines()[-1] == f"accepted: plan {plan.pk} {plan.title}"
    assert "already imported (accepted)" in second.splitlines()[0]
    assert PlanImport.objects.count() == 1


def test_plan_import_of_unreadable_input_exits_2(tmp_path: Path):
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    code, out, err = envplan("plan", "import", str(binary))

    assert (code, out) == (2, "")
    assert err == "image.png is neither UTF-8 nor GB18030 text: upload UTF-8 text or a Word .docx file.\n"
    assert PlanImport.objects.count() == 0


def test_plan_import_of_a_missing_file_exits_2(tmp_path: Path):
    code, _, err = envplan("plan", "import", str(tmp_path / "absent.txt"))

    assert code == 2
    assert err.startswith(f"{tmp_path / 'absent.txt'}: cannot read the file")
    assert err.count("\n") == 1


def test_plan_parse_prints_the_draft_json():
    output = run("parse", str(SAMPLES / "plan_en.txt"), "--lang", "en")

    assert json.loads(output) == parse_file(SAMPLES / "plan_en.txt", lang="en").to_dict()
    assert PlanImport.objects.count() == 0


def test_plan_parse_of_unreadable_input_exits_2(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = envplan("plan", "parse", str(empty))

    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1


def test_plan_import_json_summary_has_the_counts_and_the_accepted_plan():
    code, out, err = envplan("plan", "import", str(SAMPLES / "plan_en.txt"), "--accept", "--json")

    summary = json.loads(out)
    imp, plan = PlanImport.objects.get(), Plan.objects.get()
    tasks = len(parse_file(SAMPLES / "plan_en.txt").tasks())
    assert (code, err, out.count("\n")) == (0, "", 1)
    assert list(summary) == [
        "import", "file", "created", "status", "chapters", "sections", "tasks", "targets", "units",
        "warnings", "warnings_total", "uncertain", "plan",
    ]  # fmt: skip
    assert (summary["import"], summary["file"], summary["created"], summary["tasks"]) == (
        imp.pk,
        "plan_en.txt",
        True,
        tasks,
    )
    assert summary["plan"] == {"id": plan.pk, "title": plan.title}
