from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from envplan.imports.models import ImportStatus, PlanImport
from envplan.plans.models import Plan
from envplan.plantext import parse_file
from tests.imports.conftest import SAMPLES

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("plan", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


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

    with pytest.raises(CommandError) as caught:
        run("import", str(binary))

    assert caught.value.returncode == 2
    assert str(caught.value) == (
        "image.png is neither UTF-8 nor GB18030 text: upload UTF-8 text or a Word .docx file."
    )
    assert PlanImport.objects.count() == 0


def test_plan_import_of_a_missing_file_exits_2(tmp_path: Path):
    with pytest.raises(CommandError) as caught:
        run("import", str(tmp_path / "absent.txt"))

    assert caught.value.returncode == 2
    assert "absent.txt: cannot read the file" in str(caught.value)


def test_plan_parse_prints_the_draft_json():
    output = run("parse", str(SAMPLES / "plan_en.txt"), "--lang", "en")

    assert json.loads(output) == parse_file(SAMPLES / "plan_en.txt", lang="en").to_dict()
    assert PlanImport.objects.count() == 0


def test_plan_parse_of_unreadable_input_exits_2(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    err = io.StringIO()

    with pytest.raises(SystemExit) as caught:
        call_command("plan", "parse", str(empty), stdout=io.StringIO(), stderr=err)

    assert caught.value.code == 2
    assert len(err.getvalue().splitlines()) == 1
