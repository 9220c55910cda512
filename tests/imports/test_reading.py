"""Plan files read by one rule in `plan parse`, `plan import` and the web import; bounded warnings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from envplan.core.jobs import run_pending_jobs
from envplan.core.models import AuditEntry
from envplan.imports import services
from envplan.imports.models import PlanImport
from envplan.plans.models import Unit
from tests.commandline import envplan
from tests.imports.conftest import read_sample
from tests.pure.plantext.zipbombs import GIB, claiming, word_document

pytestmark = pytest.mark.django_db


def command(*args: str) -> str:
    code, out, err = envplan("plan", *args)
    assert code == 0, err
    return out


def web_upload(client: Client, name: str, content: bytes) -> Any:
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("imports:list"), {"file": file})


def without_review_state(draft: dict[str, Any]) -> dict[str, Any]:
    """The parser's part of a stored draft: no registry links, no stored warning count."""
    parsed = {key: value for key, value in draft.items() if key != "warnings_total"}
    parsed["units"] = [{k: v for k, v in unit.items() if k != "link"} for unit in draft["units"]]
    return parsed


def test_gb18030_plan_gives_the_same_draft_through_parse_import_and_web(
    tmp_path: Path, supervisor: User, supervisor_client: Client
):
    content = read_sample("plan_zh.txt").decode("utf-8").encode("gb18030")
    path = tmp_path / "plan_gb18030.txt"
    path.write_bytes(content)
    assert Unit.objects.count() == 0  # no registry: every path parses with the same known units

    parsed = json.loads(command("parse", str(path)))
    command("import", str(path))
    from_command = PlanImport.objects.get()
    services.discard_import(from_command, by=supervisor)
    response = web_upload(supervisor_client, "plan_gb18030.txt", content)
    run_pending_jobs()  # the web import is read by the worker
    from_web = PlanImport.objects.exclude(pk=from_command.pk).get()

    assert response.status_code == 302
    assert parsed["meta"]["language"] == "zh"
    assert len(parsed["chapters"]) > 1
    assert from_web.draft == from_command.draft
    assert without_review_state(from_web.draft) == parsed


def test_plan_import_of_a_docx_bomb_exits_2_and_stores_nothing(tmp_path: Path):
    path = tmp_path / "plan.docx"
    path.write_bytes(claiming(word_document(), member="word/document.xml", size=GIB))
    audits = AuditEntry.objects.count()

    code, _, err = envplan("plan", "import", str(path))

    assert code == 2
    assert err == (
        "plan.docx would expand to 1,024.0 MB, more than the 100 MB allowed; it was refused before opening.\n"
    )
    assert (PlanImport.objects.count(), AuditEntry.objects.count()) == (0, audits)


def test_web_import_of_a_docx_bomb_is_a_form_error_and_stores_nothing(supervisor_client: Client):
    bomb = claiming(word_document(), member="word/document.xml", size=GIB)
    audits = AuditEntry.objects.count()

    response = web_upload(supervisor_client, "plan.docx", bomb)

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "plan.docx would expand to 1,024.0 MB, more than the 100 MB allowed; it was refused before opening."
    ]
    assert (PlanImport.objects.count(), AuditEntry.objects.count()) == (0, audits)


def test_web_import_of_a_binary_file_names_the_reading_rule_and_stores_nothing(supervisor_client: Client):
    audits = AuditEntry.objects.count()

    broken_pdf = web_upload(supervisor_client, "scan.pdf", b"%PDF-1.7\n\x00\x01\x02\xff\xfe")
    binary = web_upload(supervisor_client, "plan.txt", b"\x00\x01\x02\xff\xfe")

    assert (broken_pdf.status_code, binary.status_code) == (400, 400)
    assert broken_pdf.context["form"].errors["file"] == ["scan.pdf is not a readable PDF file."]
    assert binary.context["form"].errors["file"] == [
        "plan.txt is neither UTF-8 nor GB18030 text: upload UTF-8 text or a Word .docx file."
    ]
    assert (PlanImport.objects.count(), AuditEntry.objects.count()) == (0, audits)


# 1,200 unit lines before the first task: one warning each.
# 600 tasks, each with an empty label line: two warnings a task (the empty label, no unit), 1,200 in all.
NOISY_PLAN = (
    "昆都仑区2025年水污染防治工作方案\n\n一、重点任务\n（一）饮用水\n"
    + "".join(f"{i}．完成第{i}处水源地排查整治。\n牵头单位：\n" for i in range(1, 601))
).encode()


def test_plan_import_keeps_the_first_thousand_warnings_and_their_count(supervisor: User):
    imp, _ = services.create_import(filename="noisy.txt", content=NOISY_PLAN, by=supervisor)

    assert (len(imp.draft["warnings"]), imp.draft["warnings_total"]) == (1000, 1200)
    assert imp.draft["warnings"][0] == "line 6: 牵头单位： names no unit (the document may be cut off here)"
    assert services.draft_counts(imp.draft)["warnings"] == 1200


def test_plan_import_command_prints_a_thousand_warnings_and_the_count(tmp_path: Path):
    path = tmp_path / "noisy.txt"
    path.write_bytes(NOISY_PLAN)

    lines = command("import", str(path)).splitlines()

    assert sum(line.startswith("warning: ") for line in lines) == 1000
    assert lines[1001] == "… and 200 more warnings"


def test_review_page_lists_a_thousand_warnings_and_counts_the_others(
    supervisor: User, supervisor_client: Client
):
    imp, _ = services.create_import(filename="noisy.txt", content=NOISY_PLAN, by=supervisor)

    page = supervisor_client.get(imp.get_absolute_url()).content.decode()

    assert page.count("names no unit") == 1000
    assert "… and 200 more warnings, not listed here." in page
